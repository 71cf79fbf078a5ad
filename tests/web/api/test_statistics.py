"""/api/v1/statistics — figures, breakdowns and drill-downs with the staff page's scoping."""

import pytest

from app.account.service import load_principal
from app.core import clock
from app.stats.formulas import update_formula
from app.stats.measures import Measure, RateName
from app.ticket.models import Rating, TicketStatus
from tests.stats.factories import NOW, local, make_ticket, rated
from tests.web.ticket_helpers import bearer

URL = "/api/v1/statistics"
NOVEMBER = {"period": "month", "value": "2026-11"}


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def tickets(session, world):
    rated(session, world, Rating.SATISFIED, resolved=True, handling_days=4)
    rated(session, world, Rating.BASICALLY, resolved=False, handling_days=6)
    make_ticket(session, world, status=TicketStatus.MERGED)
    make_ticket(session, world, unit=world.other_village, team=world.other_team)
    make_ticket(session, world, created=local(2026, 10, 31, 23, 0))
    session.commit()  # error responses roll back the request; keep the test's data


def test_admin_gets_every_figure_of_the_county(client, world, tickets):
    response = client.get(URL, params=NOVEMBER, headers=bearer(world.admin))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"]["label"] == "2026年11月"
    assert body["scope"]["label"] == "测试县"
    assert body["scope"]["team_restricted"] is False
    assert set(body["counts"]) == {m.value for m in Measure}
    assert (body["counts"]["received"], body["counts"]["merged"], body["counts"]["rated"]) == (
        4,
        1,
        2,
    )
    assert body["rates"]["satisfaction"] == {
        "label": "满意率",
        "numerator": 2,
        "denominator": 2,
        "value": 1.0,
        "percent": "100.0%",
    }
    assert body["rates"]["duplicate"]["value"] == 0.25
    assert body["median_handling_days"] == 5
    assert body["formula"]["satisfied_includes_basically"] is True
    assert any(line.startswith("满意率 = ") for line in body["formula"]["text"])
    assert set(body["supervision"]) >= {"notices_issued", "talk_persons"}
    assert body["coverage"]["units"] == 4


def test_no_rated_tickets_gives_null_and_a_dash(client, world):
    response = client.get(URL, params=NOVEMBER, headers=bearer(world.admin))

    rate = response.json()["rates"]["satisfaction"]
    assert (rate["value"], rate["percent"], rate["denominator"]) == (None, "—", 0)


def test_team_members_see_only_their_team(client, world, tickets):
    response = client.get(URL, params=NOVEMBER, headers=bearer(world.outsider_member))

    body = response.json()
    assert body["scope"]["team_restricted"] is True
    assert body["scope"]["label"] == "乙街道纪工委"
    assert body["counts"]["received"] == 1
    other = client.get(
        URL,
        params={**NOVEMBER, "team": world.township_team.id},
        headers=bearer(world.outsider_member),
    )
    assert other.status_code == 404


def test_unit_editors_are_refused(client, world):
    assert client.get(URL, headers=bearer(world.editor)).status_code == 403
    assert client.get(f"{URL}/breakdown", headers=bearer(world.editor)).status_code == 403
    assert (
        client.get(
            f"{URL}/tickets", params={"measure": "received"}, headers=bearer(world.editor)
        ).status_code
        == 403
    )


def test_signed_out_is_401(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "month", "value": "2026-13"}, "period"),
        ({"period": "custom", "from": "2026-03-01", "to": "2026-01-01"}, "period"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_bad_parameters_are_422_with_a_message(client, world, params, field):
    response = client.get(URL, params=params, headers=bearer(world.admin))

    assert response.status_code == 422
    assert response.json()["errors"][field]


def test_unknown_unit_is_404(client, world):
    response = client.get(URL, params={"unit": "nope"}, headers=bearer(world.admin))
    assert response.status_code == 404


def test_custom_period_and_unit_scope(client, world, tickets):
    params = {
        "period": "custom",
        "from": "2026-10-31",
        "to": "2026-11-30",
        "unit": world.township.code,
    }
    body = client.get(URL, params=params, headers=bearer(world.admin)).json()
    assert body["period"]["label"] == "2026年10月31日至11月30日"
    assert body["scope"]["unit"] == world.township.code
    assert body["counts"]["received"] == 4


def test_breakdown_by_township_sums_to_the_total_and_rows_carry_their_query(client, world, tickets):
    headers = bearer(world.admin)
    response = client.get(
        f"{URL}/breakdown", params={**NOVEMBER, "by": "township"}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["by_label"] == "乡镇（街道）"
    rows = body["rows"]
    assert [(row["label"], row["counts"]["received"]) for row in rows] == [
        ("甲镇", 3),
        ("乙街道", 1),
    ]
    total = client.get(URL, params=NOVEMBER, headers=headers).json()["counts"]["received"]
    assert sum(row["counts"]["received"] for row in rows) == total
    assert rows[0]["query"] == {**NOVEMBER, "unit": world.township.code}
    again = client.get(URL, params=rows[0]["query"], headers=headers).json()
    assert again["counts"] == rows[0]["counts"]


def test_breakdown_rejects_an_unknown_dimension(client, world):
    response = client.get(f"{URL}/breakdown", params={"by": "colour"}, headers=bearer(world.admin))
    assert response.status_code == 422


@pytest.mark.parametrize("measure", [Measure.RECEIVED, Measure.SATISFIED, Measure.MERGED])
def test_drilldown_lists_the_counted_tickets(client, world, tickets, measure):
    headers = bearer(world.admin)
    counts = client.get(URL, params=NOVEMBER, headers=headers).json()["counts"]
    response = client.get(
        f"{URL}/tickets", params={**NOVEMBER, "measure": measure.value}, headers=headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == counts[measure.value] == len(body["items"])
    assert body["measure_label"]
    if measure is Measure.MERGED:
        [item] = body["items"]
        assert (item["status"], item["status_label"], item["unit"]) == ("merged", "已合并", "甲村")


def test_drilldown_pages(client, world, tickets):
    response = client.get(
        f"{URL}/tickets",
        params={**NOVEMBER, "measure": "received", "per_page": 3, "page": 2},
        headers=bearer(world.admin),
    )
    body = response.json()
    assert (body["total"], body["pages"], len(body["items"])) == (4, 2, 1)


def test_drilldown_needs_a_known_measure(client, world):
    response = client.get(
        f"{URL}/tickets", params={"measure": "vibes"}, headers=bearer(world.admin)
    )
    assert response.status_code == 422


def test_rates_follow_the_stored_formula(client, session, world, tickets):
    update_formula(
        session,
        principal=load_principal(session, user=world.admin),
        satisfied_includes_basically=False,
    )
    session.commit()
    body = client.get(URL, params=NOVEMBER, headers=bearer(world.admin)).json()
    assert body["rates"][RateName.SATISFACTION]["percent"] == "50.0%"
    assert body["formula"]["satisfied_includes_basically"] is False
