"""Public statistics: small counts and rates suppressed in every figure, no count recoverable by
subtracting rows from a total, and a rectification timeline without personal data."""

import itertools
import random
from datetime import timedelta

import pytest

from app.core import clock
from app.stats import public
from app.stats.measures import Rate
from app.stats.periods import Period
from app.supervision.models import Rectification, RectificationSource, RectificationStatus
from app.ticket.models import Rating, TicketStatus
from tests.factories import make_unit
from tests.stats.factories import NOW, local, make_ticket, rated

YEAR = Period.year(2026)


# --- One figure on its own ---------------------------------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [(0, "0"), (1, "<3"), (2, "<3"), (3, "3"), (17, "17")])
def test_counts_below_three_are_shown_as_less_than_three(n, shown):
    assert public.public_count(n).text == shown
    assert str(public.public_count(n)) == shown


@pytest.mark.parametrize("denominator", [0, 1, 2])
def test_rates_over_fewer_than_three_are_not_shown(denominator):
    rate = public.public_rate(Rate(denominator, denominator), label="满意率")

    assert (rate.label, rate.text, rate.note) == ("满意率", "—", "样本过少不显示")


def test_rate_over_three_is_shown_without_its_parts():
    rate = public.public_rate(Rate(2, 3), label="满意率")

    assert (rate.text, rate.note) == ("66.7%", "")
    # Only display strings travel to the template.
    assert {type(value) for value in vars(rate).values()} == {str}


# --- Differencing ------------------------------------------------------------------------------


def shown(values: list[int]) -> list[str]:
    total = public.count_bounds(sum(values))
    return [cell.text for cell, _bounds in public.guard_counts(values, total)]


def test_a_lone_small_row_takes_the_smallest_other_row_with_it():
    # Without the guard, 10 − 4 − 5 would give the first village's exact count.
    assert shown([1, 4, 5]) == ["<3", "—", "5"]
    assert shown([0, 2, 7, 9]) == ["0", "<3", "—", "9"]


def test_rows_need_no_guard_when_nothing_is_small():
    assert shown([0, 3, 8]) == ["0", "3", "8"]
    assert shown([0, 0]) == ["0", "0"]


def test_two_small_rows_with_an_ambiguous_rest_stay_as_they_are():
    # 1 + 2 = 3 left over: each of the two could be 1 or 2.
    assert shown([1, 2, 9, 9]) == ["<3", "<3", "9", "9"]


def test_two_small_rows_that_must_both_be_one_are_guarded():
    # 12 − 10 = 2 left for two "<3" rows: both would be exactly 1.
    assert shown([1, 1, 10]) == ["<3", "<3", "—"]


def _readings(displayed: list[str], total: tuple[int, int], cap: int) -> list[tuple[int, ...]]:
    """Every table a reader who knows the rules could believe in, given what is displayed."""
    shown_values = [int(t) for t in displayed if t not in ("<3", "—")]
    withheld_top = min([v for v in shown_values if v > 0], default=cap)
    choices = []
    for text in displayed:
        if text == "<3":
            choices.append(range(1, 3))
        elif text == "—":
            choices.append(range(3, withheld_top + 1))
        else:
            choices.append(range(int(text), int(text) + 1))
    return [combo for combo in itertools.product(*choices) if total[0] <= sum(combo) <= total[1]]


def test_no_small_row_can_be_worked_out_from_the_total():
    generator = random.Random(20261122)
    for _ in range(400):
        values = [
            generator.choice([0, 0, 1, 1, 2, 3, 4, 5, 7]) for _ in range(generator.randint(1, 5))
        ]
        total = public.count_bounds(sum(values))
        displayed = [cell.text for cell, _ in public.guard_counts(values, total)]
        readings = _readings(displayed, total, cap=sum(values))
        assert tuple(values) in readings
        for index, text in enumerate(displayed):
            if text != "<3":
                continue
            possible = {reading[index] for reading in readings}
            # Pinned down only when no shown row was left to withhold (tiny tables).
            assert possible == {1, 2} or not [t for t in displayed if t not in ("<3", "—", "0")], (
                values,
                displayed,
            )


