"""Ticket figures (§8) counted in SQL: measures, the rates built from them, breakdowns and the
drill-down to exactly the tickets a figure counts.

Cohort rule: a figure counts the tickets RECEIVED (created_at) within the period and the scope.
Tickets merged into another ticket (status merged) count in `received` and in the duplicate
rate only; every other measure leaves them out.

Every measure is one boolean SQL clause (measure_clause). A figure is SUM(CASE WHEN clause THEN
1 ELSE 0 END) over the cohort, and its drill-down selects the cohort rows WHERE clause, so a
figure and its list of tickets can never disagree. All measures of a scope come from one
aggregate query; breakdowns add one GROUP BY; Python only rolls unit rows up the unit tree.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from operator import add
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal_column, or_, true
from sqlmodel import Session, col, select

from app.core import clock
from app.core.pagination import Page
from app.stats import cache
from app.stats.formulas import Formula, get_formula
from app.stats.periods import Period
from app.stats.scope import StatsScope, narrowed, subtree_clause, whole_tree
from app.ticket.labels import KIND_LABELS
from app.ticket.models import (
    OPEN_STATUSES,
    Category,
    Rating,
    Ticket,
    TicketKind,
    TicketStatus,
)
from app.unit import service as unit_service
from app.unit.models import TOWNSHIP_KINDS, Team, Unit


class Measure(StrEnum):
    """A set of cohort tickets; each rate is the numerator set over the denominator set."""

    RECEIVED = "received"  # every ticket received in the period (merged duplicates included)
    ACCEPTED = "accepted"  # 受理: past the acknowledge step, neither rejected nor merged
    REJECTED = "rejected"  # 不予受理
    MERGED = "merged"  # 重复件, merged into another ticket
    ANSWERED = "answered"  # answered (a reopened ticket again once re-answered)
    CLOSED = "closed"  # 已办结
    RATED = "rated"  # has a (latest) rating; optionally closed 未评价 counted as 满意
    OPEN = "open"  # the team still has to act (待受理, 已受理, 办理中, 待补充)
    OVERDUE_OPEN = "overdue_open"  # open and past its acknowledge or resolve deadline now
    RESPONSE_DUE = "response_due"  # 响应率 denominator
    RESPONDED_ON_TIME = "responded_on_time"  # 响应率 numerator
    RESOLVED = "resolved"  # 解决率 numerator (denominator RATED)
    SATISFIED = "satisfied"  # 满意率 numerator (denominator RATED)
    ANSWER_DUE = "answer_due"  # 按期办结率 denominator
    ANSWERED_ON_TIME = "answered_on_time"  # 按期办结率 numerator
    FORWARDED = "forwarded"  # 退单率 denominator: forwarded to a unit (转办)
    RETURNED = "returned"  # 退单率 numerator: returned by a unit (退单) at least once
    REOPENED = "reopened"  # 重办率 numerator (denominator RATED)


MEASURE_LABELS: dict[Measure, str] = {
    Measure.RECEIVED: "收件数",
    Measure.ACCEPTED: "受理数",
    Measure.REJECTED: "不予受理数",
    Measure.MERGED: "重复件数",
    Measure.ANSWERED: "已答复数",
    Measure.CLOSED: "已办结数",
    Measure.RATED: "已评价数",
    Measure.OPEN: "在办数",
    Measure.OVERDUE_OPEN: "超期未办数",
    Measure.RESPONSE_DUE: "应响应数",
    Measure.RESPONDED_ON_TIME: "按时响应数",
    Measure.RESOLVED: "已解决数",
    Measure.SATISFIED: "满意数",
    Measure.ANSWER_DUE: "应办结数",
    Measure.ANSWERED_ON_TIME: "按期答复数",
    Measure.FORWARDED: "转办数",
    Measure.RETURNED: "退单数",
    Measure.REOPENED: "重办数",
}


class RateName(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"
    SATISFACTION = "satisfaction"
    ON_TIME = "on_time"
    RETURN = "return"
    REOPEN = "reopen"
    DUPLICATE = "duplicate"


RATE_PARTS: dict[RateName, tuple[Measure, Measure]] = {
    RateName.RESPONSE: (Measure.RESPONDED_ON_TIME, Measure.RESPONSE_DUE),
    RateName.RESOLUTION: (Measure.RESOLVED, Measure.RATED),
    RateName.SATISFACTION: (Measure.SATISFIED, Measure.RATED),
    RateName.ON_TIME: (Measure.ANSWERED_ON_TIME, Measure.ANSWER_DUE),
    RateName.RETURN: (Measure.RETURNED, Measure.FORWARDED),
    RateName.REOPEN: (Measure.REOPENED, Measure.RATED),
    RateName.DUPLICATE: (Measure.MERGED, Measure.RECEIVED),
}

RATE_LABELS: dict[RateName, str] = {
    RateName.RESPONSE: "响应率",
    RateName.RESOLUTION: "解决率",
    RateName.SATISFACTION: "满意率",
    RateName.ON_TIME: "按期办结率",
    RateName.RETURN: "退单率",
    RateName.REOPEN: "重办率",
    RateName.DUPLICATE: "重复件率",
}

NO_VALUE = "—"


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator ÷ denominator, None when nothing is due (shown as "—", never as 0 %)."""
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator

    @property
    def percent(self) -> str:
        value = self.value
        return NO_VALUE if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class TicketFigures:
    counts: dict[Measure, int]  # every Measure present
    rates: dict[RateName, Rate]  # every RateName present
    median_handling_days: float | None = None  # working days, answered tickets in the cohort


