"""/staff/lists/versions/{id}: the draft editor — items and entries inline, submit, withdraw."""

from urllib.parse import urlsplit

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.powerlist import editing, service
from app.powerlist import standard as standard_service
from app.powerlist.models import VersionStatus
from app.powerlist.specs import ItemSpec, ListContent, ListKind
from app.unit.models import UnitKind
from tests.html import one, parse, text, texts
from tests.powerlist.factories import make_draft, make_item, make_published

HTMX = {"HX-Request": "true"}


def fragment(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def events(session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def items(session, version) -> list[ItemSpec]:
    return service.content_of(session, version=version).items


def item_form(spec: ItemSpec, csrf: str, **changes: str) -> dict[str, str]:
    """What the edit form posts for `spec`, with `changes`."""
    form = {
        "csrf_token": csrf,
        "number": spec.number,
        "name": spec.name,
        "category": spec.category,
        "responsible": spec.responsible,
        "time_limit": str(spec.time_limit or ""),
        "time_unit": spec.time_unit.value,
        "legal_bases": "\n".join(b.title + b.article for b in spec.legal_bases),
        "materials": "\n".join(spec.materials),
        "disclosure_content": spec.disclosure.content,
        "disclosure_deadline": spec.disclosure.deadline,
        "disclosure_channel": spec.disclosure.channel,
        "accountability": spec.accountability,
        "negative_refs": "、".join(spec.negative_refs),
    }
    form.update(changes)
    return form


# --- the page ------------------------------------------------------------------------------------


def test_full_page_lists_items_in_order_with_their_actions(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)

    response = login_as(world.editor).get(f"/staff/lists/versions/{draft.id}")

    assert response.status_code == 200
    page = parse(response)
    assert texts(page, "#item-list article .entry-name") == ["事项1", "事项2", "事项3"]
    first = page.select("#item-list article")[0]
    key = items(session, draft)[0].key
    assert first["id"] == f"item-{key}"
    edit = first.select("a.button")[0]
    assert text(edit) == "编辑"
    assert path(edit["href"]) == f"/staff/lists/versions/{draft.id}?edit={key}"
    assert edit["hx-target"] == f"#item-{key}"
    up, down = first.select("form button")[:2]
    assert up.has_attr("disabled")
    assert not down.has_attr("disabled")
    assert "确定删除事项「事项1」" in first.select("form")[2]["hx-confirm"]
    assert text(one(page, "#submit-panel .check-ok")) == "内容检查通过。"
    assert not one(page, "#submit-panel button.primary").has_attr("disabled")
    assert page.select("#item-new form input[name=first_step_name]")


def test_fragment_is_the_item_list(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    response = login_as(world.editor).get(f"/staff/lists/versions/{draft.id}", headers=HTMX)
    page = fragment(response)
    assert page.find(True)["id"] == "item-list"
    panel = login_as(world.editor).get(
        f"/staff/lists/versions/{draft.id}", headers={**HTMX, "HX-Target": "submit-panel"}
    )
    assert fragment(panel).find(True)["id"] == "submit-panel"


def test_edit_link_swaps_the_row_for_its_form(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = items(session, draft)[1].key
    client = login_as(world.editor)

    page = fragment(client.get(f"/staff/lists/versions/{draft.id}?edit={key}", headers=HTMX))

    form = page.find("form")
    assert form["id"] == f"item-{key}"
    assert form["hx-target"] == "this"
    assert one(form, "input[name=name]")["value"] == "事项2"
    assert one(form, "textarea[name=legal_bases]").get_text() == (
        "《中华人民共和国村民委员会组织法》第二十四条"
    )
    assert one(form, "input[name=csrf_token]")
    cancel = one(form, "a.button")
    assert cancel["hx-get"].endswith(f"?row={key}")

    row = fragment(client.get(f"/staff/lists/versions/{draft.id}?row={key}", headers=HTMX))
    assert row.find(True).name == "article"
    # Without JavaScript the same link opens the whole page with that row as a form.
    full = parse(client.get(f"/staff/lists/versions/{draft.id}?edit={key}"))
    assert one(full, f"form#item-{key}")
    assert len(full.select("#item-list article")) == 2
    assert (
        client.get(f"/staff/lists/versions/{draft.id}?edit=nokey", headers=HTMX).status_code == 404
    )


# --- items ---------------------------------------------------------------------------------------


def test_inline_edit_saves_and_rerenders_the_row(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    spec = items(session, draft)[0]
    form = item_form(
        spec,
        csrf,
        name="宅基地审批",
        legal_bases="《中华人民共和国土地管理法》第六十二条\n《浙江省土地管理条例》",
        materials="身份证\n\n户口簿\n",
    )

    response = login_as(world.editor).post(
        f"/staff/lists/versions/{draft.id}/items/{spec.key}", data=form, headers=HTMX
    )

    assert response.status_code == 200
    page = fragment(response)
    row = one(page, f"article#item-{spec.key}")
    assert text(one(row, ".entry-name")) == "宅基地审批"
    assert one(page, "#submit-panel")["hx-swap-oob"] == "true"
    saved = items(session, draft)[0]
    assert saved.name == "宅基地审批"
    assert [(b.title, b.article) for b in saved.legal_bases] == [
        ("《中华人民共和国土地管理法》", "第六十二条"),
        ("《浙江省土地管理条例》", ""),
    ]
    assert saved.materials == ["身份证", "户口簿"]
    assert len(saved.steps) == 3  # steps are kept
    event = events(session, "powerlist.item_updated")[-1]
    assert event.data["key"] == spec.key
    assert "name" in event.data["fields"]


def test_inline_edit_without_js_redirects_to_the_row(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    spec = items(session, draft)[0]
    response = login_as(world.editor).post(
        f"/staff/lists/versions/{draft.id}/items/{spec.key}",
        data=item_form(spec, csrf, category="集体管理"),
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/lists/versions/{draft.id}#item-{spec.key}"


def test_inline_edit_errors_keep_the_input(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    first, second = items(session, draft)[:2]
    client = login_as(world.editor)

    response = client.post(
        f"/staff/lists/versions/{draft.id}/items/{first.key}",
        data=item_form(first, csrf, name="", time_limit="五", responsible="村务监督委员会"),
        headers=HTMX,
    )

    assert response.status_code == 422
    form = fragment(response).find("form")
    assert form["id"] == f"item-{first.key}"
    prefix = f"#item-{first.key}"
    assert texts(form, f".field:has({prefix}-name) .field-error") == ["请填写事项名称"]
    assert text(one(form, f".field:has({prefix}-time_limit) .field-error")) == "必须是整数"
    assert one(form, f"{prefix}-responsible")["value"] == "村务监督委员会"
    assert one(form, f"{prefix}-time_limit")["value"] == "五"
    assert one(form, f"{prefix}-name")["aria-invalid"] == "true"
    assert items(session, draft)[0].name == "事项1"

    duplicate = client.post(
        f"/staff/lists/versions/{draft.id}/items/{first.key}",
        data=item_form(first, csrf, number=second.number),
        headers=HTMX,
    )
    assert duplicate.status_code == 422
    assert texts(fragment(duplicate), f".field:has({prefix}-number) .field-error") == [
        "编号「2」在清单中重复"
    ]


def test_inline_edit_errors_without_js_show_the_whole_page(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    spec = items(session, draft)[0]
    response = login_as(world.editor).post(
        f"/staff/lists/versions/{draft.id}/items/{spec.key}", data=item_form(spec, csrf, name="")
    )
    assert response.status_code == 422
    page = parse(response)
    assert page.find("html") is not None
    assert one(page, f"form#item-{spec.key} .error-summary")


def test_add_item_with_its_first_step(session, login_as, world, csrf):
    power_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    draft = service.create_draft(session, power_list=power_list, actor=world.editor)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items"
    data = {
        "csrf_token": csrf,
        "number": "1",
        "name": "困难补助申请",
        "category": "便民服务",
        "responsible": "村民委员会",
        "time_unit": "working",
        "first_step_name": "提出申请",
        "first_step_actor": "申请人",
    }

    refused = client.post(url, data={**data, "first_step_name": ""}, headers=HTMX)
    assert refused.status_code == 422
    page = fragment(refused)
    assert one(page, "details#item-new").has_attr("open")
    assert texts(page, ".field:has(#item-new-first_step_name) .field-error") == ["请填写步骤名称"]
    assert one(page, "#item-new-name")["value"] == "困难补助申请"

    response = client.post(url, data=data, headers=HTMX)
    assert response.status_code == 200
    page = fragment(response)
    assert texts(page, "#item-list article .entry-name") == ["困难补助申请"]
    assert texts(page, "#item-list .step-count") == ["1 步"]
    assert not one(page, "details#item-new").has_attr("open")
    assert [e.data["name"] for e in events(session, "powerlist.item_added")] == ["困难补助申请"]
    assert [s.name for s in items(session, draft)[0].steps] == ["提出申请"]


def test_delete_and_move_items(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    first, second, third = items(session, draft)
    client = login_as(world.editor)

    moved = client.post(
        f"/staff/lists/versions/{draft.id}/items/{first.key}/move",
        data={"csrf_token": csrf, "direction": "down"},
        headers=HTMX,
    )
    assert moved.status_code == 200
    assert texts(fragment(moved), "#item-list .entry-name") == ["事项2", "事项1", "事项3"]

    deleted = client.post(
        f"/staff/lists/versions/{draft.id}/items/{third.key}/delete",
        data={"csrf_token": csrf},
        headers=HTMX,
    )
    assert texts(fragment(deleted), "#item-list .entry-name") == ["事项2", "事项1"]
    assert [i.key for i in items(session, draft)] == [second.key, first.key]
    assert events(session, "powerlist.item_moved")
    assert [e.data["key"] for e in events(session, "powerlist.item_deleted")] == [third.key]

    plain = client.post(
        f"/staff/lists/versions/{draft.id}/items/{first.key}/move",
        data={"csrf_token": csrf, "direction": "up"},
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/staff/lists/versions/{draft.id}#item-list"


def test_item_posts_need_csrf(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    spec = items(session, draft)[0]
    client = login_as(world.editor)
    update = client.post(
        f"/staff/lists/versions/{draft.id}/items/{spec.key}",
        data={k: v for k, v in item_form(spec, "x", name="改").items() if k != "csrf_token"},
    )
    delete = client.post(f"/staff/lists/versions/{draft.id}/items/{spec.key}/delete")
    assert update.status_code == delete.status_code == 403
    assert [i.name for i in items(session, draft)] == ["事项1", "事项2", "事项3"]


# --- permissions ---------------------------------------------------------------------------------


def test_editor_scope(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    spec = items(session, draft)[0]
    url = f"/staff/lists/versions/{draft.id}"
    assert login_as(world.other_editor).get(url).status_code == 404
    assert (
        login_as(world.other_editor)
        .post(f"{url}/items/{spec.key}", data=item_form(spec, csrf, name="改"))
        .status_code
        == 404
    )
    # The supervising team sees the list but does not edit it.
    assert login_as(world.member).get(url).status_code == 403
    assert login_as(world.lead).get(url).status_code == 403
    assert login_as(world.admin).get(url).status_code == 200
    assert items(session, draft)[0].name == "事项1"


def test_published_version_is_read_only(session, login_as, world, csrf):
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    spec = items(session, published)[0]
    client = login_as(world.editor)

    page = parse(client.get(f"/staff/lists/versions/{published.id}"))

    assert page.select("#item-new") == []
    assert texts(page, "#item-list article")[0]
    assert [text(a) for a in page.select("#item-list article a.button")][0] == "查看流程"
    refused = client.post(
        f"/staff/lists/versions/{published.id}/items/{spec.key}",
        data=item_form(spec, csrf, name="改"),
    )
    assert refused.status_code == 409


# --- submit, withdraw, returned drafts -----------------------------------------------------------


def stepless_draft(session, world):
    item = make_item("1", "困难补助申请")
    bad = ItemSpec.model_construct(**{**item.__dict__, "steps": []})
    content = ListContent.model_construct(
        kind=ListKind.DUTY, items=[bad], cadre_duties=[], negative_items=[]
    )
    return make_draft(session, unit=world.village, actor=world.editor, content=content)


def test_submit_is_refused_with_zh_cn_errors_when_an_item_has_no_steps(
    session, login_as, world, csrf
):
    draft = stepless_draft(session, world)
    client = login_as(world.editor)

    page = parse(client.get(f"/staff/lists/versions/{draft.id}"))
    assert texts(page, "#submit-panel .check-errors li") == [
        "事项 1「困难补助申请」：请至少填写一个办理步骤"
    ]
    assert one(page, "#submit-panel button.primary").has_attr("disabled")

    response = client.post(
        f"/staff/lists/versions/{draft.id}/submit", data={"csrf_token": csrf}, headers=HTMX
    )

    assert response.status_code == 422
    panel = fragment(response)
    assert panel.find(True)["id"] == "submit-panel"
    assert text(one(panel, ".form-error")) == "清单内容还不完整，请按提示修改后再提交"
    assert texts(panel, ".check-errors li") == ["事项 1「困难补助申请」：请至少填写一个办理步骤"]
    session.refresh(draft)
    assert draft.status == VersionStatus.DRAFT
    assert events(session, "powerlist.submitted") == []


def test_submit_and_withdraw(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    client = login_as(world.editor)

    response = client.post(f"/staff/lists/versions/{draft.id}/submit", data={"csrf_token": csrf})

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/lists/versions/{draft.id}"
    session.refresh(draft)
    assert draft.status == VersionStatus.SUBMITTED
    page = parse(client.get(f"/staff/lists/versions/{draft.id}"))
    assert page.select("#item-new") == []
    assert text(one(page, "#submit-panel button")) == "撤回修改"
    assert [e.data["status"] for e in events(session, "powerlist.submitted")] == ["submitted"]

    client.post(f"/staff/lists/versions/{draft.id}/withdraw", data={"csrf_token": csrf})
    session.refresh(draft)
    assert draft.status == VersionStatus.DRAFT
    assert events(session, "powerlist.withdrawn")


def test_submit_without_csrf_changes_nothing(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    assert (
        login_as(world.editor).post(f"/staff/lists/versions/{draft.id}/submit").status_code == 403
    )
    session.refresh(draft)
    assert draft.status == VersionStatus.DRAFT


def test_returned_draft_shows_the_reviewers_comment(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    service.return_for_changes(
        session, version=draft, actor=world.member, comment="事项2的办理时限与县里规定不一致"
    )

    page = parse(login_as(world.editor).get(f"/staff/lists/versions/{draft.id}"))

    comment = one(page, "#review-comment")
    assert comment["role"] == "alert"
    assert text(one(comment, ".comment-text")) == "事项2的办理时限与县里规定不一致"
    assert "member1" in text(comment)
    assert text(one(page, ".page-header .badge")) == "已退回"


# --- cadre and negative lists --------------------------------------------------------------------


def test_cadre_entries_add_edit_move_delete(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor, kind=ListKind.CADRE)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}"

    page = parse(client.get(url))
    assert texts(page, "#entry-list .entry-name") == ["张1", "张2", "张3"]

    added = client.post(
        f"{url}/entries",
        data={
            "csrf_token": csrf,
            "post": "村委会主任",
            "person": "李四",
            "duties": "主持村委会工作\n负责村务公开",
        },
        headers=HTMX,
    )
    assert added.status_code == 200
    assert texts(fragment(added), "#entry-list .entry-name")[-1] == "李四"
    key = editing.entries(session, version=draft)[-1][0]

    refused = client.post(
        f"{url}/entries/{key}",
        data={"csrf_token": csrf, "post": "村委会主任", "person": ""},
        headers=HTMX,
    )
    assert refused.status_code == 422
    form = fragment(refused).find("form")
    assert texts(form, f".field:has(#entry-{key}-person) .field-error") == ["请填写姓名"]
    assert texts(form, f".field:has(#entry-{key}-duties) .field-error") == [
        "请至少填写一项履职事项"
    ]
    assert one(form, f"#entry-{key}-post")["value"] == "村委会主任"

    saved = client.post(
        f"{url}/entries/{key}",
        data={
            "csrf_token": csrf,
            "post": "村委会主任",
            "person": "李四",
            "duties": "主持工作",
            "phone": "0574-1234",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert one(fragment(saved), f"article#entry-{key}")

    moved = client.post(
        f"{url}/entries/{key}/move", data={"csrf_token": csrf, "direction": "up"}, headers=HTMX
    )
    assert texts(fragment(moved), "#entry-list .entry-name") == ["张1", "张2", "李四", "张3"]
    client.post(f"{url}/entries/{key}/delete", data={"csrf_token": csrf}, headers=HTMX)
    assert [k for k, _ in editing.entries(session, version=draft)].count(key) == 0
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    for action in ("entry_added", "entry_updated", "entry_moved", "entry_deleted"):
        assert f"powerlist.{action}" in actions


def test_negative_items_must_be_prohibitions(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor, kind=ListKind.NEGATIVE)
    response = login_as(world.editor).post(
        f"/staff/lists/versions/{draft.id}/entries",
        data={"csrf_token": csrf, "number": "9", "act": "随意处置集体资产"},
        headers=HTMX,
    )
    assert response.status_code == 422
    page = fragment(response)
    assert texts(page, ".field:has(#entry-new-act) .field-error") == [
        "禁止行为须以「不得」「严禁」或「禁止」开头"
    ]
    assert one(page, "#entry-new-act").get_text() == "随意处置集体资产"
    assert one(page, "details#entry-new").has_attr("open")


def test_entry_row_fragment_and_edit_form(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor, kind=ListKind.NEGATIVE)
    key = editing.entries(session, version=draft)[0][0]
    client = login_as(world.editor)
    form = fragment(client.get(f"/staff/lists/versions/{draft.id}?edit={key}", headers=HTMX))
    assert form.find("form")["id"] == f"entry-{key}"
    assert one(form, f"#entry-{key}-act").get_text() == "不得违规行为1"
    row = fragment(client.get(f"/staff/lists/versions/{draft.id}?row={key}", headers=HTMX))
    assert row.find("article")["id"] == f"entry-{key}"
    assert (
        fragment(client.get(f"/staff/lists/versions/{draft.id}", headers=HTMX)).find(True)["id"]
        == "entry-list"
    )


# --- county standard lists share the editor ------------------------------------------------------


def test_standard_list_drafts_open_in_the_editor_for_admins_only(session, login_as, world, csrf):
    standard = standard_service.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard, actor=world.admin)
    service.save_content(
        session,
        version=draft,
        content=ListContent(kind=ListKind.DUTY, items=[make_item("1")]),
        actor=world.admin,
    )
    url = f"/staff/lists/versions/{draft.id}"

    page = parse(login_as(world.admin).get(url))

    assert texts(page, ".breadcrumbs li")[:2] == ["标准清单", standard.title]
    assert texts(page, "#item-list .entry-name") == ["事项1"]
    assert page.select("#submit-panel form[action$='/submit']") == []
    assert one(page, "#submit-panel a")["href"].endswith(f"/staff/standard-lists/{standard.id}")
    assert login_as(world.editor).get(url).status_code == 404
    assert login_as(world.admin).post(f"{url}/submit", data={"csrf_token": csrf}).status_code == 409
    discarded = login_as(world.admin).post(f"{url}/discard", data={"csrf_token": csrf})
    assert discarded.headers["location"] == f"/staff/standard-lists/{standard.id}"


def test_warnings_do_not_block_submission(session, login_as, world):
    item = make_item("1", "村级工程", time_limit=5, steps=3)  # 3 steps × 2 working days
    draft = make_draft(
        session,
        unit=world.village,
        actor=world.editor,
        content=ListContent(kind=ListKind.DUTY, items=[item]),
    )

    page = parse(login_as(world.editor).get(f"/staff/lists/versions/{draft.id}"))

    assert texts(page, "#submit-panel .check-warnings li") == [
        "事项 1「村级工程」：各步骤时限合计 6 个工作日，超过了事项总时限 5 个工作日"
    ]
    assert not one(page, "#submit-panel button.primary").has_attr("disabled")


def test_submitted_version_offers_no_edit_form(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    key = items(session, draft)[0].key
    response = login_as(world.editor).get(
        f"/staff/lists/versions/{draft.id}?edit={key}", headers=HTMX
    )
    assert fragment(response).find(True).name == "article"


def test_draft_editor_offers_excel_export_and_upload(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    client = login_as(world.editor)

    page = parse(client.get(f"/staff/lists/versions/{draft.id}"))

    tools = one(page, "#excel-tools")
    links = [path(a["href"]) for a in tools.select("a")]
    assert f"/staff/lists/versions/{draft.id}/export.xlsx" in links
    assert "/staff/lists/template/duty.xlsx" in links
    upload = one(tools, "#list-upload form")
    assert path(upload["action"]) == f"/staff/lists/versions/{draft.id}/import"
    assert client.get(links[0]).status_code == 200


def test_published_version_offers_export_but_no_upload(session, login_as, world):
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)

    page = parse(login_as(world.editor).get(f"/staff/lists/versions/{published.id}"))

    assert page.select(f'#excel-tools a[href$="/versions/{published.id}/export.xlsx"]')
    assert page.select("#list-upload form") == []
