"""Every rate on a hand-built set of tickets with known answers, the formula switches, the
cohort rule, scopes, and drill-downs that list exactly the tickets a figure counts.

Every test runs twice: with each ticket counted one by one, and with the settled tickets read
from the tally (app.stats.tally) — the drill-downs, always counted from the tickets, then check
the tally against the tickets for every measure and formula."""

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from app.stats import cache, tally
from app.stats import figures as stats_figures
from app.stats.figures import (
    Dimension,
    breakdown,
    drilldown,
    median_of_histogram,
    monthly_trend,
    overdue_ageing,
    ticket_figures,
)
from app.stats.formulas import Formula
from app.stats.measures import RATE_PARTS, Measure, Rate, RateName
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.ticket.models import Rating, Ticket, TicketKind, TicketStatus
from tests.factories import World
from tests.stats.factories import NOW, category, local, make_ticket, rated

NOVEMBER = Period.month(2026, 11)


@pytest.fixture(autouse=True, params=["live", "tallied"])
def counting(request, monkeypatch) -> str:
    """ "tallied": before each figure is computed, every settled ticket goes into the tally."""
    if request.param == "tallied":
        resolve = stats_figures._resolve

        def tally_then_resolve(session, formula, now):
            assert tally.tally_all(session) >= 0
            cache.clear()
            return resolve(session, formula, now)

        monkeypatch.setattr(stats_figures, "_resolve", tally_then_resolve)
    return request.param


COUNTY = StatsScope(label="测试县")


@dataclass
class DataSet:
    satisfied: Ticket  # 满意, 已解决, answered on time, forwarded and returned once
    basically: Ticket  # 基本满意, 未解决, answered late
    reopened: Ticket  # 不满意 → 重办, in progress again
    rejected: Ticket  # 不予受理 within the acknowledge deadline
    merged: Ticket  # duplicate merged into `satisfied`
    unacknowledged: Ticket  # 待受理, acknowledge deadline passed
    fresh: Ticket  # 待受理, acknowledge deadline still ahead
    unrated: Ticket  # closed 未评价; acknowledged late, answered on time
    late: Ticket  # in progress, resolve deadline passed


def build(session, world: World) -> DataSet:
    created = local(2026, 11, 2)
    satisfied = rated(
        session,
        world,
        Rating.SATISFIED,
        resolved=True,
        forwarded_at=created + timedelta(days=1),
        return_count=1,
        handling_days=3,
    )
    basically = rated(
        session,
        world,
        Rating.BASICALLY,
        resolved=False,
        answered_at=created + timedelta(days=16),
        handling_days=11,
    )
    reopened = rated(
        session,
        world,
        Rating.UNSATISFIED,
        resolved=False,
        status=TicketStatus.IN_PROGRESS,
        answered_at=None,
        closed_at=None,
        reopen_count=1,
        forwarded_at=created + timedelta(days=1),
        resolve_due_at=NOW + timedelta(days=10),
    )
    rejected = make_ticket(
        session,
        world,
        status=TicketStatus.REJECTED,
        acknowledged_at=created + timedelta(days=1),
        closed_at=created + timedelta(days=1),
    )
    merged = make_ticket(
        session,
        world,
        status=TicketStatus.MERGED,
        merged_into_id=satisfied.id,
        acknowledged_at=created + timedelta(hours=1),
        closed_at=created + timedelta(hours=1),
    )
    unacknowledged = make_ticket(session, world, created=local(2026, 11, 10))
    fresh = make_ticket(session, world, created=local(2026, 11, 19))
    unrated = make_ticket(
        session,
        world,
        status=TicketStatus.CLOSED,
        acknowledged_at=created + timedelta(days=3),
        resolve_started_at=created + timedelta(days=3),
        answered_at=created + timedelta(days=6),
        closed_at=created + timedelta(days=14),
        closed_reason="未评价",
        handling_days=5,
    )
    late = make_ticket(
        session,
        world,
        status=TicketStatus.IN_PROGRESS,
        acknowledged_at=created + timedelta(hours=5),
        resolve_started_at=created + timedelta(hours=5),
        resolve_due_at=NOW - timedelta(days=2),
    )
    return DataSet(
        satisfied, basically, reopened, rejected, merged, unacknowledged, fresh, unrated, late
    )