def figures_from_counts(
    counts: Mapping[Measure, int], median_handling_days: float | None = None
) -> TicketFigures:
    full = {measure: int(counts.get(measure, 0) or 0) for measure in Measure}
    rates = {
        name: Rate(full[numerator], full[denominator])
        for name, (numerator, denominator) in RATE_PARTS.items()
    }
    return TicketFigures(full, rates, median_handling_days)


# --- Measures as SQL clauses --------------------------------------------------------------------

# The resolve clock runs (and can be overdue) in these statuses; 待补充 pauses it.
RESOLVE_RUNNING = (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS)


def measure_clause(measure: Measure, formula: Formula, *, now: datetime) -> ColumnElement[bool]:
    """The tickets (of any cohort) that `measure` counts, as a WHERE clause on `ticket`."""
    status = col(Ticket.status)
    not_merged = status != TicketStatus.MERGED
    rating = col(Ticket.rating)
    answered = col(Ticket.answered_at).is_not(None)
    acknowledged = col(Ticket.acknowledged_at).is_not(None)
    # Closed without a rating (the rating window expired, or the lead closed it early).
    closed_unrated = and_(status == TicketStatus.CLOSED, rating.is_(None))
    unrated_as_satisfied = closed_unrated if formula.unrated_counts_as_satisfied else false()
    satisfied_ratings = [Rating.SATISFIED]
    if formula.satisfied_includes_basically:
        satisfied_ratings.append(Rating.BASICALLY)

    def response_due() -> ColumnElement[bool]:
        due = or_(col(Ticket.ack_due_at) <= now, acknowledged)
        if formula.response_counts_rejections:
            return and_(not_merged, due)
        # Rejections are then neither a response nor due one: they leave the rate altogether.
        return and_(not_merged, status != TicketStatus.REJECTED, due)

    if measure is Measure.RECEIVED:
        return true()
    if measure is Measure.ACCEPTED:
        return status.not_in([TicketStatus.SUBMITTED, TicketStatus.REJECTED, TicketStatus.MERGED])
    if measure is Measure.REJECTED:
        return status == TicketStatus.REJECTED
    if measure is Measure.MERGED:
        return status == TicketStatus.MERGED
    if measure is Measure.ANSWERED:
        return and_(not_merged, answered)
    if measure is Measure.CLOSED:
        return status == TicketStatus.CLOSED
    if measure is Measure.RATED:
        return and_(not_merged, or_(rating.is_not(None), unrated_as_satisfied))
    if measure is Measure.OPEN:
        return status.in_(sorted(OPEN_STATUSES))
    if measure is Measure.OVERDUE_OPEN:
        return or_(
            and_(status == TicketStatus.SUBMITTED, col(Ticket.ack_due_at) < now),
            and_(status.in_(RESOLVE_RUNNING), col(Ticket.resolve_due_at) < now),
        )
    if measure is Measure.RESPONSE_DUE:
        return response_due()
    if measure is Measure.RESPONDED_ON_TIME:
        return and_(
            response_due(),
            acknowledged,
            or_(
                col(Ticket.ack_due_at).is_(None),
                col(Ticket.acknowledged_at) <= col(Ticket.ack_due_at),
            ),
        )
    if measure is Measure.RESOLVED:
        resolved = (
            rating.in_([Rating.SATISFIED, Rating.BASICALLY])
            if formula.resolved_from_rating
            else and_(rating.is_not(None), col(Ticket.resolved).is_(True))
        )
        return and_(not_merged, or_(resolved, unrated_as_satisfied))
    if measure is Measure.SATISFIED:
        return and_(not_merged, or_(rating.in_(satisfied_ratings), unrated_as_satisfied))
    if measure is Measure.ANSWER_DUE:
        return and_(
            not_merged,
            or_(
                answered,
                and_(status.in_(RESOLVE_RUNNING), col(Ticket.resolve_due_at) < now),
            ),
        )
    if measure is Measure.ANSWERED_ON_TIME:
        return and_(
            not_merged,
            answered,
            or_(
                col(Ticket.resolve_due_at).is_(None),
                col(Ticket.answered_at) <= col(Ticket.resolve_due_at),
            ),
        )
    if measure is Measure.FORWARDED:
        return and_(not_merged, col(Ticket.forwarded_at).is_not(None))
    if measure is Measure.RETURNED:
        return and_(not_merged, col(Ticket.forwarded_at).is_not(None), col(Ticket.return_count) > 0)
    if measure is Measure.REOPENED:
        return and_(not_merged, col(Ticket.reopen_count) > 0)
    raise ValueError(measure)  # pragma: no cover - every member is handled above


