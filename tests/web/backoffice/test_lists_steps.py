"""/staff/lists/versions/{id}/items/{key}: steps with the live flowchart preview, and risks."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.powerlist import service
from app.powerlist.specs import ItemSpec, StepKind
from tests.html import one, parse, text, texts
from tests.powerlist.factories import make_draft, make_published

HTMX = {"HX-Request": "true"}


def fragment(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page


def first_item(session, version) -> ItemSpec:
    return service.content_of(session, version=version).items[0]


def item_updates(session) -> list[str]:
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "powerlist.item_updated")
        .order_by(col(AuditEvent.id))
    ).all()
    return [row.data.get("change", "") for row in rows]


def svg_texts(page) -> list[str]:
    return [" ".join(t.get_text(" ", strip=True).split()) for t in page.select("svg text")]


def step(name: str, csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "name": name,
        "actor": "村委会",
        "time_limit": "3",
        "time_unit": "working",
        "kind": "task",
        **fields,
    }


def test_item_page_full(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)

    response = login_as(world.editor).get(f"/staff/lists/versions/{draft.id}/items/{item.key}")

    assert response.status_code == 200
    page = parse(response)
    assert texts(page, "#step-table .step-name") == [
        "第 1 步 步骤1",
        "第 2 步 步骤2",
        "第 3 步 步骤3",
    ]
    preview = one(page, "#flowchart-preview")
    assert not preview.has_attr("hx-swap-oob")
    assert {"步骤1", "步骤2", "步骤3"} <= set(svg_texts(preview))
    assert texts(page, "#risk-table .risk-row p:first-child") == ["中风险 风险1"]
    assert one(page, "#step-new form")["hx-target"] == "#step-table"


def test_item_page_fragments(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}"

    assert fragment(client.get(url, headers=HTMX)).find(True)["id"] == "step-table"
    preview = fragment(client.get(url, headers={**HTMX, "HX-Target": "flowchart-preview"}))
    assert preview.find(True)["id"] == "flowchart-preview"
    assert preview.select("svg")
    editing = fragment(client.get(f"{url}?edit_step=2", headers=HTMX))
    assert one(editing, "#step-2 form input[name=name]")["value"] == "步骤2"
    # Step 2 may only return to step 1.
    assert texts(editing, "#step-2-reject_to option") == ["结束，不予办理", "退回第 1 步：步骤1"]
    risk = fragment(client.get(f"{url}?edit_risk=1", headers=HTMX))
    assert one(risk, "#risk-1 textarea[name=measure]").get_text() == "措施1"


def test_adding_a_step_redraws_the_flowchart(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)

    response = login_as(world.editor).post(
        f"/staff/lists/versions/{draft.id}/items/{item.key}/steps",
        data=step("张榜公示", csrf, description="在村务公开栏公示 5 天"),
        headers=HTMX,
    )

    assert response.status_code == 200
    page = fragment(response)
    assert texts(page, "#step-table .step-name")[-1] == "第 4 步 张榜公示"
    preview = one(page, "#flowchart-preview")
    assert preview["hx-swap-oob"] == "true"
    assert "张榜公示" in svg_texts(preview)
    assert [s.name for s in first_item(session, draft).steps][-1] == "张榜公示"
    assert item_updates(session) == ["step_added"]


def test_moving_and_deleting_steps(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}/steps"

    moved = client.post(f"{url}/3/move", data={"csrf_token": csrf, "direction": "up"}, headers=HTMX)
    page = fragment(moved)
    assert texts(page, "#step-table .step-name") == [
        "第 1 步 步骤1",
        "第 2 步 步骤3",
        "第 3 步 步骤2",
    ]
    names = svg_texts(one(page, "#flowchart-preview"))
    assert names.index("步骤3") < names.index("步骤2")

    deleted = client.post(f"{url}/1/delete", data={"csrf_token": csrf}, headers=HTMX)
    page = fragment(deleted)
    assert texts(page, "#step-table .step-name") == ["第 1 步 步骤3", "第 2 步 步骤2"]
    assert "步骤1" not in svg_texts(one(page, "#flowchart-preview"))
    assert item_updates(session) == ["step_moved", "step_deleted"]

    plain = client.post(f"{url}/1/delete", data={"csrf_token": csrf})
    assert plain.status_code == 303
    assert plain.headers["location"].endswith(f"/items/{item.key}#step-table")


def test_the_last_step_cannot_be_deleted(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}/steps"
    client.post(f"{url}/1/delete", data={"csrf_token": csrf})
    client.post(f"{url}/1/delete", data={"csrf_token": csrf})

    response = client.post(f"{url}/1/delete", data={"csrf_token": csrf}, headers=HTMX)

    assert response.status_code == 422
    assert text(one(fragment(response), "#step-table .form-error")) == "事项至少需要一个办理步骤"
    assert len(first_item(session, draft).steps) == 1


def test_decision_step_returns_to_an_earlier_step(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}/steps"

    response = client.post(
        url,
        data=step("村民代表会议表决", csrf, kind="decision", reject_to="2", reject_label="未通过"),
        headers=HTMX,
    )

    assert response.status_code == 200
    page = fragment(response)
    assert text(one(page, "#step-4 .step-reject")) == "未通过：退回第 2 步「步骤2」"
    assert "未通过" in svg_texts(one(page, "#flowchart-preview"))
    saved = first_item(session, draft).steps[-1]
    assert (saved.kind, saved.reject_to) == (StepKind.DECISION, 2)

    # A task never returns anywhere, whatever the form still says.
    task = client.post(f"{url}/4", data=step("村民代表会议表决", csrf, reject_to="2"))
    assert task.status_code == 303
    assert first_item(session, draft).steps[-1].reject_to is None


def test_step_errors_keep_the_input(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}/steps"

    response = client.post(
        f"{url}/2", data=step("审核", csrf, actor="", time_limit="-1"), headers=HTMX
    )

    assert response.status_code == 422
    page = fragment(response)
    assert texts(page, ".field:has(#step-2-actor) .field-error") == ["请填写办理主体"]
    assert texts(page, ".field:has(#step-2-time_limit) .field-error") == ["必须是正整数"]
    assert one(page, "#step-2-name")["value"] == "审核"
    assert one(page, "#step-2-time_limit")["value"] == "-1"

    new = client.post(url, data=step("", csrf), headers=HTMX)
    assert new.status_code == 422
    page = fragment(new)
    assert one(page, "details#step-new").has_attr("open")
    assert texts(page, ".field:has(#step-new-name) .field-error") == ["请填写步骤名称"]

    # Returning to itself is caught by the item's own rules and shown on the field.
    loop = client.post(
        f"{url}/2", data=step("审核", csrf, kind="decision", reject_to="2"), headers=HTMX
    )
    assert loop.status_code == 422
    assert texts(fragment(loop), ".field:has(#step-2-reject_to) .field-error") == [
        "退回步骤只能是第 1 步"
    ]
    assert [s.name for s in first_item(session, draft).steps] == ["步骤1", "步骤2", "步骤3"]

    full = client.post(f"{url}/2", data=step("审核", csrf, actor=""))
    assert full.status_code == 422
    assert parse(full).find("html") is not None


def test_risks_add_edit_delete(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    client = login_as(world.editor)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}/risks"

    refused = client.post(
        url, data={"csrf_token": csrf, "description": "优亲厚友", "level": "high"}, headers=HTMX
    )
    assert refused.status_code == 422
    page = fragment(refused)
    assert texts(page, ".field:has(#risk-new-measure) .field-error") == ["请填写防控措施"]
    assert one(page, "#risk-new-description").get_text() == "优亲厚友"

    added = client.post(
        url,
        data={
            "csrf_token": csrf,
            "description": "优亲厚友",
            "level": "high",
            "measure": "集体研究",
        },
        headers=HTMX,
    )
    assert texts(fragment(added), "#risk-table .risk-row p:first-child")[-1] == "高风险 优亲厚友"

    client.post(
        f"{url}/1",
        data={"csrf_token": csrf, "description": "风险1", "level": "low", "measure": "公示"},
    )
    deleted = client.post(f"{url}/2/delete", data={"csrf_token": csrf}, headers=HTMX)
    assert texts(fragment(deleted), "#risk-table .risk-row p:first-child") == ["低风险 风险1"]
    assert item_updates(session) == ["risk_added", "risk_updated", "risk_deleted"]


def test_steps_need_permission_and_csrf(session, login_as, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = first_item(session, draft)
    url = f"/staff/lists/versions/{draft.id}/items/{item.key}"
    assert login_as(world.other_editor).get(url).status_code == 404
    assert login_as(world.member).get(url).status_code == 403
    assert (
        login_as(world.other_editor).post(f"{url}/steps", data=step("x", csrf)).status_code == 404
    )
    assert login_as(world.editor).post(f"{url}/steps", data=step("x", "")).status_code == 403
    assert (
        login_as(world.editor).get(f"/staff/lists/versions/{draft.id}/items/nokey").status_code
        == 404
    )
    assert len(first_item(session, draft).steps) == 3


def test_published_item_page_is_read_only(session, login_as, world):
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    item = first_item(session, published)
    page = parse(
        login_as(world.editor).get(f"/staff/lists/versions/{published.id}/items/{item.key}")
    )
    assert page.select("#step-new") == []
    assert page.select("#step-table form") == []
    assert page.select("#flowchart-preview svg")