@pytest.fixture
def data(session, world) -> DataSet:
    return build(session, world)


def figures(session, formula: Formula | None = None, scope: StatsScope = COUNTY):
    return ticket_figures(session, scope, NOVEMBER, formula=formula or Formula(), now=NOW)


def test_counts_and_rates_with_the_default_formula(session, data):
    result = figures(session)
    counts = result.counts
    assert counts[Measure.RECEIVED] == 9
    assert counts[Measure.MERGED] == 1
    assert counts[Measure.REJECTED] == 1
    assert counts[Measure.ACCEPTED] == 5  # satisfied, basically, reopened, unrated, late
    assert counts[Measure.ANSWERED] == 3
    assert counts[Measure.CLOSED] == 3
    assert counts[Measure.OPEN] == 4  # reopened, unacknowledged, fresh, late
    assert counts[Measure.OVERDUE_OPEN] == 2  # unacknowledged, late

    rates = result.rates
    # Due: everything but the merged and the fresh ticket; late: the unacknowledged and
    # the unrated one (acknowledged after its deadline). The rejection counts as a response.
    assert rates[RateName.RESPONSE] == Rate(5, 7)
    # Rated: satisfied, basically and the reopened ticket by its latest rating (不满意).
    assert rates[RateName.RESOLUTION] == Rate(1, 3)
    assert rates[RateName.SATISFACTION] == Rate(2, 3)
    assert rates[RateName.SATISFACTION].percent == "66.7%"
    # Due: the three answered tickets and the open one past its deadline.
    assert rates[RateName.ON_TIME] == Rate(2, 4)
    assert rates[RateName.RETURN] == Rate(1, 2)
    assert rates[RateName.REOPEN] == Rate(1, 3)
    assert rates[RateName.DUPLICATE] == Rate(1, 9)
    assert rates[RateName.DUPLICATE].percent == "11.1%"
    assert result.median_handling_days == 5


def test_merged_duplicates_count_only_as_received_and_duplicate(session, world, data):
    """Rating or acknowledging a merged ticket (it was, before merging) changes nothing."""
    before = figures(session)
    data.merged.rating = Rating.SATISFIED
    data.merged.resolved = True
    data.merged.answered_at = data.merged.created_at + timedelta(days=1)
    data.merged.forwarded_at = data.merged.created_at
    data.merged.return_count = 2
    data.merged.reopen_count = 1
    session.add(data.merged)
    session.flush()
    assert figures(session) == before
    extra = make_ticket(session, world, status=TicketStatus.MERGED, rating=Rating.SATISFIED)
    after = figures(session)
    assert after.counts[Measure.RECEIVED] == before.counts[Measure.RECEIVED] + 1
    assert after.rates[RateName.DUPLICATE] == Rate(2, 10)
    unchanged = [m for m in Measure if m not in (Measure.RECEIVED, Measure.MERGED)]
    assert {m: after.counts[m] for m in unchanged} == {m: before.counts[m] for m in unchanged}
    assert extra.id is not None


def test_formula_switches_change_the_rates(session, data):
    strict = figures(session, Formula(satisfied_includes_basically=False))
    assert strict.rates[RateName.SATISFACTION] == Rate(1, 3)
    assert strict.rates[RateName.SATISFACTION].percent == "33.3%"

    by_rating = figures(session, Formula(resolved_from_rating=True))
    assert by_rating.rates[RateName.RESOLUTION] == Rate(2, 3)

    # Without counting rejections, the rejected ticket leaves the response rate altogether.
    no_rejections = figures(session, Formula(response_counts_rejections=False))
    assert no_rejections.rates[RateName.RESPONSE] == Rate(4, 6)

    unrated = figures(session, Formula(unrated_counts_as_satisfied=True))
    assert unrated.counts[Measure.RATED] == 4
    assert unrated.rates[RateName.SATISFACTION] == Rate(3, 4)
    assert unrated.rates[RateName.RESOLUTION] == Rate(2, 4)
    assert unrated.rates[RateName.REOPEN] == Rate(1, 4)