# --- Scope and period ---------------------------------------------------------------------------


def scope_clauses(session: Session, scope: StatsScope) -> list[ColumnElement[bool]]:
    """WHERE clauses on `ticket` for the scope (unit subtree, team, category, kind, allowed)."""
    clauses: list[ColumnElement[bool]] = []
    if scope.unit_id is not None and not whole_tree(session, scope.unit_id):
        clauses.append(subtree_clause(session, scope.unit_id, Ticket.unit_id))
    if scope.team_id is not None:
        clauses.append(col(Ticket.team_id) == scope.team_id)
    if scope.allowed_team_ids is not None:
        clauses.append(col(Ticket.team_id).in_(sorted(scope.allowed_team_ids)))
    if scope.category_id is not None:
        clauses.append(col(Ticket.category_id) == scope.category_id)
    if scope.kind is not None:
        clauses.append(col(Ticket.kind) == scope.kind)
    return clauses


def cohort_clauses(
    session: Session, scope: StatsScope, period: Period
) -> list[ColumnElement[bool]]:
    """The tickets received within the period (local dates) and the scope."""
    low, high = period.utc_bounds()
    return [
        col(Ticket.created_at) >= low,
        col(Ticket.created_at) < high,
        *scope_clauses(session, scope),
    ]


def _sums(formula: Formula, now: datetime, measures: Iterable[Measure]) -> list[Any]:
    return [
        func.coalesce(func.sum(case((measure_clause(m, formula, now=now), 1), else_=0)), 0).label(
            m.value
        )
        for m in measures
    ]


def _resolve(
    session: Session, formula: Formula | None, now: datetime | None
) -> tuple[Formula, datetime]:
    return (formula or get_formula(session)), (now or clock.now())


def ticket_figures(
    session: Session,
    scope: StatsScope,
    period: Period,
    *,
    formula: Formula | None = None,
    now: datetime | None = None,
) -> TicketFigures:
    """Every measure and rate of the cohort (from the grouped aggregate, see _cube), plus the
    median."""
    formula, now = _resolve(session, formula, now)
    counts = _cube(session, scope, period, formula=formula, now=now).total()
    median = median_handling_days(session, scope, period, formula=formula, now=now)
    return figures_from_counts(counts, median)


