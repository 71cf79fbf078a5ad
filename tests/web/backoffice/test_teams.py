"""/staff/teams — list, create, edit, unit assignment and members of supervising bodies."""

from urllib.parse import urlsplit

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision import numbering
from app.unit.models import Team
from tests import factories
from tests.html import one, parse, text, texts
from tests.supervision.factories import MONDAY, issued

HTMX = {"HX-Request": "true"}


def fragment_root(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page.find(True)


def local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def audit(session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def team_form(team: Team, **overrides) -> dict[str, str]:
    form = {
        "name": team.name,
        "kind": team.kind.value,
        "parent_id": str(team.parent_id or ""),
        "phone": team.phone,
        "home_unit_code": "",
        "is_active": "1",
    }
    form.update(overrides)
    return form


# --- index -------------------------------------------------------------------------------------


def test_index_lists_teams_with_counts_and_create_form(login_as, world):
    client = login_as(world.admin)

    response = client.get("/staff/teams")

    assert response.status_code == 200
    page = parse(response)
    rows = page.select("#team-table tbody tr")
    assert [text(row.select_one("td")) for row in rows] == [
        "测试县纪委监委 默认",
        "乙街道纪工委",
        "甲镇纪委",
    ]
    township_row = texts(rows[2], "td")
    assert township_row[1:] == ["乡镇（街道）纪委", "测试县纪委监委", "1", "2", "启用"]
    assert local(one(rows[2], "a")["href"]) == f"/staff/teams/{world.township_team.id}"
    form = one(page, "form#team-create-form")
    assert form["method"] == "post"
    assert local(form["action"]) == "/staff/teams"
    assert one(form, "input[name=csrf_token]")


def test_index_fragment_is_the_table(login_as, world):
    response = login_as(world.admin).get("/staff/teams", headers=HTMX)

    assert response.headers["Vary"] == "HX-Request"
    assert fragment_root(response)["id"] == "team-table"


def test_team_member_sees_only_their_team_and_no_create_form(login_as, world):
    page = parse(login_as(world.member).get("/staff/teams"))

    assert texts(page, "#team-table tbody td:first-child") == ["甲镇纪委"]
    assert page.select("#team-create-form") == []


def test_unit_editor_may_not_open_teams(login_as, world):
    assert login_as(world.editor).get("/staff/teams").status_code == 403


# --- create ------------------------------------------------------------------------------------


def test_create_without_js_redirects_to_the_new_team(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        "/staff/teams",
        data={
            "csrf_token": csrf,
            "name": "派驻第一纪检监察组",
            "kind": "dispatched",
            "parent_id": str(world.commission.id),
            "phone": "0574-1",
            "home_unit_code": "",
        },
    )

    assert response.status_code == 303
    team = session.exec(select(Team).where(Team.name == "派驻第一纪检监察组")).one()
    assert response.headers["location"] == f"/staff/teams/{team.id}"
    assert team.parent_id == world.commission.id
    (event,) = audit(session, "team.created")
    assert event.object_id == str(team.id)
    assert event.actor_id == world.admin.id


def test_create_with_htmx_navigates_by_hx_redirect(login_as, session, world, csrf):
    response = login_as(world.admin).post(
        "/staff/teams",
        data={"name": "新组", "kind": "dispatched"},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )

    team = session.exec(select(Team).where(Team.name == "新组")).one()
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/staff/teams/{team.id}"


def test_create_errors_rerender_the_form_with_422(login_as, session, world, csrf):
    response = login_as(world.admin).post(
        "/staff/teams",
        data={"csrf_token": csrf, "name": "甲镇纪委", "kind": "dispatched", "phone": "abc"},
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "team-create-form"
    assert text(one(root, "#error-name")) == "该名称已被其他监督单位使用"
    assert one(root, "#field-phone")["value"] == "abc"
    assert audit(session, "team.created") == []


def test_create_is_forbidden_to_team_lead_and_needs_csrf(login_as, session, world, csrf):
    session.commit()  # an error response rolls back the request; keep the test's users
    lead = login_as(world.lead).post(
        "/staff/teams", data={"csrf_token": csrf, "name": "越权组", "kind": "dispatched"}
    )
    no_csrf = login_as(world.admin).post(
        "/staff/teams", data={"name": "越权组", "kind": "dispatched"}
    )

    assert lead.status_code == 403
    assert no_csrf.status_code == 403
    assert session.exec(select(Team).where(Team.name == "越权组")).all() == []


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_form_units_and_members(login_as, session, world):
    factories.make_unit(session, parent=world.township)  # a second village inheriting the team
    client = login_as(world.admin)

    response = client.get(f"/staff/teams/{world.township_team.id}")

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "甲镇纪委"
    form = one(page, "form#team-form")
    assert local(form["action"]) == f"/staff/teams/{world.township_team.id}"
    assert one(form, "#field-name")["value"] == "甲镇纪委"
    assert one(form, "#field-home_unit_code")["value"] == world.township.code
    assert text(one(form, "#field-parent_id option[selected]")) == "测试县纪委监委"
    # A team cannot be its own parent, so it is not offered.
    assert "甲镇纪委" not in texts(form, "#field-parent_id option")
    units = one(page, "#team-units")
    assert texts(units, "li > a") == ["甲镇"]
    assert "另有 2 个下级单位继承" in text(units)
    assert one(units, "form#team-assign-form")
    members = one(page, "#team-members")
    assert texts(members, "li > a") == ["lead1", "member1"]
    assert local(members.select("li > a")[1]["href"]) == f"/staff/users/{world.member.id}"


def test_detail_fragment_is_the_form(login_as, world):
    response = login_as(world.admin).get(f"/staff/teams/{world.township_team.id}", headers=HTMX)

    assert fragment_root(response)["id"] == "team-form"


def test_member_sees_own_team_read_only_and_other_teams_404(login_as, session, world):
    session.commit()  # an error response rolls back the request; keep the test's users
    client = login_as(world.member)

    page = parse(client.get(f"/staff/teams/{world.township_team.id}"))
    other = client.get(f"/staff/teams/{world.other_team.id}")

    assert page.select("form#team-form") == []
    assert "测试县纪委监委" in text(one(page, "#team-form"))
    assert page.select("#team-assign-form") == []
    assert page.select("#team-members a") == []  # no user pages for team staff
    assert texts(page, "#team-members li")[0].startswith("lead1")
    assert other.status_code == 404


def test_unknown_team_is_404(login_as, world):
    assert login_as(world.admin).get("/staff/teams/999999").status_code == 404


# --- update ------------------------------------------------------------------------------------


def test_update_without_js_redirects_with_saved_notice(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/teams/{world.township_team.id}",
        data={
            "csrf_token": csrf,
            **team_form(world.township_team, phone="0574-9", home_unit_code=world.township.code),
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/teams/{world.township_team.id}?saved=1"
    assert world.township_team.phone == "0574-9"
    (event,) = audit(session, "team.updated")
    assert event.data == {"phone": {"from": "", "to": "0574-9"}}
    page = parse(client.get(response.headers["location"]))
    assert text(one(page, "#team-form .notice")) == "已保存。"


def test_update_with_htmx_rerenders_the_form(login_as, world, csrf):
    response = login_as(world.admin).post(
        f"/staff/teams/{world.township_team.id}",
        data=team_form(world.township_team, name="甲镇纪律检查委员会"),
        headers={**HTMX, "X-CSRF-Token": csrf},
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "team-form"
    assert one(root, "#field-name")["value"] == "甲镇纪律检查委员会"
    assert text(one(root, ".notice")) == "已保存。"


def test_update_refuses_a_parent_loop_with_422(login_as, session, world, csrf):
    child = factories.make_team(session, name="下级组", parent=world.township_team)

    response = login_as(world.admin).post(
        f"/staff/teams/{world.township_team.id}",
        data={"csrf_token": csrf, **team_form(world.township_team, parent_id=str(child.id))},
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "team-form"
    assert text(one(root, "#error-parent_id")) == "上级监督单位不能是本单位或其下级"
    assert text(one(root, "#field-parent_id option[selected]")) == "下级组"
    assert world.township_team.parent_id == world.commission.id
    assert audit(session, "team.updated") == []


def test_update_is_forbidden_to_lead_and_needs_csrf(login_as, session, world, csrf):
    session.commit()  # an error response rolls back the request; keep the test's users
    url = f"/staff/teams/{world.township_team.id}"
    lead = login_as(world.lead).post(
        url, data={"csrf_token": csrf, **team_form(world.township_team, phone="1")}
    )
    no_csrf = login_as(world.admin).post(url, data=team_form(world.township_team, phone="1"))
    unknown = login_as(world.admin).post(
        "/staff/teams/999999", data={"csrf_token": csrf, **team_form(world.township_team)}
    )

    assert (lead.status_code, no_csrf.status_code, unknown.status_code) == (403, 403, 404)
    assert world.township_team.phone == ""
    assert audit(session, "team.updated") == []


# --- assigning units ---------------------------------------------------------------------------


def test_assign_unit_by_code_without_js(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/teams/{world.other_team.id}/units",
        data={"csrf_token": csrf, "code": world.village.code},
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/teams/{world.other_team.id}?done=assigned"
    assert world.village.team_id == world.other_team.id
    (event,) = audit(session, "unit.updated")
    assert event.object_id == str(world.village.id)
    page = parse(client.get(response.headers["location"]))
    assert texts(page, "#team-units li > a") == ["乙街道", "甲村"]
    assert text(one(page, "#team-units .notice")) == "已分配单位。"


def test_assign_unit_with_htmx_and_errors(login_as, session, world, csrf):
    client = login_as(world.admin)
    headers = {**HTMX, "X-CSRF-Token": csrf}
    url = f"/staff/teams/{world.other_team.id}/units"

    ok = client.post(url, data={"code": world.village.code}, headers=headers)
    bad = client.post(url, data={"code": "000000000000"}, headers=headers)

    assert ok.status_code == 200
    assert fragment_root(ok)["id"] == "team-units"
    assert bad.status_code == 422
    root = fragment_root(bad)
    assert root["id"] == "team-units"
    assert text(one(root, "#error-code")) == "未找到代码为 000000000000 的单位"
    assert one(root, "#field-code")["value"] == "000000000000"
    assert len(audit(session, "unit.updated")) == 1


def test_unassign_unit_lets_it_inherit_again(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/teams/{world.township_team.id}/units/{world.township.id}/remove",
        data={"csrf_token": csrf},
    )

    assert response.status_code == 303
    assert world.township.team_id is None
    (event,) = audit(session, "unit.updated")
    assert event.data == {"team_id": {"from": world.township_team.id, "to": None}}


def test_assignment_is_admin_only_and_checks_the_pairing(login_as, session, world, csrf):
    session.commit()  # an error response rolls back the request; keep the test's users
    lead = login_as(world.lead).post(
        f"/staff/teams/{world.township_team.id}/units",
        data={"csrf_token": csrf, "code": world.other_village.code},
    )
    not_supervised = login_as(world.admin).post(
        f"/staff/teams/{world.township_team.id}/units/{world.other_township.id}/remove",
        data={"csrf_token": csrf},
    )
    no_csrf = login_as(world.admin).post(
        f"/staff/teams/{world.township_team.id}/units/{world.township.id}/remove"
    )

    assert lead.status_code == 403
    assert not_supervised.status_code == 404
    assert no_csrf.status_code == 403
    assert world.township.team_id == world.township_team.id
    assert world.other_township.team_id == world.other_team.id
    assert audit(session, "unit.updated") == []


# --- 督办文号前缀 -------------------------------------------------------------------------------


def test_detail_shows_the_prefix_and_the_next_number_with_a_form_for_admins(
    login_as, session, world
):
    with clock.frozen(MONDAY):
        issued(session, world)  # 甲纪督〔2026〕1号
        page = parse(login_as(world.admin).get(f"/staff/teams/{world.township_team.id}"))

    section = one(page, "#team-prefix")
    assert text(one(section, ".prefix-current")) == "甲纪督"
    assert text(one(section, ".prefix-example")) == "甲纪督〔2026〕2号"
    form = one(section, "form#team-prefix-form")
    assert form["method"] == "post"
    assert local(form["action"]) == f"/staff/teams/{world.township_team.id}/prefix"
    assert form["hx-target"] == "#team-prefix"
    assert one(form, "input[name=csrf_token]")
    assert one(form, "#field-prefix")["value"] == "甲纪督"
    assert text(one(form, "label[for=field-prefix]")).startswith("督办文号前缀")


def test_team_staff_see_the_prefix_without_a_form(login_as, world):
    with clock.frozen(MONDAY):
        page = parse(login_as(world.lead).get(f"/staff/teams/{world.township_team.id}"))

    assert text(one(page, "#team-prefix .prefix-example")) == "甲纪督〔2026〕1号"
    assert page.select("#team-prefix-form") == []


def test_set_prefix_without_js_redirects_and_is_audited(login_as, session, world, csrf):
    url = f"/staff/teams/{world.township_team.id}/prefix"

    with clock.frozen(MONDAY):  # sign in at the frozen time too: sessions follow the clock
        client = login_as(world.admin)
        response = client.post(url, data={"csrf_token": csrf, "prefix": " 甲纪工督 "})
        page = parse(client.get(response.headers["location"]))
        notice = issued(session, world)

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/teams/{world.township_team.id}?done=prefix"
    (event,) = audit(session, "supervision.prefix_changed")
    assert event.object_id == str(world.township_team.id)
    assert event.actor_id == world.admin.id
    assert event.data == {"year": 2026, "prefix": {"from": "甲纪督", "to": "甲纪工督"}}
    assert text(one(page, "#team-prefix .notice")) == "已保存文号前缀。"
    assert text(one(page, "#team-prefix .prefix-example")) == "甲纪工督〔2026〕1号"
    assert notice.number == "甲纪工督〔2026〕1号"


def test_set_prefix_with_htmx_rerenders_the_section(login_as, world, csrf):
    with clock.frozen(MONDAY):
        response = login_as(world.admin).post(
            f"/staff/teams/{world.township_team.id}/prefix",
            data={"prefix": "甲纪工督"},
            headers={**HTMX, "X-CSRF-Token": csrf},
        )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "team-prefix"
    assert text(one(root, ".notice")) == "已保存文号前缀。"
    assert text(one(root, ".prefix-example")) == "甲纪工督〔2026〕1号"
    assert one(root, "#field-prefix")["value"] == "甲纪工督"


def test_set_prefix_refuses_bad_or_taken_prefixes_with_422(login_as, session, world, csrf):
    headers = {**HTMX, "X-CSRF-Token": csrf}
    url = f"/staff/teams/{world.other_team.id}/prefix"

    with clock.frozen(MONDAY):
        client = login_as(world.admin)
        bad = client.post(url, data={"prefix": "乙〔纪〕"}, headers=headers)
        taken = client.post(url, data={"prefix": "甲纪督"}, headers=headers)
        plain = client.post(url, data={"csrf_token": csrf, "prefix": ""})

    assert (bad.status_code, taken.status_code, plain.status_code) == (422, 422, 422)
    root = fragment_root(bad)
    assert root["id"] == "team-prefix"
    assert text(one(root, "#error-prefix")) == "文号前缀须为 1–20 个汉字、字母或数字"
    assert one(root, "#field-prefix")["value"] == "乙〔纪〕"
    assert text(one(fragment_root(taken), "#error-prefix")) == "文号前缀“甲纪督”已由 甲镇纪委 使用"
    assert text(one(fragment_root(taken), ".prefix-current")) == "乙纪督"
    assert parse(plain).find("html") is not None
    assert one(parse(plain), "#team-prefix .error-summary")
    assert audit(session, "supervision.prefix_changed") == []


def test_set_prefix_is_admin_only_and_needs_csrf(login_as, session, world, csrf):
    session.commit()  # an error response rolls back the request; keep the test's users
    url = f"/staff/teams/{world.township_team.id}/prefix"

    lead = login_as(world.lead).post(url, data={"csrf_token": csrf, "prefix": "甲纪工督"})
    member = login_as(world.outsider_member).post(
        url, data={"csrf_token": csrf, "prefix": "甲纪工督"}
    )
    no_csrf = login_as(world.admin).post(url, data={"prefix": "甲纪工督"})
    unknown = login_as(world.admin).post(
        "/staff/teams/999999/prefix", data={"csrf_token": csrf, "prefix": "甲纪工督"}
    )

    assert (lead.status_code, member.status_code) == (403, 403)
    assert (no_csrf.status_code, unknown.status_code) == (403, 404)
    assert numbering.current_prefix(session, team_id=world.township_team.id) == "甲纪督"
    assert audit(session, "supervision.prefix_changed") == []
