"""The 三率 formulas (§8): the admin's choices, stored in one row, and their zh-CN wording.

Every choice changes which tickets a measure counts (app.stats.measures.measure_clause); the
sentences in FORMULA_TEXT are rendered from the same choices, so the page that shows a figure
can always say exactly how it was counted.
"""

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import service as audit_service
from app.core import clock
from app.core.dbtypes import UTCDateTime
from app.core.errors import PermissionDenied, ValidationFailed

FORMULA_ROW_ID = 1


class StatsFormula(SQLModel, table=True):
    """The single row of formula choices; absent until an admin first saves the page."""

    __tablename__ = "stats_formula"

    id: int | None = Field(default=None, primary_key=True)
    satisfied_includes_basically: bool = True
    resolved_from_rating: bool = False
    response_counts_rejections: bool = True
    unrated_counts_as_satisfied: bool = False
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )


@dataclass(frozen=True)
class Formula:
    """How the rates are counted; the defaults are the usual reading of §8."""

    satisfied_includes_basically: bool = True  # 满意率 numerator = 满意 (+ 基本满意)
    resolved_from_rating: bool = False  # 解决率: the citizen's 已解决 answer, or 满意/基本满意
    response_counts_rejections: bool = True  # a 不予受理 within the ack deadline is a response
    unrated_counts_as_satisfied: bool = False  # tickets closed 未评价 count as rated 满意


FORMULA_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Formula))

# The choice as the admin page words it (checkbox labels).
FORMULA_FIELD_LABELS: dict[str, str] = {
    "satisfied_includes_basically": "“基本满意”计入满意率的分子",
    "resolved_from_rating": "解决率按评价计算（评价为满意或基本满意即视为已解决）",
    "response_counts_rejections": "在受理时限内作出“不予受理”的，视为已按时响应",
    "unrated_counts_as_satisfied": "评价期满未评价而办结的，视为“满意”并计入已评价件",
}


def get_formula(session: Session) -> Formula:
    row = session.get(StatsFormula, FORMULA_ROW_ID)
    if row is None:
        return Formula()
    return Formula(**{name: bool(getattr(row, name)) for name in FORMULA_FIELDS})


def update_formula(session: Session, *, principal: Principal, **choices: Any) -> Formula:
    """Store the admin's choices (stats:configure); audited with the fields that changed."""
    if not principal.can(Permission.STATS_CONFIGURE):
        raise PermissionDenied("只有系统管理员可以修改统计口径")
    unknown = sorted(set(choices) - set(FORMULA_FIELDS))
    if unknown:
        raise ValidationFailed(dict.fromkeys(unknown, "未知的统计口径选项"))
    before = get_formula(session)
    after = Formula(**{**asdict(before), **{k: bool(v) for k, v in choices.items()}})
    changed = {
        name: getattr(after, name)
        for name in FORMULA_FIELDS
        if getattr(after, name) != getattr(before, name)
    }
    if not changed:
        return after
    row = session.get(StatsFormula, FORMULA_ROW_ID) or StatsFormula(id=FORMULA_ROW_ID)
    for name in FORMULA_FIELDS:
        setattr(row, name, getattr(after, name))
    row.updated_by_id = principal.user.id
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    audit_service.record(
        session,
        actor=principal.user,
        action="stats.formula_updated",
        object_type="stats_formula",
        object_id=FORMULA_ROW_ID,
        data=changed,
    )
    return after


def formula_text(formula: Formula) -> list[str]:
    """The §8 definitions as zh-CN sentences for this formula (pages, API, the Word report).

    Each sentence stands on its own and starts with what it defines ("响应率 = …").
    """
    response_due = "受理期限已到或已受理" + (
        "（含不予受理）" if formula.response_counts_rejections else ""
    )
    responded = "在受理期限内受理" + (
        "或作出不予受理决定" if formula.response_counts_rejections else ""
    )
    if not formula.response_counts_rejections:
        responded += "（不予受理的工单不计入响应率）"
    rated = "已评价件数：有评价的工单" + (
        "，以及评价期满未评价而办结、视为满意的工单"
        if formula.unrated_counts_as_satisfied
        else "（评价期满未评价的工单不计入）"
    )
    satisfied = "评价为“满意”" + (
        "或“基本满意”" if formula.satisfied_includes_basically else "（“基本满意”不计入）"
    )
    resolved = (
        "评价为“满意”或“基本满意”" if formula.resolved_from_rating else "群众评价时选择“问题已解决”"
    )
    if formula.unrated_counts_as_satisfied:
        satisfied += "，以及未评价视为满意的工单"
        resolved += "，以及未评价视为满意的工单"
    return [
        "统计对象：统计期内收到（以提交时间为准）、属于统计范围的工单；"
        "已合并的重复件只计入收件数和重复件率，不计入其他各率。",
        f"响应率 = 按时响应件数 ÷ 应响应件数。应响应：{response_due}的工单；"
        f"按时响应：{responded}。",
        f"解决率 = 已解决件数 ÷ 已评价件数。已解决：{resolved}；{rated}。"
        "重办件按最近一次评价计算。",
        f"满意率 = 满意件数 ÷ 已评价件数。满意：{satisfied}。重办件按最近一次评价计算。",
        "按期办结率 = 按期答复件数 ÷ 应办结件数。应办结：已答复的工单，"
        "以及办理期限已过仍未答复的工单；按期答复：在办理期限内答复。",
        "退单率 = 被承办单位退回过的工单数 ÷ 转办给承办单位的工单数。",
        "重办率 = 因不满意而重新办理过的工单数 ÷ 已评价件数。",
        "重复件率 = 作为重复件合并的工单数 ÷ 收件数。",
        "办理用时中位数：已答复工单自受理（或提交）到最近一次答复所用工作日数的中位数。",
    ]


# Called with the formula in force: FORMULA_TEXT(get_formula(session)) → list of sentences.
FORMULA_TEXT = formula_text