def median_handling_days(
    session: Session,
    scope: StatsScope,
    period: Period,
    *,
    formula: Formula | None = None,
    now: datetime | None = None,
) -> float | None:
    """Median working days to answer, over answered cohort tickets with handling_days recorded.

    Portable and cheap: GROUP BY handling_days gives a histogram of a few dozen rows (days are
    small integers), and the middle value (or the mean of the middle two) is read off it —
    the same result as sorting every ticket, without the sort. Cached like the aggregate.
    """
    formula, now = _resolve(session, formula, now)
    days = col(Ticket.handling_days)
    statement = (
        select(days, func.count())
        .where(
            *cohort_clauses(session, scope, period),
            measure_clause(Measure.ANSWERED, formula, now=now),
            days.is_not(None),
        )
        .group_by(days)
        .order_by(days)
    )

    def load() -> list[tuple[int, int]]:
        return [(int(value), int(n)) for value, n in session.execute(statement).all()]

    key = ("median", _scope_key(scope), period.utc_bounds())
    return median_of_histogram(cache.cached(session, key, now, load))


def median_of_histogram(histogram: Sequence[tuple[int, int]]) -> float | None:
    """The median of values given as sorted (value, how many) pairs; None when empty."""
    total = sum(n for _value, n in histogram)
    if not total:
        return None
    # 0-based positions of the middle value(s): one when the total is odd, two when even.
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[int] = []
    seen = 0
    for value, n in histogram:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


def drilldown(
    session: Session,
    scope: StatsScope,
    period: Period,
    measure: Measure,
    *,
    formula: Formula | None = None,
    now: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Ticket]:
    """Exactly the tickets counts[measure] counts (the same clause), newest first."""
    formula, now = _resolve(session, formula, now)
    where = [*cohort_clauses(session, scope, period), measure_clause(measure, formula, now=now)]
    # Counted without the ORDER BY and the columns (a bare COUNT can use the indexes).
    total = session.execute(select(func.count()).select_from(Ticket).where(*where)).scalar_one()
    page = max(1, page)
    items = session.exec(
        select(Ticket)
        .where(*where)
        .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=int(total), page=page, per_page=per_page)


# --- Breakdowns ---------------------------------------------------------------------------------


class Dimension(StrEnum):
    TOWNSHIP = "township"
    UNIT = "unit"
    TEAM = "team"
    CATEGORY = "category"
    KIND = "kind"
    MONTH = "month"


DIMENSION_LABELS: dict[Dimension, str] = {
    Dimension.TOWNSHIP: "乡镇（街道）",
    Dimension.UNIT: "下级单位",
    Dimension.TEAM: "监督单位",
    Dimension.CATEGORY: "投诉类别",
    Dimension.KIND: "工单类型",
    Dimension.MONTH: "月份",
}


@dataclass(frozen=True)
class BreakdownRow:
    key: str  # unit code / team id / category id / kind / "2026-11"
    label: str
    figures: TicketFigures  # median_handling_days is None in breakdowns
    scope: StatsScope  # narrowed scope for drill-down links (MONTH: the same scope)
    period: Period  # narrowed period for MONTH rows, else the same


def local_month(session: Session, column: Any) -> ColumnElement[Any]:
    """The local (Asia/Shanghai) month of a stored UTC time, computed by the database: 'YYYY-MM'
    on SQLite, the month's first moment on PostgreSQL (see month_key)."""
    if session.get_bind().dialect.name == "postgresql":
        # date_trunc is about twice as fast as to_char; month_key() turns it into 'YYYY-MM'.
        # Constants written inline: migration 0502's extended statistics name this expression.
        return func.date_trunc(
            literal_column("'month'"), func.timezone(literal_column(f"'{clock.LOCAL_TZ}'"), column)
        )
    # SQLite stores naive UTC; Asia/Shanghai has been UTC+8 all year since 1991.
    return func.strftime("%Y-%m", column, "+8 hours")