def test_no_rated_tickets_gives_no_rate_not_zero(session, world):
    make_ticket(session, world)
    result = figures(session)
    for name in (RateName.RESOLUTION, RateName.SATISFACTION, RateName.REOPEN):
        assert result.rates[name].value is None
        assert result.rates[name].percent == "—"
    assert result.median_handling_days is None
    empty = ticket_figures(session, COUNTY, Period.month(2025, 1), formula=Formula(), now=NOW)
    assert set(empty.counts.values()) == {0}
    assert all(rate.percent == "—" for rate in empty.rates.values())


def test_reopened_ticket_counts_by_its_latest_rating(session, world):
    ticket = rated(session, world, Rating.UNSATISFIED, resolved=False, reopen_count=1)
    assert figures(session).rates[RateName.SATISFACTION] == Rate(0, 1)
    # Re-answered and rated again: 满意 now.
    ticket.rating = Rating.SATISFIED
    ticket.resolved = True
    session.add(ticket)
    session.flush()
    result = figures(session)
    assert result.rates[RateName.SATISFACTION] == Rate(1, 1)
    assert result.rates[RateName.RESOLUTION] == Rate(1, 1)
    assert result.rates[RateName.REOPEN] == Rate(1, 1)


def test_median_of_an_even_number_is_the_mean_of_the_middle_two(session, world):
    for days in (2, 9, 4, 7):
        rated(session, world, Rating.SATISFIED, resolved=True, handling_days=days)
    # Answered before the column existed: left out, not counted as 0.
    rated(session, world, Rating.SATISFIED, resolved=True, handling_days=None)
    assert figures(session).median_handling_days == 5.5


def test_period_bounds_are_local_midnight(session, world):
    last_minute = make_ticket(session, world, created=local(2026, 11, 30, 23, 30))
    first_minute = make_ticket(session, world, created=local(2026, 11, 1, 0, 0))
    make_ticket(session, world, created=local(2026, 10, 31, 23, 59))
    make_ticket(session, world, created=local(2026, 12, 1, 0, 0))
    assert figures(session).counts[Measure.RECEIVED] == 2
    numbers = {
        t.number
        for t in drilldown(
            session, COUNTY, NOVEMBER, Measure.RECEIVED, now=NOW, formula=Formula()
        ).items
    }
    assert numbers == {last_minute.number, first_minute.number}


def test_scope_by_township_subtree_team_category_and_kind(session, world):
    make_ticket(session, world)  # 甲村 under 甲镇, 甲镇纪委
    make_ticket(session, world, unit=world.township)  # 甲镇 itself
    make_ticket(session, world, unit=world.other_village, team=world.other_team)
    make_ticket(session, world, unit=world.other_village, category_code="graft")

    def received(scope: StatsScope) -> int:
        return figures(session, scope=scope).counts[Measure.RECEIVED]

    assert received(COUNTY) == 4
    assert received(StatsScope(label="甲镇", unit_id=world.township.id)) == 2
    assert received(StatsScope(label="甲村", unit_id=world.village.id)) == 1
    assert received(StatsScope(label="乙街道", unit_id=world.other_township.id)) == 2
    assert received(StatsScope(label="乙", team_id=world.other_team.id)) == 1
    assert received(StatsScope(label="甲", team_id=world.township_team.id)) == 3
    graft = StatsScope(label="x", kind=TicketKind.REPORT)
    assert received(graft) == 1
    assert received(StatsScope(label="x", category_id=make_category_id(session, "graft"))) == 1


def make_category_id(session, code: str) -> int:
    found = category(session, code)
    assert found.id is not None
    return found.id


