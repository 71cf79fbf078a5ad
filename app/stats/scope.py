"""Who and what a figure covers: a unit subtree, a team, a category, a kind — and the teams a
signed-in user may see figures of."""

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, select

from app.account.permissions import Role
from app.account.service import Principal
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.ticket.labels import KIND_LABELS
from app.ticket.models import Category, TicketKind
from app.unit import service as unit_service
from app.unit.models import Team, Unit

TEAM_ROLES = frozenset({Role.TEAM_LEAD, Role.TEAM_MEMBER})
ALL_LABEL = "全部"


@dataclass(frozen=True)
class StatsScope:
    label: str  # "宁海县", "跃龙街道", "宁海县纪委监委第一派驻组" …
    unit_id: int | None = None  # the unit and its whole subtree (by ticket.unit_id)
    team_id: int | None = None  # tickets / notices / ledger of this team
    category_id: int | None = None
    kind: TicketKind | None = None
    allowed_team_ids: frozenset[int] | None = None  # None = no restriction (admin, public)
    unit_code: str = ""  # the unit's code, for links (query())

    def query(self) -> dict[str, str]:
        """The query parameters scope_for() reads back (unit, team, category, kind)."""
        params: dict[str, str] = {}
        if self.unit_code:
            params["unit"] = self.unit_code
        if self.team_id is not None:
            params["team"] = str(self.team_id)
        if self.category_id is not None:
            params["category"] = str(self.category_id)
        if self.kind is not None:
            params["kind"] = self.kind.value
        return params


def unit_subtree_ids(unit: Unit) -> ColumnElement[bool]:
    """`<unit id column> IN (…)`-ready selection: the unit itself and every descendant."""
    return or_(col(Unit.id) == unit.id, col(Unit.path).like(f"{unit.path}{unit.id}/%"))


def subtree_clause(session: Session, unit_id: int, column: object) -> ColumnElement[bool]:
    """`column IN (SELECT id FROM unit WHERE id = :u OR path LIKE :p)` — one indexed lookup."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return false()
    ids = select(col(Unit.id)).where(unit_subtree_ids(unit))
    return col(column).in_(ids)


def whole_tree(session: Session, unit_id: int) -> bool:
    """True when the unit's subtree is every unit (the home county as the only root): then a
    subtree filter would match every ticket and is left out of the query."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.parent_id is not None:
        return False
    roots = session.execute(
        select(func.count()).select_from(Unit).where(col(Unit.parent_id).is_(None))
    ).scalar_one()
    return int(roots) == 1


def _parse_kind(kind: str) -> TicketKind | None:
    text = kind.strip()
    if not text:
        return None
    try:
        return TicketKind(text)
    except ValueError:
        raise ValidationFailed({"kind": "工单类型应为检举控告、投诉或意见建议"}) from None


def _compose_label(
    base: str, category: Category | None, kind: TicketKind | None, team: Team | None
) -> str:
    parts = [base]
    if team is not None and team.name != base:
        parts.append(team.name)
    if category is not None:
        parts.append(category.name)
    if kind is not None:
        parts.append(KIND_LABELS[kind])
    return " · ".join(parts)


def _county_label(session: Session) -> str:
    county = unit_service.get_home_county(session)
    return county.name if county is not None else ALL_LABEL


def scope_for(
    session: Session,
    principal: Principal,
    *,
    unit_code: str = "",
    team_id: int | None = None,
    category_id: int | None = None,
    kind: str = "",
) -> StatsScope:
    """The scope a user asked for, within what they may see: admins anything; team leads and
    members the tickets of their own teams (a team outside them is NotFound); others nothing."""
    allowed: frozenset[int] | None
    if principal.is_admin:
        allowed = None
    elif any(m.role in TEAM_ROLES and m.team_id is not None for m in principal.memberships):
        allowed = frozenset(
            m.team_id
            for m in principal.memberships
            if m.role in TEAM_ROLES and m.team_id is not None
        )
    else:
        raise PermissionDenied("只有监督单位和系统管理员可以查看统计")
    ticket_kind = _parse_kind(kind)
    unit = unit_service.get_unit_by_code(session, code=unit_code.strip()) if unit_code else None
    category = None
    if category_id is not None:
        category = session.get(Category, category_id)
        if category is None:
            raise NotFound("投诉类别不存在")
    team = None
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or (allowed is not None and team_id not in allowed):
            raise NotFound("监督单位不存在")
    if unit is not None:
        base = unit.name
    elif team is not None:
        base = team.name
    elif allowed is not None:
        names = session.exec(
            select(Team.name).where(col(Team.id).in_(sorted(allowed))).order_by(col(Team.id))
        ).all()
        base = "、".join(names) if names else ALL_LABEL
    else:
        base = _county_label(session)
    return StatsScope(
        label=_compose_label(base, category, ticket_kind, team if unit is not None else None),
        unit_id=unit.id if unit is not None else None,
        team_id=team_id,
        category_id=category_id,
        kind=ticket_kind,
        allowed_team_ids=allowed,
        unit_code=unit.code if unit is not None else "",
    )


def public_scope(session: Session, *, unit: Unit | None) -> StatsScope:
    """The public pages' scope: a township (or any unit) subtree, or the whole county."""
    if unit is None:
        return StatsScope(label=_county_label(session))
    return StatsScope(label=unit.name, unit_id=unit.id, unit_code=unit.code)


def narrowed(scope: StatsScope, **changes: object) -> StatsScope:
    """A copy of `scope` with some fields replaced (breakdown rows, drill-down links)."""
    return replace(scope, **changes)  # type: ignore[arg-type]