def month_key(value: object) -> str:
    """'YYYY-MM' from what local_month() returns on either database."""
    if isinstance(value, date | datetime):
        return f"{value.year}-{value.month:02d}"
    return str(value)


# The grouped aggregate every ticket figure is read from: one pass over the cohort grouped by
# (unit, team, category, kind, local month) with every measure summed — a few tens of thousands
# of rows for a county-wide year of a million tickets. The total, each breakdown and the monthly
# trend are sums over it in Python, so a page costs one scan of the cohort (and none when cached).
_UNIT, _TEAM, _CATEGORY, _KIND, _MONTH = range(5)


class _Cube:
    def __init__(self, rows: list[tuple[tuple[Any, ...], tuple[int, ...]]]) -> None:
        self.rows = rows
        self._by: dict[int, dict[Any, dict[Measure, int]]] = {}

    def by(self, index: int) -> dict[Any, dict[Measure, int]]:
        """Counts per value of one grouping column (callers must not change them)."""
        found = self._by.get(index)
        if found is None:
            sums: dict[Any, list[int]] = {}
            for key, values in self.rows:
                part = key[index]
                acc = sums.get(part)
                sums[part] = list(values) if acc is None else list(map(add, acc, values))
            found = {part: dict(zip(Measure, values, strict=True)) for part, values in sums.items()}
            self._by[index] = found
        return found

    def total(self) -> dict[Measure, int]:
        total: dict[Measure, int] = {}
        for counts in self.by(_KIND).values():
            _add(total, counts)
        return total


def _scope_key(scope: StatsScope) -> Hashable:
    return (scope.unit_id, scope.team_id, scope.category_id, scope.kind, scope.allowed_team_ids)


def _cube(
    session: Session, scope: StatsScope, period: Period, *, formula: Formula, now: datetime
) -> _Cube:
    month = local_month(session, col(Ticket.created_at))
    keys = [
        col(Ticket.unit_id),
        col(Ticket.team_id),
        col(Ticket.category_id),
        col(Ticket.kind),
        month,
    ]
    statement = (
        select(*keys, *_sums(formula, now, Measure))
        .where(*cohort_clauses(session, scope, period))
        .group_by(*keys)
    )

    def load() -> _Cube:
        rows = []
        for row in session.execute(statement).all():
            unit_id, team_id, category_id, kind, month_value = row[:5]
            key = (unit_id, team_id, category_id, str(kind), month_key(month_value))
            rows.append((key, tuple(int(v or 0) for v in row[5:])))
        return _Cube(rows)

    key = ("cube", _scope_key(scope), period.utc_bounds(), formula)
    return cache.cached(session, key, now, load)


def _add(total: dict[Measure, int], part: Mapping[Measure, int]) -> None:
    for measure, value in part.items():
        total[measure] = total.get(measure, 0) + value


def _row_scope_label(scope: StatsScope, label: str) -> str:
    return label if scope.label == label else f"{scope.label} · {label}"


def _root_unit(session: Session, scope: StatsScope) -> Unit | None:
    if scope.unit_id is not None:
        return session.get(Unit, scope.unit_id)
    return unit_service.get_home_county(session)


def _subtree_units(session: Session, root: Unit) -> list[Unit]:
    prefix = f"{root.path}{root.id}/"
    return list(
        session.exec(
            select(Unit).where(or_(col(Unit.id) == root.id, col(Unit.path).like(prefix + "%")))
        ).all()
    )


def _roll_up(
    units: Sequence[Unit], targets: set[int], per_unit: Mapping[Any, Mapping[Measure, int]]
) -> dict[int, dict[Measure, int]]:
    """Sum each unit's counts into the nearest target among itself and its ancestors."""
    totals: dict[int, dict[Measure, int]] = {target: {} for target in targets}
    for unit in units:
        counts = per_unit.get(unit.id)
        if not counts:
            continue
        chain = [int(part) for part in unit.path.strip("/").split("/") if part]
        assert unit.id is not None
        owner = next((i for i in reversed([*chain, unit.id]) if i in targets), None)
        if owner is not None:
            _add(totals[owner], counts)
    return totals


