"""Public statistics (§8): small counts suppressed, and the figure bundles citizen pages show.

Every figure a citizen page shows leaves this module as display strings only (PublicCount,
PublicRate): a template never receives a raw count, so it cannot print one by mistake.

Rules:
- a count n is shown as "<3" when 0 < n < 3. Zero is shown as "0": that nobody complained about
  a village in a period says nothing about any person, and hiding it would make every quiet
  village look like one with a complaint or two;
- a rate is shown only when its denominator is at least 3, else "—" with 样本过少不显示;
  numerators and denominators of rates are never shown;
- a count must also not be recoverable by subtraction (see guard_counts).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.core import clock
from app.core.pagination import Page
from app.stats.figures import Dimension, breakdown
from app.stats.formulas import Formula, get_formula
from app.stats.measures import RATE_LABELS, Measure, Rate, RateName, figures_from_counts
from app.stats.periods import Period
from app.stats.scope import public_scope
from app.supervision.models import Rectification, RectificationStatus
from app.unit import service as unit_service
from app.unit.models import TOWNSHIP_KINDS, Unit

SMALL_COUNT = 3
SMALL_TEXT = "<3"
HIDDEN_TEXT = "—"
RATE_NOTE = "样本过少不显示"
WITHHELD_NOTE = "为防止由合计推算出少数件数，不单独显示"

PUBLIC_COUNTS: tuple[Measure, ...] = (Measure.RECEIVED, Measure.ACCEPTED, Measure.ANSWERED)
PUBLIC_RATES: tuple[RateName, ...] = (
    RateName.RESPONSE,
    RateName.RESOLUTION,
    RateName.SATISFACTION,
)

COUNTY_REMAINDER_LABEL = "县直部门及其他"


@dataclass(frozen=True)
class PublicCount:
    """A count as the public sees it: "12", "0", "<3", or "—" when withheld (see `note`)."""

    text: str
    note: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PublicRate:
    """A rate as the public sees it: "93.5%", or "—" with 样本过少不显示."""

    label: str
    text: str
    note: str = ""

    def __str__(self) -> str:
        return self.text


def public_count(n: int) -> PublicCount:
    """A count on its own (no total it could be subtracted from)."""
    if n < 0:
        raise ValueError(n)
    if 0 < n < SMALL_COUNT:
        return PublicCount(SMALL_TEXT)
    return PublicCount(str(n))


def public_rate(rate: Rate, *, label: str = "") -> PublicRate:
    if rate.denominator < SMALL_COUNT:
        return PublicRate(label, HIDDEN_TEXT, RATE_NOTE)
    return PublicRate(label, rate.percent)


# --- Differencing ------------------------------------------------------------------------------
#
# A table shows a total and rows that add up to it (the township's villages plus a row for the
# township itself). If exactly one row says "<3", the total minus the others gives its exact
# value; two "<3" rows with 2 left over must both be 1, and so on. So for each count column we
# model what a reader who knows these rules can infer:
#   shown n → exactly n;  "<3" → 1..2;  withheld ("—") → 3..(the smallest shown non-zero row),
# because we withhold the smallest rows first; and the total is exact, 1..2 when it is "<3"
# itself, or — on a township page — whatever the county table leaves open for that township.
# A hidden cell is safe when at least two values remain possible for it given the total and the
# other cells, and the rows must not narrow down a total that is itself hidden (or the township
# page would give away what the county table withheld). While something is not safe, the
# smallest shown non-zero row is withheld too.
# Tiny tables can run out of rows to withhold (one "<3" village next to one with exactly 3, or
# a "<3" township whose two villages are both "<3"); the most a reader can then learn is the
# exact value of a cell that already says "<3".
# Each count column is guarded on its own: the relations between columns (受理 and 已答复 never
# exceed 收件) are not modelled and can, in rare edge cases, narrow a hidden cell further.

Bounds = tuple[int, int]
_State = Literal["shown", "small", "withheld"]


def count_bounds(n: int) -> Bounds:
    """What public_count(n) tells a reader about n."""
    return (1, SMALL_COUNT - 1) if 0 < n < SMALL_COUNT else (n, n)


def _cell_bounds(values: Sequence[int], states: Sequence[_State], total: Bounds) -> list[Bounds]:
    shown = [v for v, s in zip(values, states, strict=True) if s == "shown" and v > 0]
    withheld_high = min([total[1], *shown])
    bounds: list[Bounds] = []
    for value, state in zip(values, states, strict=True):
        if state == "shown":
            bounds.append((value, value))
        elif state == "small":
            bounds.append((1, SMALL_COUNT - 1))
        else:
            bounds.append((SMALL_COUNT, withheld_high))
    return bounds


def _inferred(
    values: Sequence[int], states: Sequence[_State], total: Bounds
) -> tuple[list[Bounds], Bounds]:
    """The values a reader can still consider possible for each cell and for the total."""
    bounds = _cell_bounds(values, states, total)
    low_sum = sum(low for low, _ in bounds)
    high_sum = sum(high for _, high in bounds)
    cells = [
        (max(low, total[0] - (high_sum - high)), min(high, total[1] - (low_sum - low)))
        for low, high in bounds
    ]
    return cells, (max(total[0], low_sum), min(total[1], high_sum))


def _safe(values: Sequence[int], states: Sequence[_State], total: Bounds) -> bool:
    cells, total_range = _inferred(values, states, total)
    if total_range != total:
        return False
    return all(
        most > fewest
        for (fewest, most), state in zip(cells, states, strict=True)
        if state != "shown"
    )


def guard_counts(values: Sequence[int], total: Bounds) -> list[tuple[PublicCount, Bounds]]:
    """Display each row of one count column whose rows add up to a total known within `total`;
    also return what a reader can infer about each row (the `total` of its own sub-table)."""
    states: list[_State] = ["small" if 0 < v < SMALL_COUNT else "shown" for v in values]
    while not _safe(values, states, total):
        candidates = [i for i, s in enumerate(states) if s == "shown" and values[i] > 0]
        if not candidates:
            break
        states[min(candidates, key=lambda i: (values[i], i))] = "withheld"
    cells, _total = _inferred(values, states, total)
    result = []
    for value, state, cell in zip(values, states, cells, strict=True):
        if state == "withheld":
            shown = PublicCount(HIDDEN_TEXT, WITHHELD_NOTE)
        else:
            shown = public_count(value)
        result.append((shown, cell))
    return result


# --- Figure bundles ----------------------------------------------------------------------------

Counts = Mapping[Measure, int]


@dataclass(frozen=True)
class PublicFigures:
    """收件数, 受理数, 已答复数 and 三率 of one unit (or row) for one period, for display."""

    received: PublicCount
    accepted: PublicCount
    answered: PublicCount
    rates: tuple[PublicRate, ...]  # 响应率, 解决率, 满意率


def _rates(counts: Counts) -> tuple[PublicRate, ...]:
    figures = figures_from_counts(counts)
    return tuple(public_rate(figures.rates[name], label=RATE_LABELS[name]) for name in PUBLIC_RATES)


def _bundle(counts: Counts, shown: Sequence[PublicCount]) -> PublicFigures:
    received, accepted, answered = shown
    return PublicFigures(received, accepted, answered, _rates(counts))


def public_figures(counts: Counts) -> PublicFigures:
    """A unit's figures on their own, with no total they add up to."""
    return _bundle(counts, [public_count(counts.get(m, 0)) for m in PUBLIC_COUNTS])


