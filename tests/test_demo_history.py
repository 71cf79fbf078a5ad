"""A year of generated tickets: deterministic, routed, numbered after the counters, and with
timestamps and due dates that agree the way the ticket services would have left them."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app import demo_history
from app.calendar.models import DeadlineClock
from app.calendar.service import compute_due, load_calendar
from app.core import clock
from app.ticket import receipts
from app.ticket.models import (
    OPEN_STATUSES,
    Category,
    Ticket,
    TicketCounter,
    TicketKind,
    TicketStatus,
)
from app.ticket.routing import route_ticket
from app.unit.models import Unit
from tests.factories import World

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
COUNT = 600


def generate(session: Session, world: World) -> list[Ticket]:
    with clock.frozen(NOW):
        written = demo_history.seed_history(session, county=world.county, count=COUNT, now=NOW)
    assert written == COUNT
    return list(session.exec(select(Ticket).order_by(col(Ticket.id))).all())


@pytest.fixture
def tickets(session: Session, world: World) -> list[Ticket]:
    return generate(session, world)


def test_tickets_are_spread_over_the_year_and_every_unit(tickets, world):
    assert len(tickets) == COUNT
    assert all(NOW - timedelta(days=366) <= t.created_at < NOW for t in tickets)
    months = Counter((t.created_at.year, t.created_at.month) for t in tickets)
    assert len(months) >= 12
    units = {t.unit_id for t in tickets}
    assert {world.village.id, world.other_village.id, world.township.id} <= units
    assert {t.kind for t in tickets} == set(TicketKind)
    assert all(t.is_anonymous and t.identity_ciphertext is None for t in tickets)


def test_the_mix_of_statuses_is_mostly_finished_with_some_open_and_overdue(tickets):
    statuses = Counter(t.status for t in tickets)
    assert statuses[TicketStatus.CLOSED] > COUNT // 2
    for status in (
        TicketStatus.REJECTED,
        TicketStatus.MERGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.SUBMITTED,
    ):
        assert statuses[status] > 0, status
    assert any(t.reopen_count == 1 for t in tickets)
    assert any(t.return_count == 1 for t in tickets)
    assert any(t.overdue_level == 1 for t in tickets)
    ratings = Counter(t.rating for t in tickets if t.rating is not None)
    assert len(ratings) == 3


def test_each_ticket_goes_to_the_team_it_would_have_been_routed_to(session, tickets):
    for unit_id in {t.unit_id for t in tickets}:
        unit = session.get(Unit, unit_id)
        assert unit is not None
        team_id = route_ticket(session, unit=unit).team.id
        assert {t.team_id for t in tickets if t.unit_id == unit_id} == {team_id}


def test_numbers_are_unique_and_new_tickets_continue_each_days_sequence(session, tickets):
    numbers = [t.number for t in tickets]
    assert len(set(numbers)) == len(numbers)
    assert all(receipts.NUMBER_PATTERN.match(number) for number in numbers)
    assert all(re.fullmatch(r"[0-9a-f]{64}", t.receipt_code_hash) for t in tickets)
    busiest = Counter(clock.to_local(t.created_at).date() for t in tickets).most_common(1)[0]
    day, filed = busiest
    counter = session.get(TicketCounter, day)
    assert counter is not None
    assert counter.last == filed
    assert receipts.allocate_number(session, day=day) == receipts.format_number(day, filed + 1)


def test_timestamps_follow_each_other_and_due_dates_come_from_the_policies(session, tickets):
    calendar = load_calendar(session)
    codes = {c.id: c.code for c in session.exec(select(Category)).all()}
    for t in tickets:
        due = compute_due(
            session,
            kind=t.kind.value,
            category_code=codes[t.category_id],
            clock=DeadlineClock.ACKNOWLEDGE,
            start=t.created_at,
        )
        assert t.ack_due_at == due.due_at
        if t.acknowledged_at is not None:
            assert t.created_at <= t.acknowledged_at <= NOW
        if t.answered_at is not None:
            assert t.resolve_started_at is not None
            assert t.acknowledged_at <= t.resolve_started_at <= t.answered_at <= NOW
            assert t.handling_days == calendar.working_days_between(
                t.resolve_started_at, t.answered_at
            )
        if t.rated_at is not None:
            assert t.rating is not None
            assert t.resolved is not None
        if t.status == TicketStatus.CLOSED:
            assert t.closed_at is not None
            assert t.closed_reason
        if t.status == TicketStatus.MERGED:
            target = next(other for other in tickets if other.id == t.merged_into_id)
            assert target.team_id == t.team_id
            assert target.created_at <= t.created_at
        if t.status in OPEN_STATUSES:
            running = t.ack_due_at if t.status == TicketStatus.SUBMITTED else t.resolve_due_at
            assert running is not None
            assert t.overdue_level == int(running < NOW)


def test_the_same_seed_gives_the_same_history(session, world):
    def snapshot() -> list[tuple[object, ...]]:
        savepoint = session.begin_nested()
        rows = [
            (t.number, t.created_at, t.status, t.unit_id, t.category_id, t.answered_at, t.rating)
            for t in generate(session, world)
        ]
        savepoint.rollback()
        return rows

    assert snapshot() == snapshot()


def test_the_demo_adds_its_history_once(session, world):
    with clock.frozen(NOW):
        first = demo_history.seed_demo_history(session, county=world.county)
        again = demo_history.seed_demo_history(session, county=world.county)

    assert (first, again) == (demo_history.DEMO_COUNT, 0)