def test_rows_never_narrow_down_a_hidden_total():
    generator = random.Random(7)
    for _ in range(300):
        values = [generator.choice([0, 1, 2, 3, 4, 6]) for _ in range(generator.randint(1, 4))]
        true_total = sum(values)
        if true_total < 3:
            continue
        # What the county table left open for this township: somewhere in 3..true_total + 2.
        total = (3, true_total + generator.randint(1, 2))
        displayed = [cell.text for cell, _ in public.guard_counts(values, total)]
        readings = _readings(displayed, total, cap=total[1])
        sums = {sum(reading) for reading in readings}
        assert len(sums) > 1 or not [t for t in displayed if t not in ("<3", "—", "0")], (
            values,
            total,
            displayed,
        )


# --- County, township and unit figures ---------------------------------------------------------


def tickets(session, world, n, *, unit=None):  # type: ignore[no-untyped-def]
    """n tickets received in 2026 about `unit`, accepted, answered and rated 满意."""
    return [
        rated(session, world, Rating.SATISFIED, resolved=True, unit=unit or world.village)
        for _ in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "count", "rate"), [(0, "0", "—"), (1, "<3", "—"), (2, "<3", "—"), (3, "3", "100.0%")]
)
def test_every_public_figure_is_suppressed(session, world, n, count, rate):
    tickets(session, world, n)

    with clock.frozen(NOW):
        county = public.county_table(session, county=world.county, period=YEAR)
        township = public.township_table(
            session, county=world.county, township=world.township, period=YEAR
        )
        village = public.unit_figures(session, unit=world.village, period=YEAR)
        township_page = public.unit_figures(session, unit=world.township, period=YEAR)
        county_page = public.unit_figures(session, unit=world.county, period=YEAR)

    row = county.row(world.township.code)
    village_row = township.row(world.village.code)
    assert row is not None
    assert village_row is not None
    for figures in (
        county.total,
        row.figures,
        township.total,
        village_row.figures,
        village,
        township_page,
        county_page,
    ):
        assert [figures.received.text, figures.accepted.text, figures.answered.text] == [count] * 3
        assert [r.text for r in figures.rates] == [rate] * 3
        assert [r.label for r in figures.rates] == ["响应率", "解决率", "满意率"]
        assert all(r.note == ("样本过少不显示" if rate == "—" else "") for r in figures.rates)
    # The other township has nothing: a plain zero.
    other = county.row(world.other_township.code)
    assert other is not None
    assert other.figures.received.text == "0"


def test_county_table_lists_every_township_even_without_tickets(session, world):
    with clock.frozen(NOW):
        table = public.county_table(session, county=world.county, period=YEAR)

    assert [(r.label, r.figures.received.text) for r in table.rows] == [
        ("甲镇", "0"),
        ("乙街道", "0"),
    ]


def test_township_page_cannot_be_subtracted_to_a_village(session, world):
    second = make_unit(session, name="丙村", parent=world.township)
    tickets(session, world, 1)
    tickets(session, world, 5, unit=second)

    with clock.frozen(NOW):
        table = public.township_table(
            session, county=world.county, township=world.township, period=YEAR
        )
        second_page = public.unit_figures(session, unit=second, period=YEAR)

    assert table.total.received.text == "6"
    assert [(r.label, r.figures.received.text) for r in table.rows] == [
        ("甲村", "<3"),
        ("丙村", "—"),
    ]
    withheld = table.rows[1].figures.received
    assert withheld.note == public.WITHHELD_NOTE
    # The village's own page says the same, or the two pages together would give it away.
    assert second_page.received == withheld


def test_tickets_about_the_township_itself_get_a_row_of_their_own(session, world):
    tickets(session, world, 4, unit=world.township)
    tickets(session, world, 3)

    with clock.frozen(NOW):
        table = public.township_table(
            session, county=world.county, township=world.township, period=YEAR
        )

    assert [(r.label, r.figures.received.text, r.is_unit) for r in table.rows] == [
        ("甲村", "3", True),
        ("甲镇（本级）", "4", False),
    ]


