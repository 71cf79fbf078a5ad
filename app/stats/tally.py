"""The tally: every measure already summed, per local month, for tickets that can no longer change
what they count — so a county-wide year reads a few tens of thousands of rows, not every ticket.

A ticket is *settled* when its status is final (已办结, 不予受理, 已合并: no action leaves them) and
its response is decided (acknowledged, merged, or no acknowledge deadline). Every measure_clause
of a settled ticket then has one value whatever `now` is (only open tickets can become due or
overdue), so its sums can be stored. Measures that read a formula choice keep one column per
combination of the choices they read (FORMULA_CHOICES), so changing the formula needs no recount.

Figures read: the tally rows of the period's whole months + the tickets of those months that are
not tallied (open, or settled since the last tick; found through a partial index) + every ticket
of the part-months at a custom period's edges. Counted with the same measure_clause, the sum
equals counting every ticket — the tests check it for each measure and formula.

The tally stays exact because:
- `tally_batch` (run by the tick, and after seeding) takes settled, untallied tickets with a row
  lock, adds their sums and marks them `ticket.tallied`, in one transaction;
- a flush, UPDATE or DELETE through the ORM that touches a tallied ticket first takes the ticket's
  stored sums back out and unmarks it (in the same transaction), so it is counted live until the
  next tick tallies it again;
- `rebuild` (`xiaowei stats-rebuild`) recounts from scratch, for tickets edited with raw SQL.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import product
from typing import Any, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    String,
    Table,
    and_,
    case,
    delete,
    event,
    func,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col

from app.core import clock
from app.core.batching import chunks
from app.stats.formulas import FORMULA_FIELDS, Formula
from app.stats.measures import Measure, local_month, measure_clause, month_key, scope_clauses
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.ticket.models import Ticket, TicketStatus

_TICKET: Table = Ticket.__table__  # type: ignore[attr-defined]
SETTLED_STATUSES = (TicketStatus.CLOSED, TicketStatus.REJECTED, TicketStatus.MERGED)

# The formula choices each measure's clause reads (see measure_clause); every other measure
# reads none. A measure missing here would be tallied under the default formula only — the
# tally-equals-live tests over every formula catch that.
FORMULA_CHOICES: dict[Measure, tuple[str, ...]] = {
    Measure.RATED: ("unrated_counts_as_satisfied",),
    Measure.RESPONSE_DUE: ("response_counts_rejections",),
    Measure.RESPONDED_ON_TIME: ("response_counts_rejections",),
    Measure.RESOLVED: ("resolved_from_rating", "unrated_counts_as_satisfied"),
    Measure.SATISFIED: ("satisfied_includes_basically", "unrated_counts_as_satisfied"),
}

# Short names of the choices in column names (satisfied__basically1_unrated0 …).
_CHOICE_SHORT = {
    "satisfied_includes_basically": "basically",
    "resolved_from_rating": "byrating",
    "response_counts_rejections": "rejections",
    "unrated_counts_as_satisfied": "unrated",
}
assert set(_CHOICE_SHORT) == set(FORMULA_FIELDS)


@dataclass(frozen=True)
class TallyColumn:
    """One stored sum: a measure under one combination of the formula choices it reads."""

    name: str
    measure: Measure
    choices: tuple[tuple[str, bool], ...]

    def formula(self) -> Formula:
        return Formula(**dict(self.choices))


def _columns() -> tuple[TallyColumn, ...]:
    columns = []
    for measure in Measure:
        names = FORMULA_CHOICES.get(measure, ())
        for values in product((False, True), repeat=len(names)):
            choices = tuple(zip(names, values, strict=True))
            suffix = "_".join(f"{_CHOICE_SHORT[n]}{int(v)}" for n, v in choices)
            name = f"{measure.value}__{suffix}" if suffix else measure.value
            columns.append(TallyColumn(name, measure, choices))
    return tuple(columns)


TALLY_COLUMNS = _columns()

# The median's histogram: answered settled tickets by working days to answer. Most answers take
# under a month, so days 0…30 are columns of the tally row (one SUM each reads a scope's
# histogram); the few slower answers are rows of handling_tally, by their exact days.
SHORT_HANDLING_DAYS = range(31)


def column_name(measure: Measure, formula: Formula) -> str:
    """The tally column holding `measure` counted under `formula`."""
    wanted = tuple((name, getattr(formula, name)) for name in FORMULA_CHOICES.get(measure, ()))
    return next(c.name for c in TALLY_COLUMNS if c.measure is measure and c.choices == wanted)


def _days_column(days: int) -> str:
    return f"handling_days_{days}"


def _key_columns() -> list[Column[Any]]:
    return [
        Column("month", String(7), primary_key=True),  # local month received, 'YYYY-MM'
        Column("unit_id", Integer, primary_key=True),
        Column("team_id", Integer, primary_key=True),
        Column("category_id", Integer, primary_key=True),
        Column("kind", String(20), primary_key=True),
    ]


# Derived data, rebuilt from tickets at will: no foreign keys, so units and categories stay free
# to be merged or deleted by their own rules.
ticket_tally = Table(
    "stats_ticket_tally",
    SQLModel.metadata,
    *_key_columns(),
    *(Column(c.name, Integer, nullable=False, server_default="0") for c in TALLY_COLUMNS),
    *(
        Column(_days_column(d), Integer, nullable=False, server_default="0")
        for d in SHORT_HANDLING_DAYS
    ),
)

# Answered settled tickets that took more than SHORT_HANDLING_DAYS, by their days.
handling_tally = Table(
    "stats_handling_tally",
    SQLModel.metadata,
    *_key_columns(),
    Column("handling_days", Integer, primary_key=True),
    Column("tickets", Integer, nullable=False, server_default="0"),
)


# Measures no settled ticket can be counted in (only open tickets are): their drill-downs need
# only the untallied tickets, which the partial index finds quickly.
OPEN_ONLY_MEASURES = frozenset({Measure.OPEN, Measure.OVERDUE_OPEN})


def settled_clause() -> ColumnElement[bool]:
    status = col(Ticket.status)
    return and_(
        status.in_(SETTLED_STATUSES),
        or_(
            status == TicketStatus.MERGED,
            col(Ticket.acknowledged_at).is_not(None),
            col(Ticket.ack_due_at).is_(None),
        ),
    )


def untallied_clause() -> ColumnElement[bool]:
    """Written as the partial index ix_ticket_untallied_created_at_id is, so that it is used."""
    return _TICKET.c.tallied == False  # noqa: E712 - SQL, not Python


def tallied_clause() -> ColumnElement[bool]:
    return _TICKET.c.tallied == True  # noqa: E712 - SQL, not Python


# --- Writing ------------------------------------------------------------------------------------


# How tickets are grouped, for the tally and for the statistics cube (app.stats.figures reads
# its rows by these positions): the first five columns of every grouped row, in this order.
GROUP_NAMES = ("unit_id", "team_id", "category_id", "kind", "month")


def group_columns(session: Session) -> list[Any]:
    """The ticket columns to GROUP BY, in GROUP_NAMES order (the month is the local month)."""
    return [
        col(Ticket.unit_id),
        col(Ticket.team_id),
        col(Ticket.category_id),
        col(Ticket.kind),
        local_month(session, col(Ticket.created_at)),
    ]


def group_key(row: Sequence[Any]) -> tuple[Any, ...]:
    """A grouped row's key as the tally stores it: kind as text, the month as 'YYYY-MM'."""
    unit_id, team_id, category_id, kind, month = row[:5]
    return (unit_id, team_id, category_id, str(kind), month_key(month))


