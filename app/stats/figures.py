"""Ticket figures (§8) for a scope and period: every measure and rate, breakdowns, the monthly
trend, the median handling time, overdue ageing, and the drill-down to exactly the tickets a
figure counts (the measures themselves are in app.stats.measures).

All measures of a scope come from one grouped aggregate (_cube): the tally's rows for the
period's whole months plus the tickets not in the tally, counted with the same clauses
(app.stats.tally). Breakdowns are sums over it; Python only rolls unit rows up the unit tree.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, true
from sqlmodel import Session, col, select

from app.core import clock
from app.core.pagination import Page, paginate
from app.stats import cache, tally
from app.stats.formulas import Formula, get_formula
from app.stats.measures import (
    RESOLVE_RUNNING,
    Measure,
    TicketFigures,
    cohort_clauses,
    figures_from_counts,
    measure_clause,
    measure_sums,
    scope_clauses,
)
from app.stats.periods import Period
from app.stats.scope import StatsScope, narrowed
from app.ticket.labels import KIND_LABELS
from app.ticket.models import Category, Ticket, TicketKind, TicketStatus
from app.unit import service as unit_service
from app.unit.models import TOWNSHIP_KINDS, Team, Unit


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
    answered = measure_clause(Measure.ANSWERED, formula, now=now)
    parts = tally.split(period)

    def load() -> list[tuple[int, int]]:
        counts: dict[int, int] = {}
        if parts.months is not None:
            for value, n in tally.histogram_rows(session, scope, parts.months):
                counts[value] = counts.get(value, 0) + n
        for where in _live_clauses(session, scope, parts):
            statement = (
                select(days, func.count()).where(*where, answered, days.is_not(None)).group_by(days)
            )
            for value, n in session.execute(statement).all():
                counts[int(value)] = counts.get(int(value), 0) + int(n)
        return sorted(counts.items())

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
    if measure in tally.OPEN_ONLY_MEASURES:
        where.append(tally.untallied_clause())  # the same tickets, found by the partial index
    newest_first = (
        select(Ticket).where(*where).order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
    )
    return paginate(session, newest_first, page=page, per_page=per_page)


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


# The grouped aggregate every ticket figure is read from: the cohort's counts per (unit, team,
# category, kind, local month) — a few tens of thousands of rows for a county-wide year of a
# million tickets. The total, each breakdown and the monthly trend are sums over it in Python.
# Rows are keyed in tally.GROUP_NAMES order.
_UNIT, _TEAM, _CATEGORY, _KIND, _MONTH = range(5)


class _Cube:
    def __init__(self, rows: list[tuple[tuple[Any, ...], tuple[int, ...]]]) -> None:
        self.rows = rows
        self._by: dict[int, dict[Any, dict[Measure, int]]] = {}

    def by(self, index: int) -> dict[Any, dict[Measure, int]]:
        """Counts per value of one grouping column (callers must not change them)."""
        found = self._by.get(index)
        if found is None:
            groups: dict[Any, list[tuple[int, ...]]] = {}
            for key, values in self.rows:
                groups.setdefault(key[index], []).append(values)
            # zip(*rows) turns a group's rows into columns, summed in C.
            found = {
                part: dict(zip(Measure, map(sum, zip(*rows, strict=True)), strict=True))
                for part, rows in groups.items()
            }
            self._by[index] = found
        return found

    def total(self) -> dict[Measure, int]:
        total: dict[Measure, int] = {}
        for counts in self.by(_KIND).values():
            _add(total, counts)
        return total


def _scope_key(scope: StatsScope) -> Hashable:
    return (scope.unit_id, scope.team_id, scope.category_id, scope.kind, scope.allowed_team_ids)


def _live_clauses(
    session: Session, scope: StatsScope, parts: tally.Split
) -> list[list[ColumnElement[bool]]]:
    """WHERE clauses of each range of tickets counted one by one (see tally.split)."""
    in_scope = scope_clauses(session, scope)
    clauses = []
    for low, high, only_untallied in parts.live:
        where = [col(Ticket.created_at) >= low, col(Ticket.created_at) < high, *in_scope]
        if only_untallied:
            where.append(tally.untallied_clause())
        clauses.append(where)
    return clauses


def _cube(
    session: Session, scope: StatsScope, period: Period, *, formula: Formula, now: datetime
) -> _Cube:
    """The period's whole months from the tally, plus the tickets not in it (tally.split)."""
    keys = tally.group_columns(session)
    measures = list(Measure)
    parts = tally.split(period)

    def load() -> _Cube:
        rows = []
        if parts.months is not None:
            rows.extend(tally.cube_rows(session, scope, parts.months, measures, formula))
        for where in _live_clauses(session, scope, parts):
            statement = select(*keys, *measure_sums(formula, now, measures)).where(*where)
            for row in session.execute(statement.group_by(*keys)).all():
                rows.append((tally.group_key(row), tuple(int(v or 0) for v in row[5:])))
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
