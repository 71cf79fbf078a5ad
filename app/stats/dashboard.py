"""Dashboard figures scoped to the signed-in user: every count is one GROUP BY query."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.account.models import Membership, User
from app.account.permissions import Permission, Role
from app.account.service import Principal
from app.audit import service as audit_service
from app.core import clock
from app.core.errors import PermissionDenied
from app.stats import charts
from app.stats.charts import Chart, Series
from app.stats.figures import (
    AGEING_NOTE,
    Dimension,
    breakdown,
    monthly_trend,
    overdue_ageing,
    ticket_figures,
)
from app.stats.measures import Measure, TicketFigures
from app.stats.periods import Period
from app.stats.scope import StatsScope, scope_for
from app.stats.supervision import SupervisionFigures, supervision_figures
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
class StatsCharts:
    trend: Chart
    category: Chart
    township: Chart
    ageing: Chart


@dataclass(frozen=True)
class StatsOverview:
    """This year's figures of what the user may see: the county (admin) or their teams."""

    scope: StatsScope
    period: Period
    figures: TicketFigures
    supervision: SupervisionFigures
    charts: StatsCharts


@dataclass(frozen=True)
class Dashboard:
    admin: AdminFigures | None = None
    teams: list[TeamFigures] = field(default_factory=list)
    editor_units: list[EditorUnit] = field(default_factory=list)
    stats: StatsOverview | None = None


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


def overview_charts(
    session: Session, scope: StatsScope, period: Period, *, now: datetime
) -> StatsCharts:
    """The dashboard's four charts: monthly trend, by category, by township, overdue ageing."""
    trend = monthly_trend(session, scope, period, now=now)
    by_category = breakdown(session, scope, period, Dimension.CATEGORY, now=now)
    by_township = breakdown(session, scope, period, Dimension.TOWNSHIP, now=now)
    if scope.allowed_team_ids is not None:
        # A team sees only its own tickets: the other townships would all be zero.
        by_township = [row for row in by_township if row.figures.counts[Measure.RECEIVED]]
    ageing = overdue_ageing(session, scope, now=now)
    where = f"{scope.label}，{period.label}"
    return StatsCharts(
        trend=charts.bar_chart(
            chart_id="chart-trend",
            title=f"{period.label}各月收件与答复",
            description=f"{where}每月收到的工单数和其中已答复的工单数。",
            categories=[label for label, _received, _answered in trend],
            series=[
                Series("收件", tuple(received for _l, received, _a in trend)),
                Series("已答复", tuple(answered for _l, _r, answered in trend)),
            ],
            category_header="月份",
        ),
        category=charts.hbar_chart(
            chart_id="chart-category",
            title="按投诉类别",
            description=f"{where}收到的工单按投诉类别分列的件数。",
            rows=[(row.label, row.figures.counts[Measure.RECEIVED]) for row in by_category],
            category_header="投诉类别",
            value_header="收件",
        ),
        township=charts.hbar_chart(
            chart_id="chart-township",
            title="按乡镇（街道）",
            description=f"{where}收到的工单按所在乡镇（街道）分列的件数。",
            rows=[(row.label, row.figures.counts[Measure.RECEIVED]) for row in by_township],
            category_header="乡镇（街道）",
            value_header="收件",
            tone="green",
        ),
        ageing=charts.hbar_chart(
            chart_id="chart-ageing",
            title="超期未办结工单（按超期天数）",
            description=f"{scope.label}目前超过受理或办理期限仍未办结的工单，按超期天数分列。",
            rows=ageing,
            category_header="超期天数",
            value_header="工单",
            tone="red",
            note=AGEING_NOTE + "；含以往年度收到的工单。",
        ),
    )


def stats_overview(
    session: Session, *, principal: Principal, now: datetime | None = None
) -> StatsOverview | None:
    """This year's statistics for users with stats:read (teams and admins), else None."""
    if not principal.can(Permission.STATS_READ):
        return None
    try:
        scope = scope_for(session, principal)
    except PermissionDenied:
        return None
    now = now or clock.now()
    period = Period.current_year(clock.to_local(now).date())
    return StatsOverview(
        scope=scope,
        period=period,
        figures=ticket_figures(session, scope, period, now=now),
        supervision=supervision_figures(session, scope, period, today=clock.to_local(now).date()),
        charts=overview_charts(session, scope, period, now=now),
    )


def dashboard_for(session: Session, *, principal: Principal) -> Dashboard:
    memberships = list(principal.memberships)
    return Dashboard(
        admin=admin_figures(session) if principal.is_admin else None,
        teams=team_figures(session, memberships=memberships),
        editor_units=editor_units(session, memberships=memberships),
        stats=stats_overview(session, principal=principal),
    )