def _key(row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(GROUP_NAMES, group_key(row), strict=True))


def _add(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Add each row's counts to the stored row with its key (created when missing)."""
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    counts = [c.name for c in table.columns if not c.primary_key]
    statement = statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: table.c[name] + statement.excluded[name] for name in counts},
    )
    connection.execute(statement, rows)


def _apply(session: Session, ticket_ids: Sequence[int], sign: int) -> None:
    """Add (+1) or take out (-1) the sums of these tickets as they are stored now."""
    connection = session.connection()
    keys = group_columns(session)
    now = clock.now()  # settled tickets count the same at any time
    sums = [
        func.sum(case((measure_clause(c.measure, c.formula(), now=now), 1), else_=0))
        for c in TALLY_COLUMNS
    ]
    days = col(Ticket.handling_days)
    answered = and_(measure_clause(Measure.ANSWERED, Formula(), now=now), days.is_not(None))
    day_sums = [
        func.sum(case((and_(answered, days == d), 1), else_=0)) for d in SHORT_HANDLING_DAYS
    ]
    by_id = col(Ticket.id).in_(list(ticket_ids))
    rows = []
    statement = select(*keys, *sums, *day_sums).where(by_id).group_by(*keys)
    for row in connection.execute(statement):
        values = row[5:]
        counts = {c.name: sign * int(v or 0) for c, v in zip(TALLY_COLUMNS, values, strict=False)}
        day_counts = {
            _days_column(d): sign * int(v or 0)
            for d, v in zip(SHORT_HANDLING_DAYS, values[len(TALLY_COLUMNS) :], strict=True)
        }
        rows.append({**_key(row), **counts, **day_counts})
    _add(connection, ticket_tally, rows)
    slow = select(*keys, days, func.count()).where(by_id, answered, days > SHORT_HANDLING_DAYS[-1])
    rows = [
        {**_key(row), "handling_days": int(row[5]), "tickets": sign * int(row[6])}
        for row in connection.execute(slow.group_by(*keys, days))
    ]
    _add(connection, handling_tally, rows)