@dataclass(frozen=True)
class PublicRow:
    code: str  # the unit's code; "" for the remainder row
    label: str
    figures: PublicFigures
    is_unit: bool = True  # False: the remainder row (本级, 县直部门 …), not a unit of its own


@dataclass(frozen=True)
class PublicTable:
    """A unit's total and the rows that add up to it, guarded against differencing."""

    code: str
    label: str
    period: Period
    total: PublicFigures
    rows: list[PublicRow]
    # What a reader can infer about each row's counts (per PUBLIC_COUNTS), by row code.
    row_bounds: dict[str, tuple[Bounds, ...]]

    def row(self, code: str) -> PublicRow | None:
        return next((r for r in self.rows if r.is_unit and r.code == code), None)


def _add(total: dict[Measure, int], part: Counts) -> None:
    for measure, value in part.items():
        total[measure] = total.get(measure, 0) + value


def _unit_counts(
    session: Session, unit: Unit, period: Period, *, formula: Formula, now: datetime
) -> tuple[dict[Measure, int], dict[str, Counts]]:
    """The unit's counts and each direct child's (subtree) counts: one GROUP BY query."""
    rows = breakdown(
        session, public_scope(session, unit=unit), period, Dimension.UNIT, formula=formula, now=now
    )
    total: dict[Measure, int] = {}
    by_code: dict[str, Counts] = {}
    for row in rows:
        _add(total, row.figures.counts)
        if row.key != unit.code:  # the 本级 row
            by_code[row.key] = row.figures.counts
    return total, by_code


