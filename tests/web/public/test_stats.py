"""GET /stats and the unit pages' 监督数据: suppressed figures, period picker without JavaScript,
township drill-down, the 销号 timeline without personal data, caching that never goes stale."""

from datetime import timedelta

import pytest

from app.core import clock
from app.supervision.models import Rectification, RectificationSource, RectificationStatus
from app.ticket.models import Rating
from tests.factories import make_unit
from tests.html import one, parse, text, texts
from tests.stats.factories import NOW, rated
from tests.web.ticket_helpers import HTMX, fragment_root, local


@pytest.fixture(autouse=True)
def _november_2026():  # type: ignore[no-untyped-def]
    with clock.frozen(NOW):
        yield


def tickets(session, world, n, *, unit=None):  # type: ignore[no-untyped-def]
    for _ in range(n):
        rated(session, world, Rating.SATISFIED, resolved=True, unit=unit or world.village)


def row_cells(page, code):  # type: ignore[no-untyped-def]
    return texts(one(page, f"#breakdown-table tr[data-code='{code}']"), "td")


def summary(page):  # type: ignore[no-untyped-def]
    return [
        text(one(page, f"#stat-{name} strong")) for name in ("received", "accepted", "answered")
    ]


def test_county_page_shows_figures_rates_and_every_township(client, world, session):
    tickets(session, world, 3)

    response = client.get("/stats")

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "测试县监督数据"
    assert text(one(page, "#stats-summary-title")) == "2026年 · 测试县"
    assert summary(page) == ["3", "3", "3"]
    rates = page.select(".stats-rate")
    assert [text(one(r, ".stat-label")) for r in rates] == ["响应率", "解决率", "满意率"]
    assert [text(one(r, "strong")) for r in rates] == ["100.0%"] * 3
    # Each rate says how it is counted.
    for rate, name in zip(rates, ["响应率", "解决率", "满意率"], strict=True):
        assert text(one(rate, ".rate-definition")).startswith(f"{name} =")
    assert text(one(rates[0], ".rate-definition")) == "响应率 = 按时响应件数 ÷ 应响应件数"
    assert len(texts(page, "#stats-notes .formula-lines li")) == 3
    assert texts(page, "#breakdown-table tbody th") == ["甲镇", "乙街道"]
    assert row_cells(page, world.township.code) == ["3", "3", "3", "100.0%", "100.0%", "100.0%"]
    assert (
        row_cells(page, world.other_township.code) == ["0", "0", "0"] + ["— （样本过少不显示）"] * 3
    )
    assert "按受理时间统计" in text(one(page, "#cohort-note"))


@pytest.mark.parametrize(
    ("n", "count", "rate"), [(0, "0", "—"), (1, "<3", "—"), (2, "<3", "—"), (3, "3", "100.0%")]
)
def test_every_figure_on_the_public_pages_is_suppressed(client, world, session, n, count, rate):
    tickets(session, world, n)
    rate_cell = rate if rate != "—" else "— （样本过少不显示）"

    county = parse(client.get("/stats"))
    township = parse(client.get(f"/stats?township={world.township.code}"))
    village = parse(client.get(f"/units/{world.village.code}"))
    township_unit = parse(client.get(f"/units/{world.township.code}"))

    assert summary(county) == [count] * 3
    assert row_cells(county, world.township.code) == [count] * 3 + [rate_cell] * 3
    assert texts(county, "#breakdown-table tfoot td") == [count] * 3 + [rate_cell] * 3
    assert summary(township) == [count] * 3
    assert row_cells(township, world.village.code) == [count] * 3 + [rate_cell] * 3
    assert [text(one(r, "strong")) for r in township.select(".stats-rate")] == [rate] * 3
    for unit_page in (village, township_unit):
        assert text(one(unit_page, "#unit-stat-received strong")) == count
        assert text(one(unit_page, "#unit-stat-answered strong")) == count
        assert [text(one(r, "strong")) for r in unit_page.select(".unit-stat-rate")] == [rate] * 3
        if rate == "—":
            assert texts(unit_page, ".unit-stat-rate .stat-note") == ["样本过少不显示"] * 3


