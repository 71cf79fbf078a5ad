"""The statistics tally: settled tickets are summed once and read back; a tallied ticket that
changes (through the ORM, one by one or in bulk) leaves the tally at once, so figures never lag;
custom periods count their part-months from the tickets."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlmodel import Session, col

from app.stats import cache, tally
from app.stats.figures import Dimension, breakdown, drilldown, ticket_figures
from app.stats.formulas import Formula
from app.stats.measures import Measure
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.ticket.models import Rating, Ticket, TicketStatus
from tests.conftest import own_database
from tests.factories import make_world
from tests.stats.factories import NOW, local, make_ticket, rated

COUNTY = StatsScope(label="测试县")
NOVEMBER = Period.month(2026, 11)


def figures(session, period: Period = NOVEMBER, formula: Formula | None = None):
    cache.clear()
    session.info.pop(cache.MEMO_KEY, None)  # raw SQL below does not reset the request memo
    return ticket_figures(session, COUNTY, period, formula=formula or Formula(), now=NOW)


def tallied_ids(session) -> set[int]:
    return set(session.exec(select(Ticket.id).where(col(Ticket.tallied))).scalars())


def tally_sum(session, column: str) -> int:
    statement = select(func.coalesce(func.sum(tally.ticket_tally.c[column]), 0))
    return int(session.execute(statement).scalar_one())


@pytest.fixture
def tickets(session, world):
    created = local(2026, 11, 2)
    closed = rated(session, world, Rating.SATISFIED, resolved=True, handling_days=4)
    late = rated(session, world, Rating.BASICALLY, resolved=False, handling_days=45)
    rejected = make_ticket(
        session,
        world,
        status=TicketStatus.REJECTED,
        acknowledged_at=created + timedelta(days=1),
        closed_at=created + timedelta(days=1),
    )
    merged = make_ticket(
        session, world, status=TicketStatus.MERGED, merged_into_id=closed.id, ack_due_at=None
    )
    in_progress = make_ticket(
        session,
        world,
        status=TicketStatus.IN_PROGRESS,
        acknowledged_at=created + timedelta(hours=2),
        resolve_due_at=NOW - timedelta(days=3),
    )
    waiting = make_ticket(session, world)  # 待受理, past its acknowledge deadline
    return {
        "closed": closed,
        "late": late,
        "rejected": rejected,
        "merged": merged,
        "in_progress": in_progress,
        "waiting": waiting,
    }


def test_only_settled_tickets_go_into_the_tally(session, tickets):
    assert tally.tally_all(session) == 4
    settled = {tickets[name].id for name in ("closed", "late", "rejected", "merged")}
    assert tallied_ids(session) == settled
    assert tally_sum(session, "received") == 4
    assert tally_sum(session, "closed") == 2
    # Open tickets are only ever counted one by one, so their measures stay empty in the tally.
    assert tally_sum(session, Measure.OPEN.value) == 0
    assert tally_sum(session, Measure.OVERDUE_OPEN.value) == 0
    assert tally.tally_all(session) == 0  # nothing twice


def test_a_rejection_not_yet_acknowledged_waits_until_its_response_is_decided(session, world):
    # Without an acknowledgement its 应响应 depends on whether the deadline has passed yet.
    undecided = make_ticket(session, world, status=TicketStatus.REJECTED)
    assert tally.tally_all(session) == 0
    assert undecided.id not in tallied_ids(session)


def test_figures_are_the_same_counted_live_or_from_the_tally(session, tickets):
    formulas = [Formula(), Formula(False, True, False, True), Formula(True, True, True, True)]
    live = [figures(session, formula=f) for f in formulas]
    assert tally.tally_all(session) == 4
    assert [figures(session, formula=f) for f in formulas] == live
    assert live[0].median_handling_days == 24.5  # (4 + 45) / 2: one short, one long answer


def test_figures_read_the_stored_sums(session, tickets):
    tally.tally_all(session)
    before = figures(session)
    # Behind the ORM's back (raw SQL): the tally does not see it, as documented…
    session.execute(
        text("UPDATE ticket SET rating = NULL WHERE id = :id"), {"id": tickets["closed"].id}
    )
    assert figures(session) == before
    # …until the tally is rebuilt (`xiaowei stats-rebuild`).
    tally.rebuild(session)
    assert tallied_ids(session) == set()
    assert figures(session).counts[Measure.RATED] == before.counts[Measure.RATED] - 1
    tally.tally_all(session)
    assert figures(session).counts[Measure.RATED] == before.counts[Measure.RATED] - 1


def test_a_changed_tallied_ticket_leaves_the_tally_at_once(session, tickets):
    tally.tally_all(session)
    before = figures(session)
    ticket = tickets["closed"]
    ticket.rating = Rating.UNSATISFIED
    session.add(ticket)
    session.flush()
    assert ticket.id not in tallied_ids(session)
    assert ticket.tallied is False
    after = figures(session)
    assert after.counts[Measure.SATISFIED] == before.counts[Measure.SATISFIED] - 1
    assert after.counts[Measure.RATED] == before.counts[Measure.RATED]
    for measure in Measure:
        page = drilldown(session, COUNTY, NOVEMBER, measure, formula=Formula(), now=NOW)
        assert page.total == after.counts[measure], measure
    # The next tick tallies it again, with its new rating.
    assert tally.tally_all(session) == 1
    assert figures(session) == after


def test_a_deleted_tallied_ticket_leaves_the_tally(session, tickets):
    tally.tally_all(session)
    before = figures(session)
    session.delete(tickets["late"])
    session.flush()
    after = figures(session)
    assert after.counts[Measure.RECEIVED] == before.counts[Measure.RECEIVED] - 1
    assert after.median_handling_days == 4
    assert tally_sum(session, "received") == 3


def test_a_bulk_update_takes_the_tickets_it_touches_out_of_the_tally(session, world, tickets):
    tally.tally_all(session)
    other = world.other_village
    session.execute(
        update(Ticket)
        .where(col(Ticket.id).in_([tickets["closed"].id, tickets["rejected"].id]))
        .values(unit_id=other.id)
    )
    assert tallied_ids(session) == {tickets["late"].id, tickets["merged"].id}
    cache.clear()
    rows = breakdown(session, COUNTY, NOVEMBER, Dimension.TOWNSHIP, now=NOW)
    received = {row.key: row.figures.counts[Measure.RECEIVED] for row in rows}
    assert received[world.other_township.code] == 2
    assert received[world.township.code] == 4


def test_a_custom_period_counts_its_part_months_from_the_tickets(session, world):
    for day in (date(2026, 10, 14), date(2026, 10, 15), date(2026, 11, 30), date(2026, 12, 1)):
        rated(session, world, Rating.SATISFIED, resolved=True, created=local(*day.timetuple()[:3]))
    period = Period.custom(date(2026, 10, 15), date(2026, 11, 30))
    parts = tally.split(period)
    assert parts.months == ("2026-11", "2026-11")
    assert len(parts.live) == 2  # untallied tickets of November, and 15–31 October
    live = figures(session, period)
    tally.tally_all(session)
    assert figures(session, period) == live
    assert live.counts[Measure.RECEIVED] == 2


def test_a_period_of_whole_months_is_read_from_the_tally_alone(session):
    parts = tally.split(Period.quarter(2026, 4))
    assert parts.months == ("2026-10", "2026-12")
    assert [only_untallied for _low, _high, only_untallied in parts.live] == [True]
    short = tally.split(Period.custom(date(2026, 11, 3), date(2026, 11, 9)))
    assert short.months is None


def test_every_measure_and_formula_has_its_own_column():
    names = [c.name for c in tally.TALLY_COLUMNS]
    assert len(names) == len(set(names))
    for measure in Measure:
        for flags in range(16):
            formula = Formula(*(bool(flags & (1 << bit)) for bit in range(4)))
            assert tally.column_name(measure, formula) in names
    assert tally.column_name(Measure.SATISFIED, Formula()) == "satisfied__basically1_unrated0"


@pytest.mark.postgres
def test_the_tick_leaves_alone_a_ticket_someone_is_changing(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer")
    with own_database() as fresh:  # two sessions commit for real
        with Session(fresh) as setup:
            world = make_world(setup)
            changing = rated(setup, world, Rating.SATISFIED, resolved=True).id
            other = rated(setup, world, Rating.SATISFIED, resolved=True).id
            setup.commit()
        with Session(fresh) as user, Session(fresh) as tick:
            ticket = user.get(Ticket, changing)
            ticket.rating = Rating.UNSATISFIED
            user.add(ticket)
            user.flush()  # its row is now locked until the user commits
            assert tally.tally_batch(tick)[0] == 1  # only the other one, without waiting
            tick.commit()
            user.commit()
        with Session(fresh) as later:
            assert tallied_ids(later) == {other}
            assert tally.tally_all(later) == 1
            later.commit()
            counts = figures(later).counts
            assert counts[Measure.SATISFIED] == 1
            assert counts[Measure.RATED] == 2
