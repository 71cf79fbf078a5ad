"""The statistics cache: a page's figures come from one grouped query, a repeated request
reuses it, any change to a ticket shows at once, and STATS_CACHE_SECONDS=0 turns it off."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import Session

from app.config import get_settings
from app.stats import cache
from app.stats.figures import Dimension, breakdown, monthly_trend, ticket_figures
from app.stats.formulas import Formula
from app.stats.measures import Measure
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.ticket.models import Ticket, TicketStatus
from tests.factories import World
from tests.stats.factories import NOW, make_ticket

NOVEMBER = Period.month(2026, 11)
COUNTY = StatsScope(label="测试县")
FORMULA = Formula()


@pytest.fixture
def cache_seconds(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    def set_seconds(seconds: int) -> None:
        monkeypatch.setenv("STATS_CACHE_SECONDS", str(seconds))
        get_settings.cache_clear()

    cache.clear()
    yield set_seconds
    monkeypatch.delenv("STATS_CACHE_SECONDS", raising=False)
    get_settings.cache_clear()
    cache.clear()


@contextmanager
def aggregates(session: Session) -> Iterator[list[str]]:
    """The statements that scan the ticket cohort (SUM(CASE …) or the handling-days histogram)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = statement.lower()
        if "from ticket" in text and ("sum(case" in text or "handling_days" in text):
            seen.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def page_figures(session: Session) -> tuple[int, int, list[int]]:
    """What the dashboard reads: the figures, two breakdowns and the monthly trend."""
    figures = ticket_figures(session, COUNTY, NOVEMBER, formula=FORMULA, now=NOW)
    categories = breakdown(session, COUNTY, NOVEMBER, Dimension.CATEGORY, formula=FORMULA, now=NOW)
    townships = breakdown(session, COUNTY, NOVEMBER, Dimension.TOWNSHIP, formula=FORMULA, now=NOW)
    trend = monthly_trend(session, COUNTY, NOVEMBER, now=NOW)
    assert (
        sum(row.figures.counts[Measure.RECEIVED] for row in categories)
        == (figures.counts[Measure.RECEIVED])
    )
    return (
        figures.counts[Measure.RECEIVED],
        figures.counts[Measure.OPEN],
        [row.figures.counts[Measure.RECEIVED] for row in townships] + [r for _l, r, _a in trend],
    )


def test_one_page_scans_the_tickets_once_even_without_the_cache(
    session: Session, world: World, cache_seconds: Any
) -> None:
    cache_seconds(0)
    make_ticket(session, world, handling_days=2, answered_at=NOW - timedelta(days=1))
    with aggregates(session) as seen:
        received, _open, _rows = page_figures(session)
    assert received == 1
    # The grouped aggregate and the median's histogram, once each.
    assert len(seen) == 2


def test_a_repeated_request_does_not_query_again(
    session: Session, world: World, cache_seconds: Any
) -> None:
    cache_seconds(300)
    make_ticket(session, world)
    first = page_figures(session)
    again = Session(bind=session.connection())  # another request
    with aggregates(again) as seen:
        assert page_figures(again) == first
    assert seen == []


def test_the_cache_is_off_at_zero(session: Session, world: World, cache_seconds: Any) -> None:
    cache_seconds(0)
    make_ticket(session, world)
    first = page_figures(session)
    again = Session(bind=session.connection())
    with aggregates(again) as seen:
        assert page_figures(again) == first
    assert len(seen) == 2


def test_a_change_to_a_ticket_shows_at_once(
    session: Session, world: World, cache_seconds: Any
) -> None:
    cache_seconds(300)
    ticket = make_ticket(session, world)
    received, open_count, _rows = page_figures(session)
    assert (received, open_count) == (1, 1)

    # Same updated_at (frozen clock): the flush alone invalidates.
    ticket.status = TicketStatus.REJECTED
    session.add(ticket)
    session.flush()
    assert page_figures(session)[:2] == (1, 0)

    make_ticket(session, world)
    other = Session(bind=session.connection())
    assert page_figures(other)[:2] == (2, 1)


def test_time_dependent_figures_refresh_with_the_next_time_bucket(
    session: Session, world: World, cache_seconds: Any
) -> None:
    cache_seconds(300)
    # Acknowledge deadline two days after receipt: overdue from then on.
    ticket = make_ticket(session, world, created=NOW - timedelta(days=2, minutes=1))
    before = ticket.ack_due_at - timedelta(minutes=1)
    later = ticket.ack_due_at + timedelta(minutes=10)
    counts = ticket_figures(session, COUNTY, NOVEMBER, formula=FORMULA, now=before).counts
    assert counts[Measure.OVERDUE_OPEN] == 0
    counts = ticket_figures(session, COUNTY, NOVEMBER, formula=FORMULA, now=later).counts
    assert counts[Measure.OVERDUE_OPEN] == 1


def test_a_bulk_update_of_tickets_shows_at_once(
    session: Session, world: World, cache_seconds: Any
) -> None:
    cache_seconds(300)
    make_ticket(session, world)
    assert page_figures(session)[:2] == (1, 1)
    session.execute(update(Ticket).values(status=TicketStatus.CLOSED))
    other = Session(bind=session.connection())
    assert page_figures(other)[:2] == (1, 0)


def test_the_whole_county_is_counted_without_a_unit_filter(
    session: Session, world: World, cache_seconds: Any
) -> None:
    cache_seconds(0)
    make_ticket(session, world)
    make_ticket(session, world, unit=world.county)
    county = StatsScope(label="测试县", unit_id=world.county.id)
    township = StatsScope(label="甲镇", unit_id=world.township.id)
    with aggregates(session) as seen:
        counts = ticket_figures(session, county, NOVEMBER, formula=FORMULA, now=NOW).counts
    assert counts[Measure.RECEIVED] == 2
    assert not any("unit_id in" in statement.lower() for statement in seen)
    with aggregates(session) as seen:
        counts = ticket_figures(session, township, NOVEMBER, formula=FORMULA, now=NOW).counts
    assert counts[Measure.RECEIVED] == 1
    assert all("unit_id in" in statement.lower() for statement in seen)
