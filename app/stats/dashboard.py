"""Dashboard figures scoped to the signed-in user: every count is one GROUP BY query."""

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.account.models import Membership, User
from app.account.permissions import Role
from app.account.service import Principal
from app.audit import service as audit_service
from app.core import clock
from app.unit import service as unit_service
from app.unit.models import Team, Unit, UnitKind


@dataclass(frozen=True)
class AdminFigures:
    county: Unit | None
    units_by_kind: list[tuple[UnitKind, int]]
    units_total: int
    teams: int
    active_users: int
    units_without_team: int
    audit_events_today: int


@dataclass(frozen=True)
class TeamFigures:
    team: Team
    role: Role
    own_units: int  # units whose supervising team is set to this team
    inherited_units: int  # their descendants that inherit it (no nearer team of their own)

    @property
    def total_units(self) -> int:
        return self.own_units + self.inherited_units


@dataclass(frozen=True)
class EditorUnit:
    unit: Unit
    include_descendants: bool
    descendants: int


@dataclass(frozen=True)
class Dashboard:
    admin: AdminFigures | None = None
    teams: list[TeamFigures] = field(default_factory=list)
    editor_units: list[EditorUnit] = field(default_factory=list)


def _subtree_pattern(unit: type[Unit] | Unit) -> ColumnElement[str]:
    """LIKE pattern matching every descendant's `path` of the (aliased) unit."""
    return col(unit.path) + cast(col(unit.id), String) + "/%"


def _within(county: Unit | None) -> ColumnElement[bool]:
    if county is None:
        return true()
    prefix = f"{county.path}{county.id}/%"
    return or_(col(Unit.id) == county.id, col(Unit.path).like(prefix))


def admin_figures(session: Session) -> AdminFigures:
    county = unit_service.get_home_county(session)
    scope = and_(col(Unit.is_active).is_(True), _within(county))
    rows = session.exec(select(Unit.kind, func.count()).where(scope).group_by(col(Unit.kind))).all()
    counts = dict(rows)
    by_kind = [(kind, counts[kind]) for kind in UnitKind if counts.get(kind)]
    ancestor = aliased(Unit)
    has_team_above = exists().where(
        col(ancestor.team_id).is_not(None), col(Unit.path).like(_subtree_pattern(ancestor))
    )
    without_team = session.exec(
        select(func.count())
        .select_from(Unit)
        .where(scope, col(Unit.team_id).is_(None), ~has_team_above)
    ).one()
    teams = session.exec(
        select(func.count()).select_from(Team).where(col(Team.is_active).is_(True))
    ).one()
    users = session.exec(
        select(func.count()).select_from(User).where(col(User.is_active).is_(True))
    ).one()
    return AdminFigures(
        county=county,
        units_by_kind=by_kind,
        units_total=sum(count for _, count in by_kind),
        teams=int(teams),
        active_users=int(users),
        units_without_team=int(without_team),
        audit_events_today=audit_service.count_events_on(session, day=clock.today_local()),
    )


def team_figures(session: Session, *, memberships: list[Membership]) -> list[TeamFigures]:
    """For each team the user belongs to: how many active units it supervises."""
    role_by_team: dict[int, Role] = {}
    for membership in memberships:
        if membership.team_id is None:
            continue
        # A lead who is also listed as member is shown as lead.
        if role_by_team.get(membership.team_id) != Role.TEAM_LEAD:
            role_by_team[membership.team_id] = membership.role
    if not role_by_team:
        return []
    team_ids = list(role_by_team)
    own = dict(
        session.exec(
            select(Unit.team_id, func.count())
            .where(col(Unit.team_id).in_(team_ids), col(Unit.is_active).is_(True))
            .group_by(col(Unit.team_id))
        ).all()
    )
    anchor = aliased(Unit)
    descendant = aliased(Unit)
    blocker = aliased(Unit)
    # A descendant inherits the anchor's team unless a unit between them sets its own.
    nearer_team = exists().where(
        col(blocker.team_id).is_not(None),
        col(blocker.path).like(_subtree_pattern(anchor)),
        col(descendant.path).like(_subtree_pattern(blocker)),
    )
    inherited = dict(
        session.exec(
            select(anchor.team_id, func.count(col(descendant.id)))
            .join(descendant, col(descendant.path).like(_subtree_pattern(anchor)))
            .where(
                col(anchor.team_id).in_(team_ids),
                col(descendant.team_id).is_(None),
                col(descendant.is_active).is_(True),
                ~nearer_team,
            )
            .group_by(col(anchor.team_id))
        ).all()
    )
    teams = session.exec(select(Team).where(col(Team.id).in_(team_ids)).order_by(col(Team.name)))
    return [
        TeamFigures(
            team=team,
            role=role_by_team[team.id],  # type: ignore[index]
            own_units=int(own.get(team.id, 0)),
            inherited_units=int(inherited.get(team.id, 0)),
        )
        for team in teams
    ]


def editor_units(session: Session, *, memberships: list[Membership]) -> list[EditorUnit]:
    """The units a unit editor works for, with the size of their subtree where it counts."""
    scoped = {
        m.unit_id: m.include_descendants
        for m in memberships
        if m.role == Role.UNIT_EDITOR and m.unit_id is not None
    }
    if not scoped:
        return []
    descendant = aliased(Unit)
    rows = session.exec(
        select(Unit, func.count(col(descendant.id)))
        .outerjoin(
            descendant,
            and_(
                col(descendant.path).like(_subtree_pattern(Unit)),
                col(descendant.is_active).is_(True),
            ),
        )
        .where(col(Unit.id).in_(list(scoped)))
        .group_by(col(Unit.id))
        .order_by(col(Unit.code))
    ).all()
    result = []
    for unit, count in rows:
        assert unit.id is not None
        with_descendants = scoped[unit.id]
        result.append(
            EditorUnit(
                unit=unit,
                include_descendants=with_descendants,
                descendants=int(count) if with_descendants else 0,
            )
        )
    return result


def dashboard_for(session: Session, *, principal: Principal) -> Dashboard:
    memberships = list(principal.memberships)
    return Dashboard(
        admin=admin_figures(session) if principal.is_admin else None,
        teams=team_figures(session, memberships=memberships),
        editor_units=editor_units(session, memberships=memberships),
    )