def _table(
    session: Session,
    *,
    unit: Unit,
    rows_of: Sequence[Unit],
    remainder_label: str,
    period: Period,
    total_shown: Sequence[tuple[PublicCount, Bounds]] | None,
    formula: Formula,
    now: datetime,
) -> PublicTable:
    total, by_code = _unit_counts(session, unit, period, formula=formula, now=now)
    row_counts: list[Counts] = [by_code.get(child.code, {}) for child in rows_of]
    remainder = {m: total.get(m, 0) - sum(c.get(m, 0) for c in row_counts) for m in Measure}
    cells = [*row_counts, remainder]
    if total_shown is None:
        total_shown = [
            (public_count(total.get(m, 0)), count_bounds(total.get(m, 0))) for m in PUBLIC_COUNTS
        ]
    columns = [
        guard_counts([c.get(m, 0) for c in cells], bounds)
        for m, (_shown, bounds) in zip(PUBLIC_COUNTS, total_shown, strict=True)
    ]
    rows: list[PublicRow] = []
    row_bounds: dict[str, tuple[Bounds, ...]] = {}
    for index, counts in enumerate(cells):
        shown = [column[index][0] for column in columns]
        is_unit = index < len(rows_of)
        if not is_unit and not remainder.get(Measure.RECEIVED):
            continue  # nothing about the unit itself or its offices: no row needed
        code = rows_of[index].code if is_unit else ""
        label = rows_of[index].name if is_unit else remainder_label
        rows.append(PublicRow(code, label, _bundle(counts, shown), is_unit))
        if is_unit:
            row_bounds[code] = tuple(column[index][1] for column in columns)
    return PublicTable(
        code=unit.code,
        label=unit.name,
        period=period,
        total=_bundle(total, [shown for shown, _ in total_shown]),
        rows=rows,
        row_bounds=row_bounds,
    )


def townships_of(session: Session, county: Unit) -> list[Unit]:
    return [u for u in unit_service.list_children(session, unit=county) if u.kind in TOWNSHIP_KINDS]


def county_table(
    session: Session,
    *,
    county: Unit,
    period: Period,
    formula: Formula | None = None,
    now: datetime | None = None,
) -> PublicTable:
    """The county's figures and one row per township (all of them, even with nothing)."""
    return _table(
        session,
        unit=county,
        rows_of=townships_of(session, county),
        remainder_label=COUNTY_REMAINDER_LABEL,
        period=period,
        total_shown=None,
        formula=formula or get_formula(session),
        now=now or clock.now(),
    )


