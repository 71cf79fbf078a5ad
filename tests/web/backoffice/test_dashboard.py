"""/staff: figures scoped to the user — county overview for admins, teams, an editor's units."""

import pytest

from app.account.models import Membership
from app.account.permissions import Role
from app.audit import service as audit_service
from app.unit.models import UnitKind
from tests import factories
from tests.html import one, parse, text, texts


def value(page, stat_id: str) -> str:
    return text(one(page, f"#{stat_id} .stat-value"))


@pytest.fixture
def richer_world(session, world):
    """World plus: an office without a team, an inactive village, and a village under 甲镇
    that has its own team (乙街道纪工委), with a hamlet below it that inherits that team."""
    factories.make_unit(session, name="县民政局", kind=UnitKind.OFFICE, parent=world.county)
    factories.make_unit(session, name="撤并村", parent=world.township, is_active=False)
    own_team = factories.make_unit(
        session, name="丙村", parent=world.township, team=world.other_team
    )
    factories.make_unit(session, name="丙村一组", kind=UnitKind.STATION, parent=own_team)
    audit_service.record(session, actor=world.admin, action="unit.updated", object_id=1)
    return world


def test_admin_sees_county_figures(client, login_as, richer_world):
    world = richer_world
    response = login_as(world.admin).get("/staff")
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "#admin-figures h2")) == "测试县概况"
    assert value(page, "stat-units-total") == "8"
    assert value(page, "stat-units-county") == "1"
    assert value(page, "stat-units-township") == "1"
    assert value(page, "stat-units-subdistrict") == "1"
    assert value(page, "stat-units-village") == "2"  # 甲村, 丙村; the inactive one is not counted
    assert value(page, "stat-units-community") == "1"
    assert value(page, "stat-units-office") == "1"
    assert value(page, "stat-units-station") == "1"
    assert not page.select("#stat-units-institution"), "kinds with no units are left out"
    assert value(page, "stat-teams") == "3"
    assert value(page, "stat-active-users") == "6"
    # The county itself and its office: neither they nor an ancestor name a team.
    assert value(page, "stat-units-without-team") == "2"
    assert value(page, "stat-audit-today") == "1"
    assert not page.select("#team-figures")
    assert not page.select("#editor-units")


def test_team_lead_sees_the_units_their_team_supervises(client, login_as, richer_world):
    world = richer_world
    page = parse(login_as(world.lead).get("/staff"))
    assert not page.select("#admin-figures")
    row = one(page, f"#team-{world.township_team.id}")
    assert text(one(row, ".team-name")).startswith("甲镇纪委")
    assert text(one(row, ".team-role")) == "监督单位负责人"
    # 甲镇 itself; 甲村 inherits; 丙村 and its hamlet belong to another team.
    assert (text(one(row, ".team-own")), text(one(row, ".team-inherited"))) == ("1", "1")
    assert text(one(row, ".team-total")) == "2"


def test_the_other_team_counts_units_set_below_another_teams_area(client, login_as, richer_world):
    world = richer_world
    page = parse(login_as(world.outsider_member).get("/staff"))
    row = one(page, f"#team-{world.other_team.id}")
    assert text(one(row, ".team-role")) == "监督单位工作人员"
    # Own: 乙街道 and 丙村; inherited: 乙社区 and 丙村一组.
    assert (text(one(row, ".team-own")), text(one(row, ".team-inherited"))) == ("2", "2")


def test_editor_sees_their_units_with_links(client, login_as, session, richer_world):
    world = richer_world
    page = parse(login_as(world.editor).get("/staff"))
    assert not page.select("#admin-figures")
    assert not page.select("#team-figures")
    link = one(page, f"#editor-unit-{world.village.id} a")
    assert text(link) == "甲村"
    assert link["href"].endswith(f"/units/{world.village.code}")
    assert not page.select(".editor-unit-descendants")


def test_editor_of_a_township_with_descendants(client, login_as, session, richer_world):
    world = richer_world
    user = factories.make_user(
        session, role=Role.UNIT_EDITOR, unit=world.township, include_descendants=True
    )
    page = parse(login_as(user).get("/staff"))
    item = one(page, f"#editor-unit-{world.township.id}")
    # 甲村, 丙村, 丙村一组 (the inactive village is not counted).
    assert text(one(item, ".editor-unit-descendants")) == "含下级单位 3 个"


def test_a_user_with_several_roles_sees_every_section(client, login_as, session, world):
    user = factories.make_user(session, role=Role.ADMIN)
    factories.make_user(session)  # an extra account only so the active count is not trivial
    session.add(Membership(user_id=user.id, role=Role.TEAM_LEAD, team_id=world.other_team.id))
    session.flush()
    page = parse(login_as(user).get("/staff"))
    one(page, "#admin-figures")
    assert texts(page, "#team-figures .team-role") == ["监督单位负责人"]
    assert value(page, "stat-active-users") == "8"


def test_every_staff_page_links_to_change_password(client, login_as, world):
    page = parse(login_as(world.member).get("/staff"))
    assert one(page, ".whoami a[href$='/staff/account/password']")


def test_admin_dashboard_warns_when_next_years_holidays_are_missing(client, login_as, world):
    from datetime import UTC, datetime

    from app.core import clock

    # chinesecalendar 1.11.0 knows 2026 but not 2027, and no overrides exist for 2027.
    with clock.frozen(datetime(2026, 11, 22, 2, 0, tzinfo=UTC)):
        admin_page = parse(login_as(world.admin).get("/staff"))
        editor_page = parse(login_as(world.editor).get("/staff"))
    assert "2027" in one(admin_page, "#calendar-warning").get_text()
    assert one(admin_page, "#calendar-warning a")["href"].endswith("/staff/calendar")
    assert editor_page.select("#calendar-warning") == []


