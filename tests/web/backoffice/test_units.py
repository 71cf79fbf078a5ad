"""/staff/units — tree, search, unit detail and the admin's edit and create forms."""

from urllib.parse import urlsplit

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.unit.models import Unit, UnitKind
from app.unit.pinyin import pinyin_keys
from tests import factories
from tests.html import one, parse, text, texts

HTMX = {"HX-Request": "true"}


def fragment_root(response):
    """The first element of an htmx fragment, which must not be a whole page."""
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page.find(True)


def local(href: str) -> str:
    """The path and query of a link (url_for writes absolute URLs)."""
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def unit_events(session, unit) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == "unit", AuditEvent.object_id == str(unit.id))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def edit_form(world, **overrides) -> dict[str, str]:
    form = {"hotline": "", "address": "", "team_id": "", "is_active": "1"}
    form.update(overrides)
    return form


# --- index: tree and search --------------------------------------------------------------------


def test_index_full_page_shows_the_county_tree(login_as, world):
    client = login_as(world.admin)

    response = client.get("/staff/units")

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert page.find("html") is not None
    assert text(one(page, "h1")) == "单位"
    tree = one(page, "#unit-tree")
    assert texts(tree, f"#unit-node-{world.county.id} > a:first-child") == ["测试县"]
    assert texts(tree, f"#unit-node-{world.county.id} > ul > li > a:first-child") == [
        "甲镇",
        "乙街道",
    ]
    toggle = one(tree, f"#unit-node-{world.township.id} .tree-toggle")
    assert text(toggle) == "展开下级（1）"
    assert toggle["aria-expanded"] == "false"
    # Without JavaScript the toggle is a plain link to the same page with the township open.
    assert toggle["href"] == f"/staff/units?open={world.township.id}#unit-node-{world.township.id}"
    assert toggle["hx-get"] == f"/staff/units?open={world.township.id}"
    assert one(page, "#unit-table .hint")
    assert one(page, "#unit-q")["hx-trigger"] == "input changed delay:300ms, search"


def test_opening_a_township_without_js_lists_its_villages(login_as, world):
    client = login_as(world.admin)

    page = parse(client.get(f"/staff/units?open={world.township.id}"))

    township = one(page, f"#unit-node-{world.township.id}")
    assert texts(township, ":scope > ul > li > a:first-child") == ["甲村"]
    assert text(one(township, ".tree-toggle")) == "收起下级（1）"
    assert one(township, ".tree-toggle")["href"] == f"/staff/units#unit-node-{world.township.id}"
    assert page.select(f"#unit-node-{world.other_township.id} ul") == []


def test_tree_fragment_for_htmx_expand(login_as, world):
    client = login_as(world.admin)

    response = client.get(
        f"/staff/units?open={world.township.id}", headers={**HTMX, "HX-Target": "unit-tree"}
    )

    root = fragment_root(response)
    assert root["id"] == "unit-tree"
    assert "甲村" in texts(root, f"#unit-node-{world.township.id} li a")


def test_search_full_page_and_fragment(login_as, session, world):
    wufeng = factories.make_unit(session, name="五丰社区", parent=world.township)
    wufeng.pinyin, wufeng.pinyin_initials = pinyin_keys(wufeng.name)
    session.flush()
    client = login_as(world.admin)

    page = parse(client.get("/staff/units?q=wfsq"))
    response = client.get("/staff/units?q=五丰", headers=HTMX)

    assert texts(page, "#unit-table tbody td:first-child") == ["五丰社区"]
    assert one(page, "#unit-tree")  # the full page still has the tree
    root = fragment_root(response)
    assert root["id"] == "unit-table"
    assert texts(root, "tbody td:first-child a") == ["五丰社区"]
    row = one(root, "tbody tr")
    assert texts(row, "td")[3:6] == ["甲镇", "0574-11111111 （继承）", "甲镇纪委 （继承）"]
    assert local(one(row, "a")["href"]) == f"/staff/units/{wufeng.id}"


def test_search_filters_by_kind_and_active(login_as, session, world):
    factories.make_unit(session, name="停用村", parent=world.township, is_active=False)
    client = login_as(world.admin)

    villages = parse(client.get("/staff/units?kind=village&active=1", headers=HTMX))
    inactive = parse(client.get("/staff/units?active=0", headers=HTMX))
    bogus = parse(client.get("/staff/units?kind=castle", headers=HTMX))

    assert texts(villages, "tbody td:first-child") == ["甲村"]
    assert texts(inactive, "tbody td:first-child") == ["停用村"]
    assert texts(inactive, "tbody td:last-child") == ["停用"]
    assert bogus.select("table") == []  # an unknown kind is ignored, not an error


def test_search_results_are_paginated_with_htmx_links(login_as, session, world):
    for n in range(30):
        factories.make_unit(session, name=f"分页村{n:02d}", parent=world.township)
    client = login_as(world.admin)

    first = parse(client.get("/staff/units?q=分页村", headers=HTMX))
    second = parse(client.get("/staff/units?q=分页村&page=2", headers=HTMX))

    assert len(first.select("tbody tr")) == 25
    assert text(one(first, ".result-count")) == "共找到 30 个单位"
    next_link = one(first, ".pager a[rel=next]")
    assert next_link["href"] == next_link["hx-get"]
    assert next_link["hx-target"] == "#unit-table"
    assert "page=2" in next_link["href"]
    assert "q=" in next_link["href"]
    assert len(second.select("tbody tr")) == 5