def _unit_rows(
    session: Session,
    scope: StatsScope,
    period: Period,
    by: Dimension,
    *,
    formula: Formula,
    now: datetime,
) -> list[BreakdownRow]:
    root = _root_unit(session, scope)
    if root is None:
        return []
    units = _subtree_units(session, root)
    per_unit = _cube(session, scope, period, formula=formula, now=now).by(_UNIT)
    if by is Dimension.TOWNSHIP:
        targets = sorted(
            (u for u in units if u.kind in TOWNSHIP_KINDS and u.is_active),
            key=lambda u: u.code,
        )
        keep_empty = True
    else:
        targets = sorted((u for u in units if u.parent_id == root.id), key=lambda u: u.code)
        keep_empty = False
    totals = _roll_up(units, {u.id for u in targets if u.id is not None}, per_unit)
    rows = []
    for unit in targets:
        assert unit.id is not None
        counts = totals[unit.id]
        if not keep_empty and not counts.get(Measure.RECEIVED):
            continue
        rows.append(
            BreakdownRow(
                key=unit.code,
                label=unit.name,
                figures=figures_from_counts(counts),
                scope=narrowed(
                    scope,
                    label=_row_scope_label(scope, unit.name),
                    unit_id=unit.id,
                    unit_code=unit.code,
                ),
                period=period,
            )
        )
    if by is Dimension.UNIT and per_unit.get(root.id, {}).get(Measure.RECEIVED):
        # Tickets about the root unit itself (not one below it), so the rows add up.
        rows.insert(
            0,
            BreakdownRow(
                key=root.code,
                label=f"{root.name}（本级）",
                figures=figures_from_counts(per_unit[root.id]),
                scope=scope,
                period=period,
            ),
        )
    return rows


def breakdown(
    session: Session,
    scope: StatsScope,
    period: Period,
    by: Dimension,
    *,
    formula: Formula | None = None,
    now: datetime | None = None,
) -> list[BreakdownRow]:
    """The cohort split by township, unit, team, category, kind or month.

    TOWNSHIP: one row per active township or subdistrict in the scope's subtree (the county's
    when no unit is chosen), including rows with nothing received (public pages list every
    township). UNIT: the direct children of that unit with tickets (each with its subtree),
    and a 本级 row for tickets about the unit itself. TEAM / CATEGORY: rows with tickets.
    KIND: every kind. MONTH: every month of the period, bucketed in local time.
    """
    formula, now = _resolve(session, formula, now)
    if by in (Dimension.TOWNSHIP, Dimension.UNIT):
        return _unit_rows(session, scope, period, by, formula=formula, now=now)
    cube = _cube(session, scope, period, formula=formula, now=now)
    if by is Dimension.TEAM:
        grouped = cube.by(_TEAM)
        teams = session.exec(select(Team).where(col(Team.id).in_(list(grouped)))).all()
        ordered = sorted(teams, key=lambda t: (-grouped[t.id][Measure.RECEIVED], t.id or 0))
        return [
            BreakdownRow(
                key=str(team.id),
                label=team.name,
                figures=figures_from_counts(grouped[team.id]),
                scope=narrowed(scope, label=_row_scope_label(scope, team.name), team_id=team.id),
                period=period,
            )
            for team in ordered
        ]
    if by is Dimension.CATEGORY:
        grouped = cube.by(_CATEGORY)
        categories = session.exec(select(Category).where(col(Category.id).in_(list(grouped)))).all()
        ordered_categories = sorted(
            categories, key=lambda c: (-grouped[c.id][Measure.RECEIVED], c.position, c.id or 0)
        )
        return [
            BreakdownRow(
                key=str(category.id),
                label=category.name,
                figures=figures_from_counts(grouped[category.id]),
                scope=narrowed(
                    scope,
                    label=_row_scope_label(scope, category.name),
                    category_id=category.id,
                ),
                period=period,
            )
            for category in ordered_categories
        ]
    if by is Dimension.KIND:
        grouped = cube.by(_KIND)
        by_kind = {TicketKind(k): v for k, v in grouped.items()}
        kinds = [scope.kind] if scope.kind is not None else list(TicketKind)
        return [
            BreakdownRow(
                key=kind.value,
                label=KIND_LABELS[kind],
                figures=figures_from_counts(by_kind.get(kind, {})),
                scope=narrowed(scope, label=_row_scope_label(scope, KIND_LABELS[kind]), kind=kind),
                period=period,
            )
            for kind in kinds
        ]
    if by is Dimension.MONTH:
        grouped = cube.by(_MONTH)
        rows = []
        for year, number in period.months():
            key = f"{year}-{number:02d}"
            part = period.month_part(year, number)
            rows.append(
                BreakdownRow(
                    key=key,
                    label=f"{year}年{number}月",
                    figures=figures_from_counts(grouped.get(key, {})),
                    scope=scope,
                    period=part,
                )
            )
        return rows
    raise ValueError(by)  # pragma: no cover