def test_township_total_matches_its_row_in_the_county_table(session, world):
    # 乙街道 has 1 ticket: the county table withholds 甲镇 (4) as well, and the township page
    # must not then print 甲镇's 4 as its total.
    tickets(session, world, 4)
    tickets(session, world, 1, unit=world.other_village)

    with clock.frozen(NOW):
        county = public.county_table(session, county=world.county, period=YEAR)
        township = public.township_table(
            session, county=world.county, township=world.township, period=YEAR
        )

    assert county.total.received.text == "5"
    assert [r.figures.received.text for r in county.rows] == ["—", "<3"]
    assert township.total.received.text == "—"
    # Nor may its villages add up to it: 甲村's 4 would give the township's 4 and so 乙街道's 1.
    assert [r.figures.received.text for r in township.rows] == ["—"]


def test_figures_count_tickets_received_in_the_period(session, world):
    tickets(session, world, 3)
    make_ticket(session, world, created=local(2025, 12, 31, 23, 0))

    with clock.frozen(NOW):
        year = public.unit_figures(session, unit=world.village, period=YEAR)
        last = public.unit_figures(session, unit=world.village, period=Period.year(2025))
        october = public.unit_figures(session, unit=world.village, period=Period.month(2026, 10))

    assert (year.received.text, last.received.text, october.received.text) == ("3", "<3", "0")


def test_merged_and_open_tickets_count_as_received_only(session, world):
    make_ticket(session, world, status=TicketStatus.MERGED)
    make_ticket(session, world)
    make_ticket(session, world)

    with clock.frozen(NOW):
        figures = public.unit_figures(session, unit=world.village, period=YEAR)

    assert (figures.received.text, figures.accepted.text, figures.answered.text) == ("3", "0", "0")


# --- Rectification timeline --------------------------------------------------------------------


def entry(session, world, *, status, summary, verified_days=0, unit=None):  # type: ignore[no-untyped-def]
    verified = (
        NOW - timedelta(days=verified_days) if status == RectificationStatus.VERIFIED else None
    )
    row = Rectification(
        team_id=world.township_team.id,
        unit_id=(unit or world.village).id,
        source=RectificationSource.TICKET,
        problem="村会计王某某挪用低保资金",
        responsible_person="王某某",
        measures="退还资金",
        deadline=NOW.date(),
        status=status,
        verification_note="经核查已退还",
        public_summary=summary,
        verified_at=verified,
    )
    session.add(row)
    session.flush()
    return row


def test_timeline_shows_verified_entries_with_a_public_summary_newest_first(session, world):
    entry(
        session,
        world,
        status=RectificationStatus.VERIFIED,
        summary="低保资金已全部退还",
        verified_days=9,
    )
    entry(
        session,
        world,
        status=RectificationStatus.VERIFIED,
        summary="公开栏已按月更新",
        verified_days=1,
    )
    entry(session, world, status=RectificationStatus.VERIFIED, summary="   ")
    entry(session, world, status=RectificationStatus.SUBMITTED, summary="整改中的事项")
    entry(session, world, status=RectificationStatus.IN_PROGRESS, summary="尚未整改")
    entry(
        session,
        world,
        status=RectificationStatus.VERIFIED,
        summary="乙社区的事项",
        unit=world.other_village,
    )

    page = public.verified_timeline(session, period=YEAR, unit=world.township)

    assert [(e.unit_name, e.summary) for e in page.items] == [
        ("甲村", "公开栏已按月更新"),
        ("甲村", "低保资金已全部退还"),
    ]
    assert page.items[0].verified_on == clock.to_local(NOW - timedelta(days=1)).date()
    assert page.total == 2
    # The entries carry the date, the unit's name and the summary, nothing else.
    assert set(vars(page.items[0])) == {"verified_on", "unit_name", "summary"}
    county = public.verified_timeline(session, period=YEAR, unit=world.county)
    assert county.total == 3
    assert public.verified_timeline(session, period=Period.year(2025), unit=None).total == 0


def test_timeline_pages(session, world):
    for days in range(5):
        entry(
            session,
            world,
            status=RectificationStatus.VERIFIED,
            summary=f"事项{days}",
            verified_days=days,
        )

    second = public.verified_timeline(session, period=YEAR, unit=world.county, page=2, per_page=2)

    assert [e.summary for e in second.items] == ["事项2", "事项3"]
    assert (second.total, second.pages) == (5, 3)