def test_team_member_can_browse_units_read_only(login_as, world):
    client = login_as(world.member)

    index = client.get("/staff/units")
    detail = parse(client.get(f"/staff/units/{world.other_village.id}"))

    assert index.status_code == 200
    assert detail.select("form#unit-form") == []
    assert "系统管理员" in text(one(detail, "#unit-form"))
    assert detail.select("#child-form") == []


def test_editor_tree_starts_at_their_unit_and_other_units_are_404(login_as, session, world):
    session.commit()  # an error response rolls back the request; keep the test's users
    client = login_as(world.editor)

    page = parse(client.get("/staff/units"))
    search = parse(client.get("/staff/units?q=村", headers=HTMX))

    assert texts(page, "#unit-tree .tree-node > a:first-child") == ["甲村"]
    assert texts(search, "tbody td:first-child") == ["甲村"]
    assert client.get(f"/staff/units/{world.village.id}").status_code == 200
    assert client.get(f"/staff/units/{world.other_village.id}").status_code == 404
    assert client.get(f"/staff/units/{world.township.id}").status_code == 404


def test_signed_out_visitor_is_sent_to_login(client, world):
    response = client.get(f"/staff/units/{world.village.id}")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_breadcrumbs_inheritance_and_children(login_as, session, world):
    factories.make_unit(session, name="甲村一组", kind=UnitKind.VILLAGE, parent=world.village)
    client = login_as(world.admin)

    response = client.get(f"/staff/units/{world.village.id}")

    assert response.status_code == 200
    page = parse(response)
    assert texts(page, ".breadcrumbs li") == ["单位", "测试县", "甲镇", "甲村"]
    assert local(one(page, ".breadcrumbs li:nth-child(3) a")["href"]) == (
        f"/staff/units/{world.township.id}"
    )
    assert text(one(page, "h1")) == "甲村"
    assert text(one(page, "#effective-hotline")) == "0574-11111111 继承自 测试县"
    assert text(one(page, "#effective-team")) == "甲镇纪委 继承自 甲镇"
    assert texts(page, "#unit-children li > a") == ["甲村一组"]
    form = one(page, "form#unit-form")
    assert form["method"] == "post"
    assert local(form["action"]) == f"/staff/units/{world.village.id}"
    assert one(form, "input[name=csrf_token]")["value"]
    team_select = one(form, "select[name=team_id]")
    # Nothing selected: the browser shows the first option, "inherit".
    assert team_select.select("option[selected]") == []
    assert texts(team_select, "option")[0] == "继承上级（当前为 甲镇纪委）"
    assert team_select.select("option")[0]["value"] == ""
    assert "乙街道纪工委" in texts(team_select, "option")
    assert one(form, "input[name=is_active]").has_attr("checked")


def test_detail_of_a_unit_with_own_settings(login_as, session, world):
    world.township.hotline = "0574-2"
    session.flush()
    client = login_as(world.admin)

    page = parse(client.get(f"/staff/units/{world.township.id}"))

    assert text(one(page, "#effective-hotline")) == "0574-2"
    assert text(one(page, "#effective-team")) == "甲镇纪委"
    assert one(page, "#field-hotline")["value"] == "0574-2"
    assert text(one(page, "#field-team_id option[selected]")) == "甲镇纪委"
    assert one(page, "form#child-form")  # offices and stations hang under townships


def test_detail_fragment_is_the_form(login_as, world):
    client = login_as(world.admin)

    response = client.get(f"/staff/units/{world.village.id}", headers=HTMX)

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    assert fragment_root(response)["id"] == "unit-form"


def test_unknown_unit_is_404(login_as, session, world):
    session.commit()  # an error response rolls back the request; keep the test's users
    client = login_as(world.admin)

    assert client.get("/staff/units/999999").status_code == 404
    assert client.get("/staff/units/99999999999").status_code in (404, 422)


# --- update ------------------------------------------------------------------------------------