def test_allowed_team_ids_restrict_every_figure(session, world):
    make_ticket(session, world)
    make_ticket(session, world, unit=world.other_village, team=world.other_team)
    mine = StatsScope(label="甲", allowed_team_ids=frozenset({world.township_team.id}))
    assert figures(session, scope=mine).counts[Measure.RECEIVED] == 1
    # Asking for the other township's subtree still shows only the allowed team's tickets.
    other = replace(mine, unit_id=world.other_township.id)
    assert figures(session, scope=other).counts[Measure.RECEIVED] == 0
    nobody = StatsScope(label="无", allowed_team_ids=frozenset())
    assert figures(session, scope=nobody).counts[Measure.RECEIVED] == 0
    rows = breakdown(session, mine, NOVEMBER, Dimension.TEAM, formula=Formula(), now=NOW)
    assert [row.key for row in rows] == [str(world.township_team.id)]


@pytest.mark.parametrize(
    "formula",
    [Formula(), Formula(False, True, False, True)],
    ids=["default", "switched"],
)
def test_drilldown_lists_exactly_the_tickets_each_figure_counts(session, data, formula):
    result = figures(session, formula)
    for measure in Measure:
        page = drilldown(session, COUNTY, NOVEMBER, measure, formula=formula, now=NOW, per_page=100)
        assert page.total == result.counts[measure], measure
        assert len(page.items) == result.counts[measure], measure


def test_rate_numerators_are_subsets_of_their_denominators(session, data):
    formula = Formula(unrated_counts_as_satisfied=True)
    for name, (numerator, denominator) in RATE_PARTS.items():
        top = {
            t.id
            for t in drilldown(session, COUNTY, NOVEMBER, numerator, formula=formula, now=NOW).items
        }
        bottom = {
            t.id
            for t in drilldown(
                session, COUNTY, NOVEMBER, denominator, formula=formula, now=NOW
            ).items
        }
        assert top <= bottom, name


@pytest.mark.parametrize("by", list(Dimension))
def test_breakdown_rows_add_up_to_the_total(session, world, data, by):
    make_ticket(session, world, unit=world.other_village, team=world.other_team)
    make_ticket(session, world, unit=world.county, team=world.commission, category_code="graft")
    total = figures(session)
    rows = breakdown(session, COUNTY, NOVEMBER, by, formula=Formula(), now=NOW)
    if by is Dimension.TOWNSHIP:
        # Tickets about the county itself belong to no township.
        total = figures(session, scope=StatsScope(label="x", unit_id=world.township.id))
        other = figures(session, scope=StatsScope(label="x", unit_id=world.other_township.id))
        expected = {m: total.counts[m] + other.counts[m] for m in Measure}
    else:
        expected = dict(total.counts)
    assert {m: sum(row.figures.counts[m] for row in rows) for m in Measure} == expected
    # Each row's narrowed scope and period give the row's own figures.
    for row in rows:
        if row.label.endswith("（本级）"):
            continue
        own = ticket_figures(session, row.scope, row.period, formula=Formula(), now=NOW)
        assert own.counts == row.figures.counts, row.label


def test_township_rows_include_townships_without_tickets(session, world):
    make_ticket(session, world)
    rows = breakdown(session, COUNTY, NOVEMBER, Dimension.TOWNSHIP, formula=Formula(), now=NOW)
    assert [(row.label, row.figures.counts[Measure.RECEIVED]) for row in rows] == [
        ("甲镇", 1),
        ("乙街道", 0),
    ]
    assert rows[0].scope.unit_code == world.township.code
    assert rows[0].scope.query() == {"unit": world.township.code}


def test_unit_rows_are_the_children_with_their_subtrees(session, world):
    make_ticket(session, world)
    make_ticket(session, world, unit=world.township)
    make_ticket(session, world, unit=world.county)
    rows = breakdown(session, COUNTY, NOVEMBER, Dimension.UNIT, formula=Formula(), now=NOW)
    assert [(row.label, row.figures.counts[Measure.RECEIVED]) for row in rows] == [
        ("测试县（本级）", 1),
        ("甲镇", 2),
    ]


