"""Pydantic specs of list content, shared by Excel, demo data, the API and the services."""

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError


class ListKind(StrEnum):
    DUTY = "duty"
    CADRE = "cadre"
    NEGATIVE = "negative"


LIST_KIND_LABELS: dict[ListKind, str] = {
    ListKind.DUTY: "职责清单（权力事项）",
    ListKind.CADRE: "干部履职干事清单",
    ListKind.NEGATIVE: "履职负面清单",
}


class TimeUnit(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


TIME_UNIT_LABELS: dict[TimeUnit, str] = {
    TimeUnit.WORKING: "工作日",
    TimeUnit.CALENDAR: "自然日",
}


class StepKind(StrEnum):
    TASK = "task"
    DECISION = "decision"  # 审核/表决: 通过 continues, 不通过 returns or ends


STEP_KIND_LABELS: dict[StepKind, str] = {
    StepKind.TASK: "办理",
    StepKind.DECISION: "判断",
}


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


RISK_LEVEL_LABELS: dict[RiskLevel, str] = {
    RiskLevel.HIGH: "高",
    RiskLevel.MEDIUM: "中",
    RiskLevel.LOW: "低",
}

# Ninghai's two categories; lists may use their own as well.
CATEGORY_COLLECTIVE = "集体管理"
CATEGORY_SERVICE = "便民服务"

NEGATIVE_PREFIXES = ("不得", "严禁", "禁止")

# Length limits, shared with the database columns and the Excel parser.
NUMBER_MAX = 20
NAME_MAX = 100
SHORT_MAX = 200
TEXT_MAX = 2000
PERSON_MAX = 50
PHONE_MAX = 30

# One error type carries several located problems found by a model-level check, so that
# spec_errors can report all of them instead of only the first.
_MULTI = "spec_multi"


def _fail(errors: dict[str, str]) -> PydanticCustomError:
    first = next(iter(errors.values()))
    return PydanticCustomError(_MULTI, "{first}", {"first": first, "errors": errors})


def _required(label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value:
            raise PydanticCustomError("spec_required", "请填写{label}", {"label": label})
        return value

    return check


def _nonblank(value: str) -> str:
    if not value:
        raise PydanticCustomError("spec_blank", "不能为空")
    return value


def _positive(value: int | None) -> int | None:
    if value is not None and value <= 0:
        raise PydanticCustomError("spec_positive", "必须是正整数")
    return value


def _req(label: str) -> AfterValidator:
    return AfterValidator(_required(label))


Line = Annotated[str, Field(max_length=SHORT_MAX), AfterValidator(_nonblank)]
Ref = Annotated[str, Field(max_length=NUMBER_MAX), AfterValidator(_nonblank)]
Days = Annotated[int | None, AfterValidator(_positive)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LegalBasisSpec(_Spec):
    title: Annotated[str, Field(max_length=SHORT_MAX), _req("法律依据名称")]
    article: Annotated[str, Field(max_length=SHORT_MAX)] = ""

    def text(self) -> str:
        """As printed on lists: 《…》第…条."""
        return f"{self.title}{self.article}"


class StepSpec(_Spec):
    name: Annotated[str, Field(max_length=NAME_MAX), _req("步骤名称")]
    actor: Annotated[str, Field(max_length=NAME_MAX), _req("办理主体")]
    description: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    time_limit: Days = None
    time_unit: TimeUnit = TimeUnit.WORKING
    disclosure: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    kind: StepKind = StepKind.TASK
    # For a decision step: the 1-based step to return to when 不通过; None ends the process.
    reject_to: int | None = None
    reject_label: Annotated[str, Field(max_length=20)] = "不通过"

    @model_validator(mode="after")
    def _reject_only_on_decisions(self) -> Self:
        if self.reject_to is not None and self.kind != StepKind.DECISION:
            raise _fail({"reject_to": "只有判断步骤才能设置不通过退回步骤"})
        return self


class DisclosureSpec(_Spec):
    content: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    deadline: Annotated[str, Field(max_length=SHORT_MAX)] = ""
    channel: Annotated[str, Field(max_length=SHORT_MAX)] = ""


class RiskSpec(_Spec):
    description: Annotated[str, Field(max_length=TEXT_MAX), _req("风险点")]
    level: RiskLevel
    measure: Annotated[str, Field(max_length=TEXT_MAX), _req("防控措施")]


class ItemSpec(_Spec):
    number: Annotated[str, Field(max_length=NUMBER_MAX), _req("编号")]
    name: Annotated[str, Field(max_length=NAME_MAX), _req("事项名称")]
    category: Annotated[str, Field(max_length=PERSON_MAX), _req("类别")]
    responsible: Annotated[str, Field(max_length=NAME_MAX), _req("责任主体")]
    legal_bases: list[LegalBasisSpec] = []
    steps: list[StepSpec]
    time_limit: Days = None
    time_unit: TimeUnit = TimeUnit.WORKING
    materials: list[Line] = []
    disclosure: DisclosureSpec = Field(default_factory=DisclosureSpec)
    risks: list[RiskSpec] = []
    accountability: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    negative_refs: list[Ref] = []
    # Stable across versions so diffs and complaints follow an item; None for a new item.
    key: str | None = None

    @field_validator("steps")
    @classmethod
    def _at_least_one_step(cls, steps: list[StepSpec]) -> list[StepSpec]:
        if not steps:
            raise PydanticCustomError("spec_steps", "请至少填写一个办理步骤")
        return steps

    @model_validator(mode="after")
    def _reject_targets(self) -> Self:
        errors: dict[str, str] = {}
        for index, step in enumerate(self.steps, start=1):
            if step.reject_to is None:
                continue
            if not 1 <= step.reject_to < index:
                if index == 1:
                    message = "第一个步骤不能设置退回步骤"
                elif index == 2:
                    message = "退回步骤只能是第 1 步"
                else:
                    message = f"退回步骤必须是本步骤之前的步骤序号（1–{index - 1}）"
                errors[f"steps[{index - 1}].reject_to"] = message
        if errors:
            raise _fail(errors)
        return self


class CadreDutySpec(_Spec):
    post: Annotated[str, Field(max_length=PERSON_MAX), _req("岗位")]
    person: Annotated[str, Field(max_length=PERSON_MAX), _req("姓名")]
    duties: list[Line]
    requirements: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    phone: Annotated[str, Field(max_length=PHONE_MAX)] = ""

    @field_validator("duties")
    @classmethod
    def _at_least_one_duty(cls, duties: list[str]) -> list[str]:
        if not duties:
            raise PydanticCustomError("spec_duties", "请至少填写一项履职事项")
        return duties


class NegativeSpec(_Spec):
    number: Annotated[str, Field(max_length=NUMBER_MAX), _req("编号")]
    act: Annotated[str, Field(max_length=TEXT_MAX), _req("禁止行为")]
    basis: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    consequence: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    item_refs: list[Ref] = []

    @field_validator("act")
    @classmethod
    def _prohibitive(cls, act: str) -> str:
        if act and not act.startswith(NEGATIVE_PREFIXES):
            raise PydanticCustomError("spec_negative", "禁止行为须以「不得」「严禁」或「禁止」开头")
        return act


def _duplicates(values: Iterable[str | None], path: str, what: str) -> dict[str, str]:
    seen: set[str] = set()
    errors: dict[str, str] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            errors[path.format(index)] = f"{what}「{value}」在清单中重复"
        seen.add(value)
    return errors


class ListContent(_Spec):
    kind: ListKind
    items: list[ItemSpec] = []
    cadre_duties: list[CadreDutySpec] = []
    negative_items: list[NegativeSpec] = []

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        errors: dict[str, str] = {}
        label = LIST_KIND_LABELS[self.kind]
        if self.kind != ListKind.DUTY and self.items:
            errors["items"] = f"{label}不能包含权力事项"
        if self.kind != ListKind.CADRE and self.cadre_duties:
            errors["cadre_duties"] = f"{label}不能包含干部履职事项"
        if self.kind != ListKind.NEGATIVE and self.negative_items:
            errors["negative_items"] = f"{label}不能包含负面清单条目"
        errors |= _duplicates((i.number for i in self.items), "items[{}].number", "编号")
        errors |= _duplicates((i.key for i in self.items), "items[{}].key", "事项标识")
        errors |= _duplicates(
            (n.number for n in self.negative_items), "negative_items[{}].number", "编号"
        )
        if errors:
            raise _fail(errors)
        return self


# zh-CN wording for pydantic's own error types; our custom errors carry zh-CN already.
_MESSAGES: dict[str, str] = {
    "missing": "此项必填",
    "string_type": "必须是文本",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "enum": "取值无效",
    "list_type": "必须是列表",
    "model_type": "格式不正确",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "extra_forbidden": "不支持的字段",
    "string_too_long": "不能超过 {max_length} 个字",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "不能超过 {max_length} 项",
    "none_required": "必须为空",
}


def _path(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _join(base: str, relative: str) -> str:
    if not base:
        return relative
    return f"{base}{relative}" if relative.startswith("[") else f"{base}.{relative}"


def spec_errors(exc: ValidationError) -> dict[str, str]:
    """Map a ValidationError to {"items[2].steps[0].time_limit": zh-CN message}."""
    result: dict[str, str] = {}
    for error in exc.errors():
        base = _path(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == _MULTI:
            for relative, message in ctx["errors"].items():
                result.setdefault(_join(base, relative), message)
            continue
        template = _MESSAGES.get(error["type"])
        if template is None:
            message = error["msg"] if error["type"].startswith("spec_") else "格式不正确"
        else:
            message = template.format(**ctx) if ctx else template
        result.setdefault(base or "__root__", message)
    return result


def format_time_limit(limit: int | None, unit: TimeUnit) -> str:
    """ "5 个工作日" / "15 个自然日"; empty when there is no limit."""
    if limit is None:
        return ""
    return f"{limit} 个{TIME_UNIT_LABELS[unit]}"