# Where a run of tally_batch calls has got to: (created_at, id) of the last ticket taken.
Position = tuple[datetime, int]


def tally_batch(
    session: Session, *, size: int = 2000, after: Position | None = None
) -> tuple[int, Position | None]:
    """Tally up to `size` settled tickets not yet tallied, in the order received, after
    `after`; returns how many and where to go on from. The caller commits after each batch
    (a first run over a large table takes many)."""
    connection = session.connection()
    position = tuple_(_TICKET.c.created_at, _TICKET.c.id)
    # Walks the partial index of untallied tickets; `after` keeps each batch from stepping
    # again over what the previous ones took (or left locked).
    pending = (
        select(_TICKET.c.id, _TICKET.c.created_at)
        .where(untallied_clause(), settled_clause())
        .order_by(_TICKET.c.created_at, _TICKET.c.id)
        .limit(size)
    )
    if after is not None:
        pending = pending.where(position > tuple_(*after))
    if connection.dialect.name == "postgresql":
        # Locked until commit, so they cannot change between being summed and being marked;
        # tickets a user is changing right now are left for the next run.
        pending = pending.with_for_update(skip_locked=True)
    rows = connection.execute(pending).all()
    if not rows:
        return 0, after
    ids = [int(row.id) for row in rows]
    _apply(session, ids, +1)
    _mark(connection, ids, tallied=True)
    return len(ids), (rows[-1].created_at, ids[-1])


def _mark(connection: Connection, ids: Sequence[int], *, tallied: bool) -> None:
    statement = update(_TICKET).where(_TICKET.c.id.in_(list(ids))).values(tallied=tallied)
    connection.execute(statement)


def untally(session: Session, ticket_ids: Iterable[int]) -> int:
    """Take these tickets out of the tally (those that are in it); how many were."""
    wanted = sorted(set(ticket_ids))
    return _untally_where(session, _TICKET.c.id.in_(wanted)) if wanted else 0


def _untally_where(session: Session, where: ColumnElement[bool]) -> int:
    connection = session.connection()
    taken_query = select(_TICKET.c.id).where(where, tallied_clause())
    if connection.dialect.name == "postgresql":
        taken_query = taken_query.with_for_update()  # the tick cannot tally them meanwhile
    taken = [int(i) for i in connection.execute(taken_query).scalars()]
    for chunk in chunks(taken):
        _apply(session, chunk, -1)
        _mark(connection, chunk, tallied=False)
    return len(taken)


def rebuild(session: Session) -> None:
    """Empty the tally and unmark every ticket; the next tally_batch runs count them again."""
    connection = session.connection()
    connection.execute(delete(ticket_tally))
    connection.execute(delete(handling_tally))
    connection.execute(update(_TICKET).where(tallied_clause()).values(tallied=False))


