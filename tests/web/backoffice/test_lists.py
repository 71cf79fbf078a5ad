"""/staff/lists and /staff/units/{id}/lists/{kind}: who sees which lists, and starting drafts."""

from datetime import timedelta
from urllib.parse import urlsplit

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.powerlist import service
from app.powerlist import standard as standard_service
from app.powerlist.models import ListVersion, VersionSource, VersionStatus
from app.powerlist.specs import ListKind
from app.unit.models import UnitKind
from tests import factories
from tests.html import one, parse, text, texts
from tests.powerlist.factories import duty_content, make_draft, make_published

HTMX = {"HX-Request": "true"}


def fragment(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page


def path(url: str) -> str:
    """The local part of a link (url_for writes absolute URLs)."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return parts.path + query + (f"#{parts.fragment}" if parts.fragment else "")


def events(session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def rows(page) -> list[tuple[str, str, str, str]]:
    """(unit, kind, current, open) text of each row of the list table."""
    for label in page.select("#list-table .cell-label"):  # shown on phones only
        label.decompose()
    return [
        tuple(text(cell) for cell in row.select("td")[:4])
        for row in page.select("#list-table tr.list-row")
    ]


def publish_standard(session, world, *, unit_kind=UnitKind.VILLAGE):
    standard = standard_service.create_standard_list(
        session,
        unit_kind=unit_kind,
        kind=ListKind.DUTY,
        actor=world.admin,
        title="村级标准职责清单",
    )
    draft = service.create_draft(session, power_list=standard, actor=world.admin)
    service.save_content(session, version=draft, content=duty_content(2), actor=world.admin)
    service.publish_directly(session, version=draft, actor=world.admin)
    return standard


# --- index ---------------------------------------------------------------------------------------


def test_editor_sees_only_their_units_lists_with_status(session, login_as, world):
    make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    make_draft(session, unit=world.village, actor=world.editor, kind=ListKind.CADRE)
    make_published(session, unit=world.other_village, editor=world.other_editor, lead=world.admin)

    response = login_as(world.editor).get("/staff/lists")

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert page.find("html") is not None
    assert one(page, "h2#list-table-title").get_text() == "本单位的清单"
    assert page.select("#review-queue") == []
    assert page.select("#filter-township") == []
    table = rows(page)
    assert [(unit.split()[0], kind) for unit, kind, _, _ in table] == [
        ("甲村", "职责清单（权力事项）"),
        ("甲村", "干部履职干事清单"),
        ("甲村", "履职负面清单"),
    ]
    assert table[0][2].startswith("第 1 版")
    assert table[1][3] == "草稿 第 1 版"
    assert table[2][2] == "未建立"
    actions = page.select("#list-table tr.list-row")[1].select("td.actions a")
    assert texts(actions[0].parent, "a")[0] == "继续编辑"


def test_team_sees_review_queue_and_supervised_lists(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    other = make_draft(session, unit=world.other_village, actor=world.other_editor)
    service.submit(session, version=other, actor=world.other_editor)

    page = parse(login_as(world.member).get("/staff/lists"))

    queue = one(page, "#review-queue")
    assert [text(row.select("td")[0]).split()[0] for row in queue.select("tbody tr")] == ["甲村"]
    review = one(queue, "tbody a")
    assert path(review["href"]) == f"/staff/lists/versions/{draft.id}/review"
    units = {row[0].split()[0] for row in rows(page)}
    # The township team supervises the township and its village, not the other township.
    assert units == {"甲镇", "甲村"}
    assert one(page, "h2#list-table-title").get_text() == "所监督单位的清单"


def test_stale_lists_are_flagged_and_filterable(session, login_as, world):
    with clock.frozen(clock.now() - timedelta(days=400)):
        make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    make_published(session, unit=world.other_village, editor=world.other_editor, lead=world.admin)

    page = parse(login_as(world.admin).get("/staff/lists?status=stale"))

    table = rows(page)
    assert [(unit.split()[0], kind) for unit, kind, _, _ in table] == [
        ("甲村", "职责清单（权力事项）")
    ]
    assert texts(page, "#list-table .stale-flag") == ["超过 12 个月未更新"]
    assert one(page, "#filter-status option[selected]")["value"] == "stale"


def test_admin_filters_by_township_kind_and_status(session, login_as, world):
    make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    client = login_as(world.admin)

    by_township = rows(parse(client.get(f"/staff/lists?township={world.township.id}")))
    assert {unit.split()[0] for unit, *_ in by_township} == {"甲镇", "甲村"}
    by_kind = rows(parse(client.get("/staff/lists?kind=negative")))
    assert {kind for _, kind, *_ in by_kind} == {"履职负面清单"}
    published = rows(parse(client.get("/staff/lists?status=published")))
    assert [(unit.split()[0], kind) for unit, kind, *_ in published] == [
        ("甲村", "职责清单（权力事项）")
    ]
    missing = rows(parse(client.get("/staff/lists?status=missing&kind=duty")))
    assert "甲村" not in {unit.split()[0] for unit, *_ in missing}
    # Junk filters are ignored rather than failing.
    assert client.get("/staff/lists?township=x&kind=y&status=z").status_code == 200


def test_index_is_paginated_and_fragment_is_the_table(session, login_as, world):
    for _ in range(10):
        factories.make_unit(session, parent=world.township)
    client = login_as(world.admin)

    first = parse(client.get("/staff/lists"))
    assert len(first.select("#list-table tr.list-row")) == 30
    next_link = one(first, "#list-table .pager a[rel=next]")
    assert next_link["hx-target"] == "#list-table"

    response = client.get(path(next_link["href"]), headers=HTMX)
    second = fragment(response)
    assert second.find(True)["id"] == "list-table"
    assert len(second.select("tr.list-row")) == 15 * 3 - 30
    assert response.headers["Vary"] == "HX-Request"


def test_index_queue_fragment(session, login_as, world):
    response = login_as(world.lead).get(
        "/staff/lists", headers={**HTMX, "HX-Target": "review-queue"}
    )
    page = fragment(response)
    assert page.find(True)["id"] == "review-queue"
    assert text(one(page, "tbody tr")) == "没有等待审核的清单。"


def test_nav_shows_lists_to_editors_and_teams_and_standard_lists_to_admin(login_as, world):
    editor_nav = texts(parse(login_as(world.editor).get("/staff/lists")), ".staff-nav a")
    assert "清单" in editor_nav
    assert "标准清单" not in editor_nav
    member_nav = texts(parse(login_as(world.member).get("/staff/lists")), ".staff-nav a")
    assert "清单" in member_nav
    admin_nav = texts(parse(login_as(world.admin).get("/staff/lists")), ".staff-nav a")
    assert admin_nav.count("清单") == 1
    assert "标准清单" in admin_nav


# --- detail --------------------------------------------------------------------------------------


def test_detail_full_page_for_editor_offers_three_sources(session, login_as, world):
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    publish_standard(session, world)

    response = login_as(world.editor).get(f"/staff/units/{world.village.id}/lists/duty")

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "甲村 职责清单（权力事项）"
    panel = one(page, "#draft-panel")
    sources = [form.select_one("input[name=source]")["value"] for form in panel.select("form")]
    assert sources == ["copy", "standard", "empty"]
    assert texts(panel, "#draft-standard_list_id option") == ["村级标准职责清单"]
    assert texts(page, "#version-table tbody td:first-child") == [f"第 {published.number} 版"]
    assert texts(page, "#current-version dd")[0] == "第 1 版"


def test_detail_fragment_is_the_draft_panel(session, login_as, world):
    response = login_as(world.editor).get(
        f"/staff/units/{world.village.id}/lists/cadre", headers={**HTMX, "HX-Target": "draft-panel"}
    )
    page = fragment(response)
    assert page.find(True)["id"] == "draft-panel"
    copy = one(page, "form:first-child button")
    assert copy.has_attr("disabled")


def test_detail_scope(session, login_as, world):
    url = f"/staff/units/{world.village.id}/lists/duty"
    assert login_as(world.other_editor).get(url).status_code == 404
    assert login_as(world.outsider_member).get(url).status_code == 404
    assert (
        login_as(world.editor).get(f"/staff/units/{world.village.id}/lists/nope").status_code == 404
    )
    lead_page = parse(login_as(world.lead).get(url))
    assert lead_page.select("#draft-panel form") == []


def test_create_blank_draft(session, login_as, world, csrf):
    client = login_as(world.editor)

    response = client.post(
        f"/staff/units/{world.village.id}/lists/duty/drafts",
        data={"source": "empty", "csrf_token": csrf},
    )

    assert response.status_code == 303
    draft = session.exec(select(ListVersion)).one()
    assert response.headers["location"] == f"/staff/lists/versions/{draft.id}"
    assert draft.source == VersionSource.EMPTY
    assert [e.data["source"] for e in events(session, "powerlist.draft_created")] == ["empty"]


def test_create_draft_copying_the_published_version(session, login_as, world, csrf):
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    keys = [i.key for i in service.content_of(session, version=published).items]

    response = login_as(world.editor).post(
        f"/staff/units/{world.village.id}/lists/duty/drafts",
        data={"source": "copy", "csrf_token": csrf},
        headers=HTMX,
    )

    assert response.status_code == 204
    draft = session.exec(select(ListVersion).where(ListVersion.status == VersionStatus.DRAFT)).one()
    assert response.headers["HX-Redirect"] == f"/staff/lists/versions/{draft.id}"
    assert draft.source == VersionSource.COPY
    assert [i.key for i in service.content_of(session, version=draft).items] == keys


def test_create_draft_adopting_a_standard_list(session, login_as, world, csrf):
    standard = publish_standard(session, world)

    response = login_as(world.editor).post(
        f"/staff/units/{world.village.id}/lists/duty/drafts",
        data={"source": "standard", "standard_list_id": str(standard.id), "csrf_token": csrf},
    )

    assert response.status_code == 303
    power_list = service.find_list(session, unit=world.village, kind=ListKind.DUTY)
    draft = service.open_draft(session, power_list=power_list)
    assert draft.source == VersionSource.STANDARD
    assert len(service.content_of(session, version=draft).items) == 2


def test_standard_list_must_be_one_offered(session, login_as, world, csrf):
    township_standard = publish_standard(session, world, unit_kind=UnitKind.TOWNSHIP)

    response = login_as(world.editor).post(
        f"/staff/units/{world.village.id}/lists/duty/drafts",
        data={
            "source": "standard",
            "standard_list_id": str(township_standard.id),
            "csrf_token": csrf,
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    page = fragment(response)
    assert page.find(True)["id"] == "draft-panel"
    assert text(one(page, ".field-error")) == "请选择要采用的标准清单"
    assert service.find_list(session, unit=world.village, kind=ListKind.DUTY) is None


def test_create_draft_is_refused_outside_scope_and_to_teams(session, login_as, world, csrf):
    url = f"/staff/units/{world.village.id}/lists/duty/drafts"
    data = {"source": "empty", "csrf_token": csrf}
    assert login_as(world.other_editor).post(url, data=data).status_code == 404
    assert login_as(world.lead).post(url, data=data).status_code == 403
    assert session.exec(select(ListVersion)).all() == []


def test_post_without_csrf_changes_nothing(session, login_as, world):
    response = login_as(world.editor).post(
        f"/staff/units/{world.village.id}/lists/duty/drafts", data={"source": "empty"}
    )
    assert response.status_code == 403
    assert session.exec(select(ListVersion)).all() == []


def test_existing_draft_sends_the_editor_back_to_the_list(session, login_as, world, csrf):
    make_draft(session, unit=world.village, actor=world.editor)
    response = login_as(world.editor).post(
        f"/staff/units/{world.village.id}/lists/duty/drafts",
        data={"source": "empty", "csrf_token": csrf},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/units/{world.village.id}/lists/duty"
    assert len(session.exec(select(ListVersion)).all()) == 1


def test_open_draft_panel_and_discard(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    client = login_as(world.editor)

    panel = one(parse(client.get(f"/staff/units/{world.village.id}/lists/duty")), "#draft-panel")
    assert path(one(panel, "a.button.primary")["href"]) == f"/staff/lists/versions/{draft.id}"
    discard = one(panel, "form")
    assert "放弃" in discard["hx-confirm"]

    assert (
        login_as(world.other_editor)
        .post(path(discard["action"]), data={"csrf_token": csrf})
        .status_code
        == 404
    )
    response = login_as(world.editor).post(path(discard["action"]), data={"csrf_token": csrf})

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/units/{world.village.id}/lists/duty"
    assert session.get(ListVersion, draft.id) is None
    assert [e.data["version"] for e in events(session, "powerlist.draft_discarded")] == [1]
