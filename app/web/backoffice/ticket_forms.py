"""Form plumbing for the ticket pages: lenient filter parsing, and the values and errors of the
many small action forms on one ticket page, kept apart by form name."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Form
from fastapi import Path as PathParam

from app.account.permissions import Permission
from app.core.errors import ValidationFailed

E = TypeVar("E", bound=StrEnum)
MAX_ID = 2_147_483_647

# A number is "TS-20261122-0042"; accept a little slack (lower case, spaces) for the domain to
# normalise, but nothing long.
Number = Annotated[str, PathParam(max_length=30, description="受理编号，如 TS-20261122-0042")]
FormText = Annotated[str, Form(max_length=5000)]
ShortText = Annotated[str, Form(max_length=200)]
FormList = Annotated[list[str], Form()]

# Field "form" carries errors that belong to no single field (a refused transition).
GENERAL = "form"

# What a team action said when it worked (shown after the redirect or the htmx swap).
NOTICES: dict[str, str] = {
    "accept": "已受理。",
    "start": "已开始核查办理。",
    "reject": "已不予受理，理由已告知群众。",
    "merge": "已合并到指定工单。",
    "assign": "已指定承办人。",
    "forward": "已转办，承办单位将收到通知。",
    "release": "已将所选附件提供给承办单位。",
    "review_return": "已审核退单。",
    "request_info": "已请群众补充材料，办理期限暂停计算。",
    "receive_info": "已恢复办理，办理期限继续计算。",
    "answer": "已答复群众。",
    "close": "已办结。",
    "note": "已添加内部备注。",
    "disposition": "已拟定处置方式，待负责人批准。",
    "approve": "已批准处置方式。",
    "feedback": "已记录结果反馈。",
    "unit_reply": "已提交办理情况，监督单位将审核后答复群众。",
    "unit_return": "已申请退回，等待监督单位审核。",
}

# Permission each team form needs, so a page never offers a form whose POST answers 403.
FORM_PERMISSIONS: dict[str, Permission] = {
    "assign": Permission.TICKET_ASSIGN,
    "approve": Permission.TICKET_DISPOSE,
    "close": Permission.TICKET_DISPOSE,
    "unit_reply": Permission.TICKET_HANDLE,
    "unit_return": Permission.TICKET_HANDLE,
}


def enum_value(enum: type[E], raw: str) -> E | None:
    """The member whose value is `raw`, or None for "" and anything unknown."""
    try:
        return enum(raw.strip())
    except ValueError:
        return None


def positive_int(raw: str) -> int | None:
    value = raw.strip()
    if value.isdigit() and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def id_list(raw: list[str], field_name: str) -> list[int]:
    """Ids chosen with checkboxes; anything that is not an id is a form error."""
    ids = [positive_int(value) for value in raw if value.strip()]
    if any(value is None for value in ids):
        raise ValidationFailed({field_name: "所选项目无效，请刷新页面后重试"})
    return sorted({value for value in ids if value is not None})


@dataclass
class Forms:
    """Values and errors of the action forms on a ticket page, keyed by form name; an action
    that failed comes back with its input kept and its messages next to its fields."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def failed(cls, form: str, values: dict[str, Any], errors: dict[str, str]) -> "Forms":
        return cls(values={form: values}, errors={form: errors})

    def value(self, form: str, name: str, default: Any = "") -> Any:
        return self.values.get(form, {}).get(name, default)

    def error(self, form: str, name: str) -> str:
        return self.errors.get(form, {}).get(name, "")

    def errors_of(self, form: str) -> dict[str, str]:
        return self.errors.get(form, {})

    @property
    def failed_form(self) -> str:
        return next(iter(self.errors), "")