def tally_all(session: Session, *, commit: bool = False, size: int = 2000) -> int:
    """Tally every settled ticket; with commit=True each batch is committed (long runs)."""
    total = 0
    after: Position | None = None
    while True:
        count, after = tally_batch(session, size=size, after=after)
        if not count:
            return total
        total += count
        if commit:
            session.commit()


# Any ORM change to a tallied ticket takes it out of the tally first (see the module docstring).


@event.listens_for(OrmSession, "before_flush")
def _untally_changed_tickets(
    session: OrmSession, _flush_context: UOWTransaction, _instances: object
) -> None:
    changed = [
        obj
        for obj in (*session.dirty, *session.deleted)
        if isinstance(obj, Ticket)
        and obj.id is not None
        and (obj in session.deleted or session.is_modified(obj, include_collections=False))
    ]
    if not changed:
        return
    # The app's sessions are SQLModel sessions; these hooks see them as plain ORM sessions.
    untally(cast(Session, session), [obj.id for obj in changed if obj.id is not None])
    for obj in changed:
        set_committed_value(obj, "tallied", False)


@event.listens_for(OrmSession, "do_orm_execute")
def _untally_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    statement = state.statement
    if getattr(getattr(statement, "table", None), "name", None) != Ticket.__tablename__:
        return
    where = getattr(statement, "whereclause", None)
    _untally_where(cast(Session, state.session), true() if where is None else where)


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """How a period is counted: the tally for its whole months (first and last 'YYYY-MM', or
    None), and tickets for the rest — each live range is (low, high, only_untallied)."""

    months: tuple[str, str] | None
    live: tuple[tuple[datetime, datetime, bool], ...]


def split(period: Period) -> Split:
    low, high = period.utc_bounds()
    whole = [
        (year, month)
        for year, month in period.months()
        if period.month_part(year, month).kind == "month"
    ]
    if not whole:
        return Split(None, ((low, high, False),))
    first, last = whole[0], whole[-1]
    whole_low = Period.month(*first).utc_bounds()[0]
    whole_high = Period.month(*last).utc_bounds()[1]
    live = [(whole_low, whole_high, True)]
    if low < whole_low:
        live.append((low, whole_low, False))
    if whole_high < high:
        live.append((whole_high, high, False))
    return Split((f"{first[0]}-{first[1]:02d}", f"{last[0]}-{last[1]:02d}"), tuple(live))


def _tally_where(
    session: Session, table: Table, scope: StatsScope, months: tuple[str, str]
) -> list[ColumnElement[bool]]:
    return [
        table.c.month >= months[0],
        table.c.month <= months[1],
        *scope_clauses(session, scope, table.c),
    ]


def cube_rows(
    session: Session,
    scope: StatsScope,
    months: tuple[str, str],
    measures: Sequence[Measure],
    formula: Formula,
) -> list[tuple[tuple[Any, ...], tuple[int, ...]]]:
    """Tally rows: (key in GROUP_NAMES order, counts in `measures` order)."""
    t = ticket_tally
    columns = [t.c[column_name(m, formula)] for m in measures]
    keys = [t.c[name] for name in GROUP_NAMES]
    statement = select(*keys, *columns).where(*_tally_where(session, t, scope, months))
    # Both drivers return Python ints: no conversion (this is tens of thousands of rows).
    rows = session.connection().execute(statement).all()  # one fetchall, not a fetch per row
    return [(tuple(row[:5]), tuple(row[5:])) for row in rows]


def histogram_rows(
    session: Session, scope: StatsScope, months: tuple[str, str]
) -> list[tuple[int, int]]:
    """(handling days, tickets) from the tally, days with no tickets left out."""
    connection = session.connection()
    t = ticket_tally
    short = select(*(func.sum(t.c[_days_column(d)]) for d in SHORT_HANDLING_DAYS)).where(
        *_tally_where(session, t, scope, months)
    )
    counts = connection.execute(short).one()
    histogram = [(d, int(n)) for d, n in zip(SHORT_HANDLING_DAYS, counts, strict=True) if n]
    h = handling_tally
    slow = (
        select(h.c.handling_days, func.sum(h.c.tickets))
        .where(*_tally_where(session, h, scope, months))
        .group_by(h.c.handling_days)
    )
    histogram.extend((int(days), int(n)) for days, n in connection.execute(slow) if n)
    return histogram
