"""/staff/stats and its drill-down: figures for a period and scope, every number a link, and the
drill-down listing exactly the tickets a figure counts."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core import clock
from app.stats.measures import Measure
from app.ticket.models import Rating, Ticket, TicketStatus
from app.web.backoffice import stats as stats_routes
from tests.factories import World
from tests.html import one, parse, text, texts
from tests.stats.factories import NOW, local, make_ticket, rated
from tests.web.ticket_helpers import HTMX, fragment_root
from tests.web.ticket_helpers import local as local_url

NOVEMBER = {"period": "month", "value": "2026-11"}


@dataclass
class Data:
    satisfied: Ticket  # 满意, answered on time
    unsatisfied: Ticket  # 不满意, closed
    late: Ticket  # in progress, resolve deadline passed
    waiting: Ticket  # 待受理, acknowledge deadline passed
    rejected: Ticket
    merged: Ticket
    other_team: Ticket  # 乙街道's team, 乙社区
    october: Ticket  # received the month before: outside November


def build(session, world: World) -> Data:
    created = local(2026, 11, 2)
    satisfied = rated(session, world, Rating.SATISFIED, resolved=True, handling_days=3)
    return Data(
        satisfied=satisfied,
        unsatisfied=rated(session, world, Rating.UNSATISFIED, resolved=False, handling_days=5),
        late=make_ticket(
            session,
            world,
            status=TicketStatus.IN_PROGRESS,
            acknowledged_at=created + timedelta(hours=2),
            resolve_due_at=NOW - timedelta(days=3),
        ),
        waiting=make_ticket(session, world, created=local(2026, 11, 10)),
        rejected=make_ticket(
            session,
            world,
            status=TicketStatus.REJECTED,
            acknowledged_at=created + timedelta(days=1),
        ),
        merged=make_ticket(
            session,
            world,
            status=TicketStatus.MERGED,
            merged_into_id=satisfied.id,
            acknowledged_at=created + timedelta(hours=1),
        ),
        other_team=make_ticket(session, world, unit=world.other_village, team=world.other_team),
        october=make_ticket(session, world, created=local(2026, 10, 20)),
    )


@pytest.fixture
def data(session, world) -> Data:
    return build(session, world)


@pytest.fixture(autouse=True)
def _now():
    with clock.frozen(NOW):
        yield


def stats_page(client, **params):
    return client.get("/staff/stats", params={**NOVEMBER, **params})


def count_of(page, measure: Measure) -> int:
    return int(text(one(page, f"#count-{measure.value} .stat-value")))


def drilldown_numbers(client, href: str) -> tuple[int, set[str]]:
    page = parse(client.get(local_url(href)))
    total = int(text(one(page, "#drilldown-total")))
    return total, set(texts(page, ".ticket-number"))


def test_admin_sees_the_county_figures_for_the_period(client, login_as, world, data):
    response = stats_page(login_as(world.admin))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response)
    assert text(one(page, "#stats-heading .stats-period")) == "2026年11月"
    assert text(one(page, "#stats-heading .stats-scope")) == "测试县"
    assert count_of(page, Measure.RECEIVED) == 7  # October's ticket is outside the period
    assert count_of(page, Measure.MERGED) == 1
    assert count_of(page, Measure.OPEN) == 3  # late, waiting, other team's (submitted)
    assert count_of(page, Measure.OVERDUE_OPEN) == 3
    assert text(one(page, "#median-handling .stat-value")) == "4"  # median of 3 and 5
    # 满意率: 1 of the 2 rated tickets, with both parts shown and linked.
    row = one(page, "#rate-satisfaction")
    assert text(one(row, ".rate-value")) == "50.0%"
    assert text(one(row, ".rate-numerator")) == "1"
    assert text(one(row, ".rate-denominator")) == "2"
    # A rate with nothing due shows a dash, not 0 %.
    assert text(one(page, "#rate-return .rate-value")) == "—"


def test_the_page_works_as_a_plain_get_form(client, login_as, world):
    page = parse(login_as(world.admin).get("/staff/stats"))
    form = one(page, "form#stats-filters")
    assert form["method"] == "get"
    assert form["action"].endswith("/staff/stats")
    assert form["hx-target"] == "#stats-figures"
    names = {field["name"] for field in form.select("[name]")}
    assert {"period", "value", "from", "to", "unit", "team", "category", "kind"} <= names
    # With no period chosen: the current year.
    assert text(one(page, "#stats-heading .stats-period")) == "2026年"


def test_htmx_gets_only_the_figures(client, login_as, world, data):
    response = login_as(world.admin).get(
        "/staff/stats", params={**NOVEMBER, "by": "kind"}, headers=HTMX
    )
    assert response.status_code == 200
    root = fragment_root(response)
    # The form's hidden `by` follows the tab chosen in the fragment (out of band).
    assert root["id"] == "stats-by"
    assert root["value"] == "kind"
    fragment = parse(response)
    one(fragment, "section#stats-figures")
    assert not fragment.select("#stats-filters")
    assert response.headers["Vary"] == "HX-Request"


def test_every_count_links_to_exactly_the_tickets_it_counts(client, login_as, world, data):
    client = login_as(world.admin)
    page = parse(stats_page(client))
    expected = {
        Measure.RECEIVED: [
            data.satisfied,
            data.unsatisfied,
            data.late,
            data.waiting,
            data.rejected,
            data.merged,
            data.other_team,
        ],
        Measure.MERGED: [data.merged],
        Measure.REJECTED: [data.rejected],
        Measure.RATED: [data.satisfied, data.unsatisfied],
        Measure.OVERDUE_OPEN: [data.late, data.waiting, data.other_team],
    }
    for measure in stats_routes.COUNT_MEASURES:
        href = one(page, f"#count-{measure.value} a")["href"]
        total, numbers = drilldown_numbers(client, href)
        assert total == count_of(page, measure), measure
        assert len(numbers) == total, measure
        if measure in expected:
            assert numbers == {t.number for t in expected[measure]}, measure


def test_rate_parts_link_to_their_tickets(client, login_as, world, data):
    client = login_as(world.admin)
    page = parse(stats_page(client))
    row = one(page, "#rate-satisfaction")
    total, numbers = drilldown_numbers(client, one(row, "a.rate-numerator")["href"])
    assert (total, numbers) == (1, {data.satisfied.number})
    total, numbers = drilldown_numbers(client, one(row, "a.rate-denominator")["href"])
    assert numbers == {data.satisfied.number, data.unsatisfied.number}


def test_breakdown_by_township_links_each_row_to_its_tickets(client, login_as, world, data):
    client = login_as(world.admin)
    page = parse(stats_page(client, by="township"))
    assert one(page, ".breakdown-tabs a[aria-current]")["class"] == ["by-township"]
    rows = {row["data-key"]: row for row in page.select(".breakdown-row")}
    assert set(rows) == {world.township.code, world.other_township.code}
    first = rows[world.township.code]
    assert text(one(first, ".row-label")) == "甲镇"
    assert text(one(first, ".count-received a")) == "6"
    total, numbers = drilldown_numbers(client, one(first, ".count-received a")["href"])
    assert total == 6
    assert data.other_team.number not in numbers
    other = rows[world.other_township.code]
    total, numbers = drilldown_numbers(client, one(other, ".count-received a")["href"])
    assert numbers == {data.other_team.number}


def test_breakdown_by_month_narrows_the_period_of_each_row(client, login_as, world, data):
    client = login_as(world.admin)
    page = parse(
        client.get("/staff/stats", params={"period": "year", "value": "2026", "by": "month"})
    )
    rows = {row["data-key"]: row for row in page.select(".breakdown-row")}
    assert len(rows) == 12
    october = one(rows["2026-10"], ".count-received a")
    assert text(october) == "1"
    query = parse_qs(urlsplit(october["href"]).query)
    assert (query["period"], query["value"]) == (["month"], ["2026-10"])
    assert drilldown_numbers(client, october["href"]) == (1, {data.october.number})


def test_team_lead_sees_only_their_teams_tickets(client, login_as, world, data):
    client = login_as(world.lead)
    page = parse(stats_page(client))
    assert text(one(page, "#stats-heading .stats-scope")) == "甲镇纪委"
    assert count_of(page, Measure.RECEIVED) == 6
    total, numbers = drilldown_numbers(client, one(page, "#count-received a")["href"])
    assert total == 6
    assert data.other_team.number not in numbers
    # No team picker for team roles: the scope is their own team.
    assert not page.select("#field-team")


def test_team_lead_asking_for_another_team_gets_404(client, login_as, world, data):
    client = login_as(world.lead)
    assert stats_page(client, team=str(world.other_team.id)).status_code == 404
    response = client.get(
        "/staff/stats/tickets",
        params={**NOVEMBER, "measure": "received", "team": str(world.other_team.id)},
    )
    assert response.status_code == 404
    assert stats_page(client, team=str(world.township_team.id)).status_code == 200


def test_admin_filters_by_team_unit_category_and_kind(client, login_as, world, data):
    client = login_as(world.admin)
    page = parse(stats_page(client, team=str(world.other_team.id)))
    assert count_of(page, Measure.RECEIVED) == 1
    page = parse(stats_page(client, unit=world.other_township.code))
    assert text(one(page, "#stats-heading .stats-scope")) == "乙街道"
    assert count_of(page, Measure.RECEIVED) == 1
    assert one(page, "#field-unit")["value"] == world.other_township.code
    page = parse(stats_page(client, kind="report"))
    assert count_of(page, Measure.RECEIVED) == 0


def test_bad_filters_are_explained_with_422(client, login_as, world, data):
    client = login_as(world.admin)
    response = stats_page(client, value="2026-13")
    assert response.status_code == 422
    page = parse(response)
    assert "月份" in text(one(page, "#stats-errors"))
    # The page still shows figures, for the default period.
    assert text(one(page, "#stats-heading .stats-period")) == "2026年"
    response = stats_page(client, unit="999999999999")
    assert response.status_code == 422
    assert "999999999999" in text(one(parse(response), "#stats-errors"))


def test_users_without_stats_read_are_refused(client, login_as, world):
    client = login_as(world.editor)
    assert client.get("/staff/stats").status_code == 403
    assert client.get("/staff/stats/tickets?measure=received").status_code == 403


def test_signed_out_users_are_sent_to_login(client):
    response = client.get("/staff/stats")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_drilldown_page_names_the_measure_period_and_scope(client, login_as, world, data):
    client = login_as(world.lead)
    response = client.get("/staff/stats/tickets", params={**NOVEMBER, "measure": "overdue_open"})
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "#drilldown-title")) == "超期未办数"
    assert text(one(page, "#drilldown-period")) == "2026年11月"
    assert text(one(page, "#drilldown-scope")) == "甲镇纪委"
    assert text(one(page, "#drilldown-total")) == "2"
    link = one(page, f".ticket-row a[href$='/staff/tickets/{data.waiting.number}']")
    row = link.find_parent("tr")
    assert text(one(row, ".ticket-status")) == "待受理"
    assert text(one(row, ".ticket-unit")) == "甲村"
    assert text(one(row, ".ticket-created")) == "2026-11-10"


def test_drilldown_pages_and_htmx_fragment(client, login_as, world, data, monkeypatch):
    monkeypatch.setattr(stats_routes, "PER_PAGE", 4)
    client = login_as(world.admin)
    params = {**NOVEMBER, "measure": "received"}
    first = parse(client.get("/staff/stats/tickets", params=params))
    assert len(first.select(".ticket-row")) == 4
    next_link = one(first, ".pager a[rel=next]")
    response = client.get(local_url(next_link["href"]), headers=HTMX)
    root = fragment_root(response)
    assert root["id"] == "stats-tickets"
    rest = parse(response)
    assert text(one(rest, "#drilldown-total")) == "7"
    numbers = set(texts(first, ".ticket-number")) | set(texts(rest, ".ticket-number"))
    assert len(numbers) == 7


def test_unknown_measure_is_404(client, login_as, world):
    response = login_as(world.admin).get("/staff/stats/tickets?measure=everything")
    assert response.status_code == 404


def test_notice_figures_link_to_the_notices_list(client, login_as, world):
    page = parse(stats_page(login_as(world.lead), team=str(world.township_team.id)))
    link = one(page, "#sv-notices-overdue a")
    query = parse_qs(urlsplit(link["href"]).query)
    assert urlsplit(link["href"]).path == "/staff/notices"
    assert query == {
        "overdue": ["1"],
        "team": [str(world.township_team.id)],
        "from": ["2026-11-01"],
        "to": ["2026-11-30"],
    }
    # With a unit scope the notices list cannot show the same set: plain text, no link.
    page = parse(stats_page(login_as(world.admin), unit=world.township.code))
    assert not page.select("#sv-notices-overdue a")


def test_own_level_row_of_a_unit_breakdown_is_not_linked(client, login_as, session, world, data):
    # A ticket about 甲镇 itself, not one of its villages.
    make_ticket(session, world, unit=world.township)
    client = login_as(world.admin)
    page = parse(stats_page(client, unit=world.township.code, by="unit"))
    rows = {text(one(row, ".row-label")): row for row in page.select(".breakdown-row")}
    assert set(rows) == {"甲镇（本级）", "甲村"}
    own = rows["甲镇（本级）"]
    assert text(one(own, ".count-received")) == "1"
    assert not own.select("a"), "the row's scope is the whole subtree: no exact drill-down"
    one(page, "#own-level-note")
    village = one(rows["甲村"], ".count-received a")
    assert drilldown_numbers(client, village["href"])[0] == int(text(village))


def test_supervision_figures_link_to_their_lists_with_the_same_filters(client, login_as, world):
    page = parse(stats_page(login_as(world.lead)))
    ledger = urlsplit(one(page, "#sv-rect-overdue a")["href"])
    assert ledger.path == "/staff/ledger"
    assert parse_qs(ledger.query) == {
        "status": ["overdue"],
        "from": ["2026-11-01"],
        "to": ["2026-11-30"],
    }
    inspections = urlsplit(one(page, "#sv-inspections a")["href"])
    assert inspections.path == "/staff/inspections"
    assert urlsplit(one(page, "#sv-talks a")["href"]).path == "/staff/talks"
    # The ledger filters by unit (with the units below it); talks are only listed to their
    # own team, so an admin's county figure is not linked to a list that would differ.
    page = parse(stats_page(login_as(world.admin), unit=world.township.code))
    ledger = urlsplit(one(page, "#sv-rect-found a")["href"])
    assert parse_qs(ledger.query)["unit"] == [world.township.code]
    assert not page.select("#sv-talks a")
    assert not page.select("#sv-inspections a")