def test_update_without_js_redirects_with_saved_notice(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.village.id}",
        data={
            "csrf_token": csrf,
            **edit_form(world, hotline="0574-65561234", team_id=str(world.other_team.id)),
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/units/{world.village.id}?saved=1"
    assert world.village.hotline == "0574-65561234"
    assert world.village.team_id == world.other_team.id
    (event,) = unit_events(session, world.village)
    assert event.action == "unit.updated"
    assert event.data == {
        "hotline": {"from": "", "to": "0574-65561234"},
        "team_id": {"from": None, "to": world.other_team.id},
    }
    page = parse(client.get(response.headers["location"]))
    assert text(one(page, "#unit-form .notice")) == "已保存。"
    assert text(one(page, "#effective-team")) == "乙街道纪工委"


def test_update_with_htmx_rerenders_form_and_facts(login_as, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.village.id}",
        data=edit_form(world, address="甲村村委会"),
        headers={**HTMX, "X-CSRF-Token": csrf},
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "unit-form"
    assert text(one(root, ".notice")) == "已保存。"
    facts = one(parse(response), "#unit-facts")
    assert facts["hx-swap-oob"] == "true"
    assert text(one(facts, "#unit-address")) == "甲村村委会"


def test_unchecking_active_deactivates(login_as, session, world, csrf):
    client = login_as(world.admin)
    form = edit_form(world)
    del form["is_active"]

    response = client.post(f"/staff/units/{world.village.id}", data={"csrf_token": csrf, **form})

    assert response.status_code == 303
    assert world.village.is_active is False
    (event,) = unit_events(session, world.village)
    assert event.data == {"is_active": {"from": True, "to": False}}


def test_update_errors_rerender_form_with_422_and_keep_input(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.village.id}",
        data={
            "csrf_token": csrf,
            **edit_form(world, hotline="call me", address="新地址", team_id="424242"),
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "unit-form"
    assert one(root, "#field-hotline")["value"] == "call me"
    assert one(root, "#field-address")["value"] == "新地址"
    assert "只能包含数字" in text(one(root, "#error-hotline"))
    assert text(one(root, "#error-team_id")) == "所选监督单位不存在"
    assert one(root, ".error-summary")
    assert world.village.hotline == ""
    assert world.village.address == ""
    assert unit_events(session, world.village) == []


def test_update_errors_without_js_render_the_whole_page(login_as, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.village.id}",
        data={"csrf_token": csrf, **edit_form(world, hotline="x")},
    )

    assert response.status_code == 422
    page = parse(response)
    assert page.find("html") is not None
    assert one(page, "#error-hotline")


def test_update_is_forbidden_to_non_admins(login_as, session, world, csrf):
    session.commit()  # an error response rolls back the request; keep the test's users
    for user in (world.lead, world.member, world.editor):
        client = login_as(user)
        response = client.post(
            f"/staff/units/{world.village.id}",
            data={"csrf_token": csrf, **edit_form(world, hotline="110")},
        )
        assert response.status_code == 403, user.username
    assert world.village.hotline == ""
    assert unit_events(session, world.village) == []


def test_update_unknown_unit_is_404(login_as, world, csrf):
    client = login_as(world.admin)

    response = client.post("/staff/units/999999", data={"csrf_token": csrf, **edit_form(world)})

    assert response.status_code == 404


def test_update_without_csrf_changes_nothing(login_as, session, world, csrf):
    client = login_as(world.admin)

    missing = client.post(f"/staff/units/{world.village.id}", data=edit_form(world, hotline="1"))
    wrong = client.post(
        f"/staff/units/{world.village.id}",
        data={"csrf_token": "forged", **edit_form(world, hotline="1")},
    )

    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert world.village.hotline == ""
    assert unit_events(session, world.village) == []


# --- create a child unit -----------------------------------------------------------------------


def test_create_child_redirects_to_the_new_unit(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.township.id}/children",
        data={"csrf_token": csrf, "name": "甲镇财政所", "kind": "station"},
    )

    assert response.status_code == 303
    child = session.exec(select(Unit).where(Unit.name == "甲镇财政所")).one()
    assert response.headers["location"] == f"/staff/units/{child.id}"
    assert child.parent_id == world.township.id
    assert child.code.startswith("N")
    assert [e.action for e in unit_events(session, child)] == ["unit.created"]
    page = parse(client.get(response.headers["location"]))
    assert texts(page, ".breadcrumbs li")[-2:] == ["甲镇", "甲镇财政所"]


def test_create_child_with_htmx_navigates_by_hx_redirect(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.township.id}/children",
        data={"name": "甲镇敬老院", "kind": "institution"},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )

    assert response.status_code == 204
    child = session.exec(select(Unit).where(Unit.name == "甲镇敬老院")).one()
    assert response.headers["HX-Redirect"] == f"/staff/units/{child.id}"


def test_create_child_errors_rerender_the_child_form(login_as, session, world, csrf):
    client = login_as(world.admin)

    response = client.post(
        f"/staff/units/{world.township.id}/children",
        data={"csrf_token": csrf, "name": "", "kind": "village"},
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "child-form"
    assert one(root, "#error-name")
    assert one(root, "#error-kind")
    assert session.exec(select(Unit).where(col(Unit.code).startswith("N"))).all() == []


def test_create_child_is_forbidden_to_team_staff_and_needs_csrf(login_as, session, world, csrf):
    session.commit()  # an error response rolls back the request; keep the test's users
    member = login_as(world.member).post(
        f"/staff/units/{world.township.id}/children",
        data={"csrf_token": csrf, "name": "站", "kind": "station"},
    )
    no_csrf = login_as(world.admin).post(
        f"/staff/units/{world.township.id}/children", data={"name": "站", "kind": "station"}
    )

    assert member.status_code == 403
    assert no_csrf.status_code == 403
    assert session.exec(select(Unit).where(Unit.name == "站")).all() == []
