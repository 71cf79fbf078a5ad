"""The /staff/lists table's query: a row per unit and list kind with its state, paged in SQL."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, and_, func, literal_column, or_, true, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.core.pagination import Page
from app.powerlist import service
from app.powerlist.models import OPEN_STATUSES, ListVersion, PowerList, VersionStatus
from app.powerlist.specs import ListKind
from app.unit.models import TOWNSHIP_KINDS, Unit


class ListState(StrEnum):
    """What a row's status filter can ask for (a list may be published and have a draft)."""

    PUBLISHED = "published"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    MISSING = "missing"
    STALE = "stale"


LIST_STATE_LABELS: dict[ListState, str] = {
    ListState.PUBLISHED: "有现行版本",
    ListState.DRAFT: "草稿",
    ListState.SUBMITTED: "待审核",
    ListState.RETURNED: "已退回",
    ListState.MISSING: "未建立",
    ListState.STALE: "长期未更新",
}


def stale_label(days: int) -> str:
    """ "超过 12 个月未更新" for the default of 365 days."""
    if days % 365 == 0:
        return f"超过 {days // 365 * 12} 个月未更新"
    if days % 30 == 0:
        return f"超过 {days // 30} 个月未更新"
    return f"超过 {days} 天未更新"


@dataclass(frozen=True)
class ListRow:
    unit: Unit
    kind: ListKind
    power_list: PowerList | None
    current: ListVersion | None
    open: ListVersion | None
    stale: bool

    @property
    def returned(self) -> bool:
        return self.open is not None and self.open.was_returned


_current = aliased(ListVersion, name="current_version")
_open = aliased(ListVersion, name="open_version")


def _kinds() -> Any:
    # A constant table of the three kinds (with display order) to cross join units with, so
    # that kinds without any list row still get their "未建立" row.
    rows = [
        sa_select(
            literal_column(f"'{kind.value}'", String).label("kind"),
            literal_column(str(order), Integer).label("sort"),
        )
        for order, kind in enumerate(ListKind)
    ]
    return union_all(*rows).subquery("kinds")


def _state_clause(state: ListState, stale_before: datetime) -> ColumnElement[bool]:
    if state == ListState.PUBLISHED:
        return col(_current.id).is_not(None)
    if state == ListState.DRAFT:
        return and_(col(_open.status) == VersionStatus.DRAFT, col(_open.reviewed_at).is_(None))
    if state == ListState.RETURNED:
        return and_(col(_open.status) == VersionStatus.DRAFT, col(_open.reviewed_at).is_not(None))
    if state == ListState.SUBMITTED:
        return col(_open.status) == VersionStatus.SUBMITTED
    if state == ListState.STALE:
        return col(_current.published_at) < stale_before
    return and_(col(_current.id).is_(None), col(_open.id).is_(None))


def subtree_clause(unit: Unit) -> ColumnElement[bool]:
    return or_(col(Unit.id) == unit.id, col(Unit.path).startswith(f"{unit.path}{unit.id}/"))


def list_rows(
    session: Session,
    *,
    scope: ColumnElement[bool],
    township: Unit | None,
    kind: ListKind | None,
    state: ListState | None,
    page: int,
    per_page: int,
    now: datetime,
    stale_days: int,
) -> Page[ListRow]:
    """Rows for active units in `scope`, ordered by unit code and kind; two queries."""
    kinds = _kinds()
    stale_before = service.stale_before(now, stale_days)
    conditions: list[ColumnElement[bool]] = [scope, col(Unit.is_active).is_(True)]
    if township is not None:
        conditions.append(subtree_clause(township))
    if kind is not None:
        conditions.append(kinds.c.kind == kind.value)
    if state is not None:
        conditions.append(_state_clause(state, stale_before))

    def joined(statement: Any) -> Any:
        return (
            statement.select_from(Unit)
            .join(kinds, true())
            .outerjoin(
                PowerList,
                and_(col(PowerList.unit_id) == col(Unit.id), col(PowerList.kind) == kinds.c.kind),
            )
            .outerjoin(_current, col(_current.id) == col(PowerList.current_version_id))
            .outerjoin(
                _open,
                and_(col(_open.list_id) == col(PowerList.id), col(_open.status).in_(OPEN_STATUSES)),
            )
            .where(*conditions)
        )

    total = session.execute(joined(sa_select(func.count()))).scalar_one()
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = session.execute(
        joined(sa_select(Unit, kinds.c.kind, PowerList, _current, _open))
        .order_by(col(Unit.code), kinds.c.sort)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        ListRow(
            unit=unit,
            kind=ListKind(kind_value),
            power_list=power_list,
            current=current,
            open=open_version,
            stale=current is not None
            and service.is_stale(current, now=now, max_age_days=stale_days),
        )
        for unit, kind_value, power_list, current, open_version in rows
    ]
    return Page(items=items, total=total, page=page, per_page=per_page)


def townships(session: Session) -> list[Unit]:
    """Townships and sub-districts, for the filter."""
    return list(
        session.exec(
            select(Unit)
            .where(col(Unit.kind).in_(TOWNSHIP_KINDS), col(Unit.is_active).is_(True))
            .order_by(col(Unit.code))
        ).all()
    )
