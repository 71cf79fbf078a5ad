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