def test_township_page_lists_its_villages_and_guards_a_lone_small_one(client, world, session):
    second = make_unit(session, name="丙村", parent=world.township)
    tickets(session, world, 1)
    tickets(session, world, 5, unit=second)

    page = parse(client.get(f"/stats?township={world.township.code}"))

    assert text(one(page, "h1")) == "甲镇监督数据"
    assert texts(page, ".breadcrumbs li") == ["首页", "监督数据", "甲镇"]
    assert summary(page) == ["6", "6", "6"]
    assert row_cells(page, world.village.code)[0] == "<3"
    # 6 − 5 would reveal 甲村's single ticket, so 丙村's count is withheld too.
    assert row_cells(page, second.code)[0].startswith("—")
    village_link = one(page, f"#breakdown-table tr[data-code='{second.code}'] a")
    assert local(village_link["href"]) == f"/units/{second.code}"
    # 丙村's own page agrees with the table.
    assert (
        text(one(parse(client.get(f"/units/{second.code}")), "#unit-stat-received strong")) == "—"
    )


def test_township_rows_link_to_their_page_for_the_same_period(client, world):
    page = parse(client.get("/stats?value=2026-Q3"))

    link = one(page, f"#breakdown-table tr[data-code='{world.township.code}'] a")
    assert link["href"] == f"/stats?township={world.township.code}&period=quarter&value=2026-Q3"


@pytest.mark.parametrize("code", ["NOPE", "village", "county"])
def test_township_must_be_a_township_of_the_county(client, world, code):
    codes = {"NOPE": "NOPE", "village": world.village.code, "county": world.county.code}

    assert client.get(f"/stats?township={codes[code]}").status_code == 404


# --- Period picker -----------------------------------------------------------------------------


def test_period_picker_is_a_plain_get_form(client, world):
    page = parse(client.get("/stats"))

    form = one(page, "#period-form")
    assert form["method"] == "get"
    assert form["action"].endswith("/stats")
    select = one(form, "select[name=value]")
    assert one(select, "option[selected]")["value"] == "2026"
    values = [option["value"] for option in select.select("option")]
    assert values[:6] == ["2026", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-01"]
    assert "2026-11" in values
    assert "2026-12" not in values  # December has not begun
    assert "2022" in values
    assert one(form, "button[type=submit]")


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("value=2026-11", "2026年11月"),
        ("value=2026-Q4", "2026年第四季度"),
        ("period=quarter&value=2026-Q2", "2026年第二季度"),
        ("period=year&value=2025", "2025年"),
    ],
)
def test_the_picker_and_links_choose_a_period(client, world, session, query, label):
    tickets(session, world, 3)

    page = parse(client.get(f"/stats?{query}"))

    assert text(one(page, "#stats-summary-title")) == f"{label} · 测试县"
    expected = "3" if label in ("2026年11月", "2026年第四季度") else "0"
    assert summary(page)[0] == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("value=2027", "所选统计期尚未开始"),
        ("value=2026-13", "月份应在 1 至 12 之间"),
        ("value=abc", "月份应写作 2026-11"),
        ("period=custom&value=", "公开统计按年度、季度或月份查看"),
    ],
)
def test_a_bad_period_says_why_and_shows_this_year(client, world, query, message):
    response = client.get(f"/stats?{query}")

    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#period-error")) == message
    assert text(one(page, "#stats-summary-title")) == "2026年 · 测试县"


def test_htmx_gets_only_the_stats_body(client, world):
    response = client.get("/stats?value=2026-11", headers=HTMX)

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "stats-body"
    assert text(one(root, "#stats-summary-title")) == "2026年11月 · 测试县"
    assert "HX-Request" in response.headers["vary"]


# --- Rectification timeline --------------------------------------------------------------------


def entry(session, world, *, status, summary, days=0, unit=None):  # type: ignore[no-untyped-def]
    row = Rectification(
        team_id=world.township_team.id,
        unit_id=(unit or world.village).id,
        source=RectificationSource.TICKET,
        problem="村会计王某某挪用低保资金",
        responsible_person="王某某",
        measures="责令退还",
        deadline=NOW.date(),
        status=status,
        verification_note="核查属实",
        public_summary=summary,
        verified_at=NOW - timedelta(days=days) if status == RectificationStatus.VERIFIED else None,
    )
    session.add(row)
    session.flush()
    return row