def township_table(
    session: Session,
    *,
    county: Unit,
    township: Unit,
    period: Period,
    formula: Formula | None = None,
    now: datetime | None = None,
    county_figures: PublicTable | None = None,
) -> PublicTable:
    """The township's figures — exactly as its row in the county table shows them, so the two
    pages cannot be played against each other — and one row per village (community, station …)."""
    formula = formula or get_formula(session)
    now = now or clock.now()
    parent = county_figures or county_table(
        session, county=county, period=period, formula=formula, now=now
    )
    row = parent.row(township.code)
    bounds = parent.row_bounds.get(township.code)
    if row is None or bounds is None:
        raise ValueError(f"{township.code} is not a township of {county.code}")
    shown = (row.figures.received, row.figures.accepted, row.figures.answered)
    return _table(
        session,
        unit=township,
        rows_of=unit_service.list_children(session, unit=township),
        remainder_label=f"{township.name}（本级）",
        period=period,
        total_shown=list(zip(shown, bounds, strict=True)),
        formula=formula,
        now=now,
    )


def unit_figures(
    session: Session,
    *,
    unit: Unit,
    period: Period,
    formula: Formula | None = None,
    now: datetime | None = None,
) -> PublicFigures:
    """A unit page's figures (the unit's subtree), identical to what /stats shows for it."""
    formula = formula or get_formula(session)
    now = now or clock.now()
    county = unit_service.get_home_county(session)
    if county is not None and unit.id == county.id:
        return county_table(session, county=county, period=period, formula=formula, now=now).total
    parent = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    if county is not None and parent is not None:
        if parent.id == county.id and unit.kind in TOWNSHIP_KINDS:
            table = county_table(session, county=county, period=period, formula=formula, now=now)
        elif parent.kind in TOWNSHIP_KINDS and parent.parent_id == county.id:
            table = township_table(
                session, county=county, township=parent, period=period, formula=formula, now=now
            )
        else:
            table = None
        row = table.row(unit.code) if table is not None else None
        if row is not None:
            return row.figures
    # Not in any public table (an office under the county, a unit deeper down): on its own.
    total, _children = _unit_counts(session, unit, period, formula=formula, now=now)
    return public_figures(total)


# --- Rectification timeline --------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One 已销号 ledger entry as the public sees it: never the problem, people or tickets."""

    verified_on: date
    unit_name: str
    summary: str


def verified_timeline(
    session: Session,
    *,
    period: Period,
    unit: Unit | None,
    page: int = 1,
    per_page: int = 20,
) -> Page[TimelineEntry]:
    """已销号 entries with a public summary, verified within the period, about the unit's
    subtree (the county's when None), newest first. Only the three public columns are read."""
    low, high = period.utc_bounds()
    clauses = [
        col(Rectification.status) == RectificationStatus.VERIFIED,
        col(Rectification.verified_at) >= low,
        col(Rectification.verified_at) < high,
        func.trim(col(Rectification.public_summary)) != "",
        col(Unit.is_active).is_(True),
    ]
    if unit is not None:
        clauses.append(or_(col(Unit.id) == unit.id, col(Unit.path).like(f"{unit.path}{unit.id}/%")))
    total = session.exec(
        select(func.count())
        .select_from(Rectification)
        .join(Unit, col(Rectification.unit_id) == col(Unit.id))
        .where(*clauses)
    ).one()
    page = max(1, page)
    rows = session.exec(
        select(col(Rectification.verified_at), col(Unit.name), col(Rectification.public_summary))
        .join(Unit, col(Rectification.unit_id) == col(Unit.id))
        .where(*clauses)
        .order_by(col(Rectification.verified_at).desc(), col(Rectification.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        TimelineEntry(clock.to_local(verified_at).date(), name, summary.strip())
        for verified_at, name, summary in rows
        if verified_at is not None
    ]
    return Page(items=items, total=int(total), page=page, per_page=per_page)