def monthly_trend(
    session: Session, scope: StatsScope, period: Period, *, now: datetime | None = None
) -> list[tuple[str, int, int]]:
    """(label, received, answered) for each month of the period, in order; "11月" when the
    period lies within one year, else "2026年11月"."""
    formula, now = _resolve(session, None, now)
    grouped = _cube(session, scope, period, formula=formula, now=now).by(_MONTH)
    months = period.months()
    one_year = len({year for year, _ in months}) == 1
    result = []
    for year, number in months:
        counts = grouped.get(f"{year}-{number:02d}", {})
        label = f"{number}月" if one_year else f"{year}年{number}月"
        result.append((label, counts.get(Measure.RECEIVED, 0), counts.get(Measure.ANSWERED, 0)))
    return result


# --- Overdue ageing -----------------------------------------------------------------------------

# (label, fewest days overdue, most days overdue or None); calendar days.
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1–3天", 1, 3),
    ("4–7天", 4, 7),
    ("8–15天", 8, 15),
    ("16–30天", 16, 30),
    ("30天以上", 31, None),
)
AGEING_NOTE = "超期天数按自然日计算，自期限届满的次日起算"


@dataclass(frozen=True)
class _Cutoffs:
    """due < cutoff(k) ⇔ at least k calendar days overdue (local dates)."""

    today: date
    values: dict[int, datetime] = field(default_factory=dict)

    def __call__(self, days: int) -> datetime:
        if days not in self.values:
            day = self.today - timedelta(days=days - 1)
            self.values[days] = datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ).astimezone(
                UTC
            )
        return self.values[days]


def overdue_ageing(
    session: Session, scope: StatsScope, *, now: datetime | None = None
) -> list[tuple[str, int]]:
    """Open tickets past their deadline now (the resolve deadline, or the acknowledge deadline
    while 待受理), by calendar days overdue; any period, this scope. One aggregate query."""
    now = now or clock.now()
    cutoff = _Cutoffs(clock.to_local(now).date())
    status = col(Ticket.status)
    waiting = status == TicketStatus.SUBMITTED
    running = status.in_(RESOLVE_RUNNING)

    def overdue_between(fewest: int, most: int | None) -> ColumnElement[bool]:
        parts = []
        for flag, due in ((waiting, col(Ticket.ack_due_at)), (running, col(Ticket.resolve_due_at))):
            # The first bucket also takes tickets overdue since earlier today (< 1 day).
            low = due < now if fewest <= 1 else due < cutoff(fewest)
            high = true() if most is None else due >= cutoff(most + 1)
            parts.append(and_(flag, low, high))
        return or_(*parts)

    sums = [
        func.coalesce(func.sum(case((overdue_between(fewest, most), 1), else_=0)), 0)
        for _label, fewest, most in AGEING_BUCKETS
    ]
    # Only open tickets can be overdue: the status filter lets the (status, due) indexes work.
    row = session.execute(
        select(*sums)
        .select_from(Ticket)
        .where(
            status.in_([TicketStatus.SUBMITTED, *RESOLVE_RUNNING]), *scope_clauses(session, scope)
        )
    ).one()
    return [
        (label, int(value or 0)) for (label, _f, _m), value in zip(AGEING_BUCKETS, row, strict=True)
    ]