def test_timeline_shows_only_verified_public_summaries(client, world, session):
    entry(session, world, status=RectificationStatus.VERIFIED, summary="低保资金已全部退还", days=3)
    entry(session, world, status=RectificationStatus.VERIFIED, summary="公开栏已按月更新")
    entry(session, world, status=RectificationStatus.VERIFIED, summary="")
    entry(session, world, status=RectificationStatus.SUBMITTED, summary="待验收的事项")

    page = parse(client.get("/stats"))

    entries = page.select("#timeline .timeline-entry")
    assert [text(one(e, ".timeline-summary")) for e in entries] == [
        "公开栏已按月更新",
        "低保资金已全部退还",
    ]
    assert [text(one(e, ".timeline-unit")) for e in entries] == ["甲村", "甲村"]
    assert one(entries[1], "time")["datetime"] == "2026-11-17"
    assert text(one(entries[1], "time")) == "2026年11月17日"
    visible = text(one(page, "#stats-body"))
    for secret in ("王某某", "挪用低保资金", "责令退还", "核查属实", "待验收的事项", "ST-"):
        assert secret not in visible


def test_timeline_pages_keep_township_and_period(client, world, session):
    for day in range(25):
        entry(session, world, status=RectificationStatus.VERIFIED, summary=f"事项{day}", days=day)
    entry(
        session,
        world,
        status=RectificationStatus.VERIFIED,
        summary="乙社区",
        unit=world.other_village,
    )

    page = parse(client.get(f"/stats?township={world.township.code}"))

    assert len(page.select("#timeline .timeline-entry")) == 20
    following = one(page, "#rectifications .pager a[rel=next]")
    assert following["href"] == (
        f"/stats?township={world.township.code}&period=year&value=2026&page=2"
    )
    second = parse(client.get(following["href"]))
    assert texts(second, "#timeline .timeline-summary") == [f"事项{d}" for d in range(20, 25)]
    fragment = fragment_root(client.get(following["href"], headers=HTMX))
    assert fragment["id"] == "stats-body"


# --- Layout ------------------------------------------------------------------------------------


def test_tables_scroll_inside_their_own_box_on_a_phone(client, world):
    page = parse(client.get(f"/stats?township={world.township.code}"))

    for table in page.select("table"):
        assert "table-wrap" in table.parent["class"]
    stylesheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert any(href.endswith("/css/public-stats.css") for href in stylesheets)
    assert page.select("script:not([src])") == []


# --- Unit pages and caching --------------------------------------------------------------------


def test_unit_page_links_to_the_township_figures(client, world):
    village = parse(client.get(f"/units/{world.village.code}"))
    township = parse(client.get(f"/units/{world.township.code}"))
    county = parse(client.get(f"/units/{world.county.code}"))

    assert text(one(village, "#unit-stats-title")) == "监督数据 （2026年）"
    assert (
        local(one(village, "#unit-stats-link")["href"]) == f"/stats?township={world.township.code}"
    )
    assert text(one(township, "#unit-stats-title")) == "监督数据 （2026年，含下辖单位）"
    assert (
        local(one(township, "#unit-stats-link")["href"]) == f"/stats?township={world.township.code}"
    )
    assert one(county, "#unit-stats-link")["href"].endswith("/stats")


def test_unit_page_etag_follows_the_figures(client, world, session):
    tickets(session, world, 2)
    first = client.get(f"/units/{world.village.code}")
    etag = first.headers["etag"]
    assert (
        client.get(f"/units/{world.village.code}", headers={"If-None-Match": etag}).status_code
        == 304
    )

    tickets(session, world, 1)
    again = client.get(f"/units/{world.village.code}", headers={"If-None-Match": etag})

    assert again.status_code == 200
    assert again.headers["etag"] != etag
    assert text(one(parse(again), "#unit-stat-received strong")) == "3"


def test_unit_page_etag_changes_with_the_year(client, world, session):
    etag = client.get(f"/units/{world.village.code}").headers["etag"]

    with clock.frozen(NOW + timedelta(days=60)):
        response = client.get(f"/units/{world.village.code}", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert text(one(parse(response), "#unit-stats-title")) == "监督数据 （2027年）"


def test_stats_page_revalidates_until_a_figure_changes(client, world, session):
    tickets(session, world, 3)
    first = client.get("/stats")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, max-age=60"

    assert client.get("/stats", headers={"If-None-Match": etag}).status_code == 304
    tickets(session, world, 1)
    changed = client.get("/stats", headers={"If-None-Match": etag})

    assert changed.status_code == 200
    assert summary(parse(changed)) == ["4", "4", "4"]


def test_home_page_links_to_the_statistics(client, world):
    page = parse(client.get("/"))

    assert one(page, "#stats-link")["href"].endswith("/stats")
