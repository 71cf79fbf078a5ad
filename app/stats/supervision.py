"""Supervision figures (§7, §8): notices, rectifications, inspections, talks, and how many
units have a published duty list — counted in SQL within a statistics scope and period.

The scope's unit (subtree), team and allowed teams apply; its category and kind are ticket
filters and do not narrow these figures.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_
from sqlmodel import Session, col, select

from app.core import clock
from app.powerlist.models import ListVersion, PowerList
from app.powerlist.specs import ListKind
from app.stats.measures import Rate
from app.stats.periods import Period
from app.stats.scope import StatsScope, subtree_clause
from app.supervision.models import (
    NOTICE_OPEN_STATUSES,
    Inspection,
    InspectionUnit,
    NoticeStatus,
    Rectification,
    RectificationStatus,
    SupervisionNotice,
    Talk,
)
from app.unit import service as unit_service
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, Unit

# A duty list older than this is "stale" (due for its yearly review).
STALE_AFTER_DAYS = 365
COVERAGE_KINDS = (*TOWNSHIP_KINDS, *GRASSROOTS_KINDS)


@dataclass(frozen=True)
class SupervisionFigures:
    notices_issued: int
    notices_accepted: int
    notices_overdue: int
    rectifications_found: int
    rectifications_verified: int
    rectifications_overdue: int
    rectifications_in_progress: int
    inspections: int
    talks: int
    talk_persons: int  # 人次 = sum(person_count)

    @property
    def rectification_rate(self) -> Rate:
        """整改完成率: verified (已销号) ÷ found, for the problems found in the period."""
        return Rate(self.rectifications_verified, self.rectifications_found)


def _team_clauses(scope: StatsScope, team_column: Any) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if scope.team_id is not None:
        clauses.append(col(team_column) == scope.team_id)
    if scope.allowed_team_ids is not None:
        clauses.append(col(team_column).in_(sorted(scope.allowed_team_ids)))
    return clauses


def _scoped(
    session: Session, scope: StatsScope, team_column: Any, unit_column: Any
) -> list[ColumnElement[bool]]:
    clauses = _team_clauses(scope, team_column)
    if scope.unit_id is not None:
        clauses.append(subtree_clause(session, scope.unit_id, unit_column))
    return clauses


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def supervision_figures(
    session: Session, scope: StatsScope, period: Period, *, today: date | None = None
) -> SupervisionFigures:
    """Notices by issued_at in the period (accepted / overdue now among them); rectifications
    by created_at in the period (verified = 已销号, overdue = 整改中 past its deadline today);
    inspections and talks by held_on. Talks are numbers only, even for admins."""
    today = today or clock.today_local()
    low, high = period.utc_bounds()

    notice_status = col(SupervisionNotice.status)
    notice_row = session.execute(
        select(
            func.count(),
            _count(notice_status == NoticeStatus.ACCEPTED),
            _count(
                and_(
                    notice_status.in_(sorted(NOTICE_OPEN_STATUSES)),
                    col(SupervisionNotice.due_at) < _local_midnight(today),
                )
            ),
        )
        .select_from(SupervisionNotice)
        .where(
            col(SupervisionNotice.issued_at) >= low,
            col(SupervisionNotice.issued_at) < high,
            *_scoped(session, scope, SupervisionNotice.team_id, SupervisionNotice.unit_id),
        )
    ).one()

    status = col(Rectification.status)
    in_progress = status == RectificationStatus.IN_PROGRESS
    past_deadline = col(Rectification.deadline) < today
    rectification_row = session.execute(
        select(
            func.count(),
            _count(status == RectificationStatus.VERIFIED),
            _count(and_(in_progress, past_deadline)),
            _count(and_(in_progress, col(Rectification.deadline) >= today)),
        )
        .select_from(Rectification)
        .where(
            col(Rectification.created_at) >= low,
            col(Rectification.created_at) < high,
            *_scoped(session, scope, Rectification.team_id, Rectification.unit_id),
        )
    ).one()

    inspection_clauses = [
        col(Inspection.held_on) >= period.start,
        col(Inspection.held_on) <= period.end,
        *_team_clauses(scope, Inspection.team_id),
    ]
    if scope.unit_id is not None:
        inspection_clauses.append(
            exists().where(
                col(InspectionUnit.inspection_id) == col(Inspection.id),
                subtree_clause(session, scope.unit_id, InspectionUnit.unit_id),
            )
        )
    inspections = session.execute(
        select(func.count()).select_from(Inspection).where(*inspection_clauses)
    ).scalar_one()

    talk_row = session.execute(
        select(func.count(), func.coalesce(func.sum(col(Talk.person_count)), 0))
        .select_from(Talk)
        .where(
            col(Talk.held_on) >= period.start,
            col(Talk.held_on) <= period.end,
            *_scoped(session, scope, Talk.team_id, Talk.unit_id),
        )
    ).one()

    return SupervisionFigures(
        notices_issued=int(notice_row[0]),
        notices_accepted=int(notice_row[1]),
        notices_overdue=int(notice_row[2]),
        rectifications_found=int(rectification_row[0]),
        rectifications_verified=int(rectification_row[1]),
        rectifications_overdue=int(rectification_row[2]),
        rectifications_in_progress=int(rectification_row[3]),
        inspections=int(inspections),
        talks=int(talk_row[0]),
        talk_persons=int(talk_row[1]),
    )


@dataclass(frozen=True)
class ListCoverage:
    units: int  # active townships, subdistricts, villages and communities in scope
    with_published: int  # … with a published duty list
    stale: int  # … whose duty list was last published more than 365 days ago
    rate: Rate  # with_published ÷ units


def _effective_teams(session: Session, root: Unit | None, units: list[Unit]) -> dict[int, int]:
    """unit id → the id of the team supervising it (own setting, else nearest ancestor's,
    else the county default)."""
    team_of: dict[int, int | None] = {}
    if root is not None:
        for ancestor in unit_service.ancestors(session, unit=root):
            assert ancestor.id is not None
            team_of[ancestor.id] = ancestor.team_id
    for unit in units:
        assert unit.id is not None
        team_of[unit.id] = unit.team_id
    default = unit_service.default_team(session)
    fallback = default.id if default is not None else None
    result: dict[int, int] = {}
    for unit in units:
        assert unit.id is not None
        chain = [int(p) for p in unit.path.strip("/").split("/") if p]
        decided = next(
            (team_of[i] for i in reversed([*chain, unit.id]) if team_of.get(i) is not None),
            fallback,
        )
        if decided is not None:
            result[unit.id] = decided
    return result


def list_coverage(
    session: Session, scope: StatsScope, *, today: date | None = None
) -> ListCoverage:
    """Active townships/subdistricts and villages/communities in the scope's subtree (the
    county's when no unit is chosen); with a team scope, those the team supervises."""
    today = today or clock.today_local()
    root = (
        session.get(Unit, scope.unit_id)
        if scope.unit_id is not None
        else unit_service.get_home_county(session)
    )
    within: ColumnElement[bool] = (
        or_(col(Unit.id) == root.id, col(Unit.path).like(f"{root.path}{root.id}/%"))
        if root is not None
        else (false() if scope.unit_id is not None else col(Unit.id).is_not(None))
    )
    units = list(session.exec(select(Unit).where(within)).all())
    candidates = {
        u.id for u in units if u.id is not None and u.is_active and u.kind in COVERAGE_KINDS
    }
    teams = set()
    if scope.team_id is not None:
        teams = {scope.team_id}
    if scope.allowed_team_ids is not None:
        teams = set(scope.allowed_team_ids) & teams if teams else set(scope.allowed_team_ids)
    if scope.team_id is not None or scope.allowed_team_ids is not None:
        effective = _effective_teams(session, root, units)
        candidates = {i for i in candidates if effective.get(i) in teams}

    published = session.execute(
        select(col(PowerList.unit_id), col(ListVersion.published_at))
        .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
        .join(Unit, col(Unit.id) == col(PowerList.unit_id))
        .where(col(PowerList.kind) == ListKind.DUTY, within)
    ).all()
    stale_before = _local_midnight(today - timedelta(days=STALE_AFTER_DAYS))
    with_list = {int(unit_id) for unit_id, _at in published if unit_id in candidates}
    stale = {
        int(unit_id)
        for unit_id, at in published
        if unit_id in candidates and at is not None and at < stale_before
    }
    return ListCoverage(
        units=len(candidates),
        with_published=len(with_list),
        stale=len(stale),
        rate=Rate(len(with_list), len(candidates)),
    )
