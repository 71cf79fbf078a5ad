"""/staff/categories — complaint categories for admins: list, add, edit; audited; 403 for others."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.ticket import service
from app.ticket.models import Category, TicketKind
from tests.html import one, parse, text, texts
from tests.web.ticket_helpers import HTMX, fragment_root, local, post_form


def audit(session, action: str) -> list[AuditEvent]:
    statement = select(AuditEvent).where(col(AuditEvent.action) == action)
    return list(session.exec(statement.order_by(col(AuditEvent.id))).all())


def new_category(**overrides) -> dict[str, str]:
    data = {
        "code": "land_use",
        "name": "土地征用",
        "kind": "report",
        "description": "",
        "position": "",
    }
    data.update(overrides)
    return data


def test_index_full_page_lists_every_category(login_as, world):
    response = login_as(world.admin).get("/staff/categories")

    assert response.status_code == 200
    soup = parse(response)
    assert text(one(soup, "h1")) == "投诉类别"
    names = texts(soup, "#category-table tbody td:nth-child(2)")
    assert names[:3] == ["吃拿卡要", "优亲厚友", "截留挪用"]
    row = one(soup, "#category-table tbody tr:has(td.code:-soup-contains('delay'))")
    assert texts(row, "td")[3] == "投诉"
    assert local(one(row, "a")["href"]).startswith("/staff/categories/")
    assert one(soup, "form#category-form")["method"] == "post"


def test_index_fragment(login_as, world):
    response = login_as(world.admin).get("/staff/categories", headers=HTMX)

    assert fragment_root(response)["id"] == "category-table"


def test_create_without_js_redirects_and_is_audited(session, login_as, world, csrf):
    response = post_form(login_as(world.admin), "/staff/categories", csrf, new_category())

    assert response.status_code == 303
    assert response.headers["location"] == "/staff/categories?done=created"
    category = service.get_category_by_code(session, code="land_use")
    assert (category.name, category.kind) == ("土地征用", TicketKind.REPORT)
    assert category.position > max(
        c.position for c in service.list_categories(session) if c.id != category.id
    )
    [event] = audit(session, "category.created")
    assert event.object_id == "land_use"
    page = parse(login_as(world.admin).get(response.headers["location"]))
    assert "土地征用" in texts(page, "#category-table td a")


def test_create_with_htmx_refreshes_form_and_table(session, login_as, world, csrf):
    response = post_form(
        login_as(world.admin), "/staff/categories", csrf, new_category(), headers=HTMX
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "category-form"
    table = one(parse(response), "#category-table")
    assert table["hx-swap-oob"] == "true"
    assert "土地征用" in texts(table, "td a")


def test_create_errors_keep_the_input(session, login_as, world, csrf):
    response = post_form(
        login_as(world.admin),
        "/staff/categories",
        csrf,
        new_category(code="Bad Code", name="办事拖延", position="abc"),
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    messages = texts(root, ".error-summary li")
    assert "该名称已被使用" in messages
    assert any("小写字母" in m for m in messages)
    assert any("排序" in m for m in messages)
    assert one(root, "#field-code")["value"] == "Bad Code"
    assert audit(session, "category.created") == []


def test_edit_page_and_fragment(session, login_as, world):
    category = service.get_category_by_code(session, code="delay")
    client = login_as(world.admin)

    full = parse(client.get(f"/staff/categories/{category.id}"))
    fragment = client.get(f"/staff/categories/{category.id}", headers=HTMX)

    assert text(one(full, "h1")) == "办事拖延"
    assert one(full, "#field-name")["value"] == "办事拖延"
    assert one(full, "#field-is_active").has_attr("checked")
    assert fragment_root(fragment)["id"] == "category-form"


def test_update_renames_deactivates_and_reorders(session, login_as, world, csrf):
    category = service.get_category_by_code(session, code="delay")
    data = {"name": "办事推诿拖延", "kind": "complaint", "description": "", "position": "5"}

    response = post_form(login_as(world.admin), f"/staff/categories/{category.id}", csrf, data)

    assert response.status_code == 303
    session.refresh(category)
    assert (category.name, category.is_active, category.position) == ("办事推诿拖延", False, 5)
    [event] = audit(session, "category.updated")
    assert event.data["name"] == {"from": "办事拖延", "to": "办事推诿拖延"}
    assert event.data["is_active"] == {"from": True, "to": False}
    assert "delay" not in [c.code for c in service.list_categories(session)]


def test_update_with_htmx_and_errors(session, login_as, world, csrf):
    category = service.get_category_by_code(session, code="delay")
    client = login_as(world.admin)
    base = {"kind": "complaint", "description": "", "position": "5", "is_active": "1"}

    saved = post_form(
        client, f"/staff/categories/{category.id}", csrf, {**base, "name": "拖延"}, headers=HTMX
    )
    refused = post_form(
        client, f"/staff/categories/{category.id}", csrf, {**base, "name": "吃拿卡要"}, headers=HTMX
    )

    assert saved.status_code == 200
    assert text(one(fragment_root(saved), ".notice.success")) == "已保存。"
    assert refused.status_code == 422
    assert one(fragment_root(refused), "#field-name")["value"] == "吃拿卡要"
    session.refresh(category)
    assert category.name == "拖延"


def test_unknown_category_is_404(login_as, world):
    assert login_as(world.admin).get("/staff/categories/999999").status_code == 404


def test_only_admins_manage_categories(session, login_as, world, csrf):
    category = service.get_category_by_code(session, code="delay")
    for user in (world.lead, world.member, world.editor):
        client = login_as(user)
        assert client.get("/staff/categories").status_code == 403
        assert post_form(client, "/staff/categories", csrf, new_category()).status_code == 403
        update = {"name": "x", "kind": "complaint", "position": "1"}
        response = post_form(client, f"/staff/categories/{category.id}", csrf, update)
        assert response.status_code == 403
    assert session.exec(select(Category).where(col(Category.code) == "land_use")).first() is None


def test_post_without_csrf_changes_nothing(session, login_as, world):
    client = login_as(world.admin)

    response = post_form(client, "/staff/categories", None, new_category())

    assert response.status_code == 403
    assert audit(session, "category.created") == []


def test_nav_shows_categories_tickets_and_notifications_by_permission(login_as, world):
    admin = texts(parse(login_as(world.admin).get("/staff")), ".staff-nav a")
    editor = texts(parse(login_as(world.editor).get("/staff")), ".staff-nav a")
    member = texts(parse(login_as(world.member).get("/staff")), ".staff-nav a")

    assert {"工单", "投诉类别", "通知发送"} <= set(admin)
    assert "工单" in editor
    assert "投诉类别" not in editor
    assert "工单" in member
    assert "通知发送" not in member