# --- This year's statistics and charts (stats:read) ---------------------------------------------


@pytest.fixture
def tickets(session, world):
    """This year: two tickets of 甲镇's team (one rated 满意, one overdue), one of 乙街道's;
    plus one 甲镇 ticket from last year that is still overdue (ageing only)."""
    from datetime import timedelta

    from app.ticket.models import Rating, TicketStatus
    from tests.stats.factories import NOW, local, make_ticket, rated

    satisfied = rated(session, world, Rating.SATISFIED, resolved=True, handling_days=2)
    overdue = make_ticket(
        session,
        world,
        created=local(2026, 3, 5),
        status=TicketStatus.IN_PROGRESS,
        acknowledged_at=local(2026, 3, 5, 15),
        resolve_due_at=NOW - timedelta(days=10),
    )
    other = make_ticket(
        session, world, created=local(2026, 3, 9), unit=world.other_village, team=world.other_team
    )
    old = make_ticket(
        session,
        world,
        created=local(2025, 12, 1),
        status=TicketStatus.IN_PROGRESS,
        acknowledged_at=local(2025, 12, 1, 15),
        resolve_due_at=NOW - timedelta(days=40),
    )
    return {"satisfied": satisfied, "overdue": overdue, "other": other, "old": old}


@pytest.fixture
def at_now():
    """20 November 2026 (stats factories' NOW), before anyone signs in: sessions are stamped
    with the clock."""
    from app.core import clock
    from tests.stats.factories import NOW

    with clock.frozen(NOW):
        yield


def dashboard_at_now(client):
    return parse(client.get("/staff"))


def svg_values(page, chart_id: str) -> list[str]:
    return texts(page, f"svg#{chart_id} text.value")


def test_admin_dashboard_shows_this_years_county_statistics(
    client, at_now, login_as, world, tickets
):
    page = dashboard_at_now(login_as(world.admin))
    section = one(page, "#stats-overview")
    assert text(one(section, "#stats-overview-title")) == "测试县 · 2026年统计"
    assert text(one(page, "#dash-received .stat-value")) == "3"  # last year's is not counted
    assert text(one(page, "#dash-overdue .stat-value")) == "2"  # 甲镇's and 乙街道's
    satisfaction = one(page, "#dash-rate-satisfaction")
    assert text(one(satisfaction, ".stat-value")) == "100.0%"
    assert text(one(satisfaction, ".rate-denominator")) == "1"
    labels = [text(e).replace(" ", "") for e in page.select(".rate-tiles .stat .stat-label")]
    assert labels[:3] == [
        "响应率（2/3）",
        "解决率（1/1）",
        "满意率（1/1）",
    ]
    # Four charts, each an accessible SVG with a data table and a link to the statistics page.
    figures = page.select(".chart-figure")
    assert [f["id"] for f in figures] == [
        "chart-trend-figure",
        "chart-category-figure",
        "chart-township-figure",
        "chart-ageing-figure",
    ]
    for figure in figures:
        svg = one(figure, "svg")
        assert svg["role"] == "img"
        one(figure, "details.chart-data table")
        assert "/staff/stats" in one(figure, ".chart-link a")["href"]
    trend = svg_values(page, "chart-trend")
    assert len(trend) == 24
    assert trend[4:6] == ["2", "0"]  # March: received 2, answered 0
    assert trend[20:22] == ["1", "1"]  # November: the rated ticket
    # Every township of the county is listed for admins, empty ones too.
    assert texts(page, "svg#chart-township text.label") == ["甲镇", "乙街道"]
    assert svg_values(page, "chart-township") == ["2", "1"]
    # Ageing counts every open overdue ticket, also last year's: 甲镇's 10 days overdue;
    # last year's 40 days and 乙街道's unacknowledged one since March, over 30 days.
    assert texts(page, "svg#chart-ageing text.label") == [
        "1–3天",
        "4–7天",
        "8–15天",
        "16–30天",
        "30天以上",
    ]
    assert svg_values(page, "chart-ageing") == ["0", "0", "1", "0", "2"]
    links = [a["href"] for a in page.select(".chart-link a")]
    assert "by=month" in links[0]
    assert "by=category" in links[1]
    assert "by=township" in links[2]


def test_team_lead_dashboard_counts_only_their_team(client, at_now, login_as, world, tickets):
    client = login_as(world.lead)
    page = dashboard_at_now(client)
    assert text(one(page, "#stats-overview-title")) == "甲镇纪委 · 2026年统计"
    assert text(one(page, "#dash-received .stat-value")) == "2"
    # Only townships with this team's tickets are drawn.
    assert texts(page, "svg#chart-township text.label") == ["甲镇"]
    # The overdue figure links to exactly those tickets.
    from tests.web.ticket_helpers import local

    drill = parse(client.get(local(one(page, "#dash-overdue a")["href"])))
    assert text(one(drill, "#drilldown-total")) == "1"
    assert texts(drill, ".ticket-number") == [tickets["overdue"].number]


def test_empty_year_draws_no_data_charts(client, at_now, login_as, world):
    page = dashboard_at_now(login_as(world.member))
    assert texts(page, "svg#chart-trend text.empty") == ["暂无数据"]
    assert texts(page, "svg#chart-category text.empty") == ["暂无数据"]
    assert text(one(page, "#dash-rate-response .stat-value")) == "—"


def test_unit_editors_keep_their_dashboard_without_statistics(
    client, at_now, login_as, world, tickets
):
    page = dashboard_at_now(login_as(world.editor))
    assert not page.select("#stats-overview")
    assert not page.select("svg.chart")
    one(page, "#editor-units")