def test_months_are_bucketed_in_local_time(session, world):
    # 1 December 07:30 in Ninghai is still 30 November in UTC; 1 November 00:30 is 31 October.
    make_ticket(session, world, created=local(2026, 12, 1, 7, 30))
    make_ticket(session, world, created=local(2026, 11, 1, 0, 30))
    make_ticket(session, world, created=local(2026, 11, 30, 23, 30))
    make_ticket(session, world, created=local(2026, 10, 31, 23, 59))
    year = Period.year(2026)
    rows = breakdown(session, COUNTY, year, Dimension.MONTH, formula=Formula(), now=NOW)
    received = {row.key: row.figures.counts[Measure.RECEIVED] for row in rows}
    assert (received["2026-10"], received["2026-11"], received["2026-12"]) == (1, 2, 1)
    assert len(rows) == 12
    assert rows[10].period == NOVEMBER
    assert rows[10].label == "2026年11月"

    trend = monthly_trend(session, COUNTY, year, now=NOW)
    assert trend[9:] == [("10月", 1, 0), ("11月", 2, 0), ("12月", 1, 0)]
    spanning = Period.custom(local(2025, 12, 1).date(), local(2026, 1, 15).date())
    assert [label for label, _r, _a in monthly_trend(session, COUNTY, spanning, now=NOW)] == [
        "2025年12月",
        "2026年1月",
    ]


def test_month_rows_of_a_custom_period_cover_only_its_days(session, world):
    make_ticket(session, world, created=local(2026, 11, 10))
    make_ticket(session, world, created=local(2026, 11, 25))
    period = Period.custom(local(2026, 10, 20).date(), local(2026, 11, 20).date())
    rows = breakdown(session, COUNTY, period, Dimension.MONTH, formula=Formula(), now=NOW)
    assert [(row.key, row.figures.counts[Measure.RECEIVED]) for row in rows] == [
        ("2026-10", 0),
        ("2026-11", 1),
    ]
    assert rows[1].period.label == "2026年11月1日至11月20日"


def test_overdue_ageing_by_calendar_days(session, world):
    # NOW is Friday 20 November 2026, 10:00 local.
    def overdue_since(day: int, *, waiting: bool = False) -> Ticket:
        due = local(2026, 11, day, 23, 59)
        if waiting:
            return make_ticket(session, world, ack_due_at=due)
        return make_ticket(session, world, status=TicketStatus.IN_PROGRESS, resolve_due_at=due)

    overdue_since(19)  # 1 day
    overdue_since(17, waiting=True)  # 3 days
    overdue_since(16)  # 4 days
    overdue_since(5)  # 15 days
    overdue_since(4)  # 16 days
    overdue_since(1)  # 19 days
    make_ticket(session, world, status=TicketStatus.IN_PROGRESS, resolve_due_at=local(2026, 10, 1))
    # Not overdue: due tonight, answered, or paused for information.
    make_ticket(
        session, world, status=TicketStatus.IN_PROGRESS, resolve_due_at=local(2026, 11, 20, 23, 59)
    )
    make_ticket(session, world, status=TicketStatus.ANSWERED, resolve_due_at=local(2026, 11, 1))
    make_ticket(session, world, status=TicketStatus.WAITING_INFO, resolve_due_at=local(2026, 11, 1))
    ageing = overdue_ageing(session, COUNTY, now=NOW)
    assert ageing == [("1–3天", 2), ("4–7天", 1), ("8–15天", 1), ("16–30天", 2), ("30天以上", 1)]
    overdue_open = ticket_figures(
        session, COUNTY, Period.year(2026), formula=Formula(), now=NOW
    ).counts[Measure.OVERDUE_OPEN]
    assert overdue_open == sum(n for _label, n in ageing)


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ([], None),
        ([(4, 1)], 4),
        ([(2, 1), (9, 1)], 5.5),
        ([(1, 2), (3, 1), (8, 2)], 3),
        ([(1, 2), (3, 2), (8, 1), (9, 1)], 3),
        ([(1, 3), (3, 1)], 1),
        ([(1, 2), (3, 2)], 2),
    ],
)
def test_median_of_a_histogram(histogram, median):
    assert median_of_histogram(histogram) == median
