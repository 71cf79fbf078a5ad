"""/api/v1 power lists: public reads, drafts and review by scope, standard lists for admins."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.powerlist import service, standard
from app.powerlist.models import PowerList, VersionSource, VersionStatus
from app.powerlist.specs import ListKind
from app.unit.models import UnitKind
from tests import factories
from tests.factories import PASSWORD
from tests.powerlist.factories import duty_content, make_item, make_published


def token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def actions(session, prefix: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).startswith(prefix))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def item_body(number: str = "1", **fields) -> dict:
    return make_item(number, **fields).model_dump(mode="json")


# --- public reads ------------------------------------------------------------------------------


def test_anonymous_reads_a_units_lists(client, session, world):
    make_published(
        session, unit=world.village, editor=world.editor, lead=world.lead, content=duty_content(2)
    )

    response = client.get(f"/api/v1/units/{world.village.code}/lists")

    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == {"code": world.village.code, "name": "甲村"}
    duty, cadre, negative = body["lists"]
    assert duty["kind"] == "duty"
    assert duty["version"] == 1
    assert duty["published_at"] is not None
    assert duty["stale"] is False
    assert duty["counts"] == {
        "items": 2,
        "steps": 6,
        "risks": 2,
        "cadre_duties": 0,
        "negative_items": 0,
    }
    assert cadre == {
        "kind": "cadre",
        "label": "干部履职干事清单",
        "version": None,
        "published_at": None,
        "stale": False,
        "counts": None,
    }
    assert negative["version"] is None


def test_anonymous_reads_published_content_and_history(client, session, world):
    first = make_published(
        session, unit=world.village, editor=world.editor, lead=world.lead, content=duty_content(1)
    )
    make_published(
        session, unit=world.village, editor=world.editor, lead=world.lead, content=duty_content(2)
    )
    url = f"/api/v1/units/{world.village.code}/lists/duty"

    current = client.get(url).json()
    former = client.get(url, params={"version": 1}).json()

    assert current["version"] == 2
    assert current["status"] == "published"
    assert current["title"] == "甲村职责清单（权力事项）"
    assert [i["name"] for i in current["content"]["items"]] == ["事项1", "事项2"]
    assert current["content"]["items"][0]["steps"][0]["name"] == "步骤1"
    assert former["status"] == "superseded"
    assert former["content"] == service.content_of(session, version=first).model_dump(mode="json")
    assert client.get(url, params={"version": 9}).status_code == 404
    assert client.get(f"/api/v1/units/{world.village.code}/lists/cadre").status_code == 404
    assert client.get(f"/api/v1/units/{world.village.code}/lists/other").status_code == 422


def test_lists_of_inactive_or_unknown_units_are_not_found(client, session, world):
    make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    world.township.is_active = False
    session.flush()

    assert client.get(f"/api/v1/units/{world.village.code}/lists").status_code == 404
    assert client.get(f"/api/v1/units/{world.village.code}/lists/duty").status_code == 404
    assert client.get("/api/v1/units/000000000000/lists").status_code == 404


def test_anonymous_reads_an_item_with_steps_and_risks(client, session, world):
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    item = service.content_of(session, version=version).items[0]

    response = client.get(f"/api/v1/items/{item.key}")

    assert response.status_code == 200
    body = response.json()
    assert body["key"] == item.key
    assert body["unit"]["code"] == world.village.code
    assert body["version"] == 1
    assert body["url"].endswith(f"/items/{item.key}")
    assert body["item"] == item.model_dump(mode="json")
    assert len(body["item"]["steps"]) == 3
    assert body["item"]["risks"][0]["level"] == "medium"
    assert client.get("/api/v1/items/nosuchkey").status_code == 404


# --- drafts ------------------------------------------------------------------------------------


def test_editor_creates_edits_and_submits_a_draft_and_the_lead_approves(client, session, world):
    editor = token(client, "editor1")
    base = f"/api/v1/units/{world.village.code}/lists/duty/drafts"

    created = client.post(base, json={"source": "empty"}, headers=editor)
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["status"] == "draft"
    assert draft["unit"] == {"code": world.village.code, "name": "甲村"}
    assert draft["content"] == {
        "kind": "duty",
        "items": [],
        "cadre_duties": [],
        "negative_items": [],
    }
    url = f"/api/v1/drafts/{draft['id']}"

    saved = client.put(url, json=duty_content(2).model_dump(mode="json"), headers=editor)
    assert saved.status_code == 200, saved.text
    keys = [i["key"] for i in saved.json()["content"]["items"]]
    assert all(keys)

    added = client.post(f"{url}/items", json=item_body("3", name="新增事项"), headers=editor)
    assert added.status_code == 201
    new_key = added.json()["key"]
    assert added.json()["item"]["name"] == "新增事项"

    changed = client.put(
        f"{url}/items/{keys[0]}", json=item_body("1", name="改名事项"), headers=editor
    )
    assert changed.status_code == 200
    assert client.delete(f"{url}/items/{keys[1]}", headers=editor).status_code == 204

    current = client.get(url, headers=editor).json()
    assert [(i["key"], i["name"]) for i in current["content"]["items"]] == [
        (keys[0], "改名事项"),
        (new_key, "新增事项"),
    ]

    submitted = client.post(f"{url}/submit", headers=editor)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert client.post(f"/api/v1/versions/{draft['id']}/approve", headers=editor).status_code == 403

    approved = client.post(
        f"/api/v1/versions/{draft['id']}/approve", headers=token(client, "lead1")
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert [e.action for e in actions(session, "powerlist.")] == [
        "powerlist.list_created",
        "powerlist.draft_created",
        "powerlist.draft_saved",
        "powerlist.item_added",
        "powerlist.item_updated",
        "powerlist.item_deleted",
        "powerlist.submitted",
        "powerlist.published",
    ]
    public = client.get(f"/api/v1/units/{world.village.code}/lists/duty").json()
    assert [i["name"] for i in public["content"]["items"]] == ["改名事项", "新增事项"]


def test_editor_gets_404_for_other_units(client, session, world):
    theirs = make_published(
        session, unit=world.other_village, editor=world.other_editor, lead=world.admin
    )
    draft = service.create_draft(
        session,
        power_list=service.get_list(session, list_id=theirs.list_id),
        actor=world.other_editor,
        source=VersionSource.COPY,
    )
    before = service.content_of(session, version=draft)
    editor = token(client, "editor1")

    create = client.post(
        f"/api/v1/units/{world.other_village.code}/lists/duty/drafts", json={}, headers=editor
    )
    assert create.status_code == 404
    assert client.get(f"/api/v1/drafts/{draft.id}", headers=editor).status_code == 404
    put = client.put(
        f"/api/v1/drafts/{draft.id}", json=duty_content(1).model_dump(mode="json"), headers=editor
    )
    assert put.status_code == 404
    assert client.post(f"/api/v1/drafts/{draft.id}/submit", headers=editor).status_code == 404
    assert service.content_of(session, version=draft) == before
    assert before.items != []


def test_reviewers_may_not_edit_drafts(client, session, world):
    response = client.post(
        f"/api/v1/units/{world.village.code}/lists/duty/drafts",
        json={},
        headers=token(client, "lead1"),
    )
    assert response.status_code == 403


def test_invalid_content_is_refused_with_spec_paths(client, session, world):
    editor = token(client, "editor1")
    draft = client.post(
        f"/api/v1/units/{world.village.code}/lists/duty/drafts", json={}, headers=editor
    ).json()
    body = duty_content(1).model_dump(mode="json")
    body["items"][0]["name"] = ""
    body["items"][0]["steps"][1]["time_limit"] = -3

    response = client.put(f"/api/v1/drafts/{draft['id']}", json=body, headers=editor)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "items[0].name": "请填写事项名称",
        "items[0].steps[1].time_limit": "必须是正整数",
    }
    again = client.get(f"/api/v1/drafts/{draft['id']}", headers=editor).json()
    assert again["content"]["items"] == []


def test_submitting_an_empty_draft_lists_what_is_missing(client, session, world):
    editor = token(client, "editor1")
    draft = client.post(
        f"/api/v1/units/{world.village.code}/lists/duty/drafts", json={}, headers=editor
    ).json()

    response = client.post(f"/api/v1/drafts/{draft['id']}/submit", headers=editor)

    assert response.status_code == 422
    assert response.json()["errors"] == {"items": "清单中还没有任何权力事项"}


def test_a_second_draft_conflicts(client, session, world):
    editor = token(client, "editor1")
    url = f"/api/v1/units/{world.village.code}/lists/duty/drafts"

    assert client.post(url, json={}, headers=editor).status_code == 201
    assert client.post(url, json={}, headers=editor).status_code == 409


def test_keys_the_list_never_had_are_replaced(client, session, world):
    theirs = make_published(
        session, unit=world.other_village, editor=world.other_editor, lead=world.admin
    )
    foreign = service.content_of(session, version=theirs)
    editor = token(client, "editor1")
    draft = client.post(
        f"/api/v1/units/{world.village.code}/lists/duty/drafts", json={}, headers=editor
    ).json()
    body = foreign.model_dump(mode="json")
    body["items"][1]["key"] = "x" * 40

    saved = client.put(f"/api/v1/drafts/{draft['id']}", json=body, headers=editor)

    assert saved.status_code == 200, saved.text
    keys = {i["key"] for i in saved.json()["content"]["items"]}
    assert not keys & {i.key for i in foreign.items}
    assert all(len(key) == 12 for key in keys)


def test_draft_from_a_standard_list(client, session, world):
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    std_draft = service.create_draft(session, power_list=standard_list, actor=world.admin)
    service.save_content(session, version=std_draft, content=duty_content(4), actor=world.admin)
    service.publish_directly(session, version=std_draft, actor=world.admin)
    editor = token(client, "editor1")

    listed = client.get("/api/v1/standard-lists", headers=editor).json()
    created = client.post(
        f"/api/v1/units/{world.village.code}/lists/duty/drafts",
        json={"source": "standard", "standard_list_id": listed[0]["id"]},
        headers=editor,
    )

    assert listed[0]["title"] == "村级标准职责清单（权力事项）"
    assert listed[0]["version"] == 1
    assert created.status_code == 201, created.text
    assert created.json()["source"] == "standard"
    assert len(created.json()["content"]["items"]) == 4


# --- review ------------------------------------------------------------------------------------


def _submitted(session, world):
    power_list = service.get_or_create_list(
        session, unit=world.village, kind=ListKind.DUTY, actor=world.editor
    )
    draft = service.create_draft(session, power_list=power_list, actor=world.editor)
    service.save_content(session, version=draft, content=duty_content(1), actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    return draft


def test_member_returns_a_submission_with_a_comment(client, session, world):
    draft = _submitted(session, world)
    member = token(client, "member1")
    url = f"/api/v1/versions/{draft.id}/return"

    blank = client.post(url, json={"comment": " "}, headers=member)
    returned = client.post(url, json={"comment": "请补充办理时限"}, headers=member)

    assert blank.status_code == 422
    assert blank.json()["errors"] == {"comment": "退回修改时必须填写退回意见"}
    assert returned.status_code == 200
    assert returned.json()["status"] == "draft"
    assert returned.json()["review_comment"] == "请补充办理时限"
    assert actions(session, "powerlist.returned")[-1].actor_id == world.member.id


def test_members_may_not_approve_and_other_teams_do_not_see(client, session, world):
    draft = _submitted(session, world)

    member = client.post(f"/api/v1/versions/{draft.id}/approve", headers=token(client, "member1"))
    outsider = client.post(
        f"/api/v1/versions/{draft.id}/return",
        json={"comment": "x"},
        headers=token(client, "member2"),
    )

    assert member.status_code == 403
    assert outsider.status_code == 404
    session.expire_all()
    assert draft.status == VersionStatus.SUBMITTED


def test_api_needs_a_token(client, session, world):
    draft = _submitted(session, world)

    assert client.get(f"/api/v1/drafts/{draft.id}").status_code == 401
    assert client.post(f"/api/v1/versions/{draft.id}/approve").status_code == 401


# --- standard lists ----------------------------------------------------------------------------


def _published_standard(session, world) -> PowerList:
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard_list, actor=world.admin)
    service.save_content(session, version=draft, content=duty_content(2), actor=world.admin)
    service.publish_directly(session, version=draft, actor=world.admin)
    return standard_list


def test_admin_publishes_a_standard_list_to_a_townships_villages(client, session, world):
    standard_list = _published_standard(session, world)
    second = factories.make_unit(session, name="甲二村", parent=world.township)
    service.create_draft(
        session,
        power_list=service.get_or_create_list(
            session, unit=second, kind=ListKind.DUTY, actor=world.admin
        ),
        actor=world.admin,
    )

    response = client.post(
        f"/api/v1/standard-lists/{standard_list.id}/publish-to-units",
        json={"parent_code": world.township.code, "unit_kinds": ["village"]},
        headers=token(client, "admin1"),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["published_count"] == 1
    assert body["published"][0]["code"] == world.village.code
    assert body["skipped"] == [
        {
            "code": second.code,
            "name": "甲二村",
            "version_id": None,
            "reason": "该单位有未发布的草稿，未覆盖",
        }
    ]
    public = client.get(f"/api/v1/units/{world.village.code}/lists/duty").json()
    assert len(public["content"]["items"]) == 2
    assert len(actions(session, "standardlist.published_to_units")) == 1


def test_standard_publish_is_for_admins_only(client, session, world):
    standard_list = _published_standard(session, world)
    url = f"/api/v1/standard-lists/{standard_list.id}/publish-to-units"
    body = {"parent_code": world.township.code, "unit_kinds": ["village"]}

    assert client.post(url, json=body, headers=token(client, "lead1")).status_code == 403
    assert client.post(url, json=body, headers=token(client, "editor1")).status_code == 403
    assert client.post(url, json=body).status_code == 401
    assert actions(session, "standardlist.published_to_units") == []


def test_standard_publish_errors(client, session, world):
    standard_list = _published_standard(session, world)
    admin = token(client, "admin1")
    unit_list = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)

    empty_scope = client.post(
        f"/api/v1/standard-lists/{standard_list.id}/publish-to-units",
        json={"parent_code": world.village.code, "unit_kinds": ["village"]},
        headers=admin,
    )
    not_standard = client.post(
        f"/api/v1/standard-lists/{unit_list.list_id}/publish-to-units",
        json={"parent_code": world.township.code, "unit_kinds": ["village"]},
        headers=admin,
    )
    no_kinds = client.post(
        f"/api/v1/standard-lists/{standard_list.id}/publish-to-units",
        json={"parent_code": world.township.code, "unit_kinds": []},
        headers=admin,
    )

    assert empty_scope.status_code == 422
    assert empty_scope.json()["errors"] == {"parent_code": "该范围内没有所选类型的单位"}
    assert not_standard.status_code == 404
    assert no_kinds.status_code == 422


def test_openapi_documents_the_list_routes_with_examples(client):
    spec = client.get("/openapi.json").json()

    put = spec["paths"]["/api/v1/drafts/{version_id}"]["put"]
    schema = put["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ListContent"}
    assert put["requestBody"]["content"]["application/json"]["example"]["kind"] == "duty"
    assert "ListContent" in spec["components"]["schemas"]
    assert "ItemSpec" in spec["components"]["schemas"]
    assert spec["components"]["schemas"]["UnitListsOut"]["examples"]
    assert "get" in spec["paths"]["/api/v1/items/{key}"]
    assert "post" in spec["paths"]["/api/v1/standard-lists/{list_id}/publish-to-units"]
