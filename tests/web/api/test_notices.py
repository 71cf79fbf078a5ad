"""/api/v1/notices — list with filters and counts, a notice, create/issue, sign, respond (JSON or
multipart with evidence), accept, return, .docx; 404 out of scope, 403 wrong role, 409 wrong
state, 422 with field messages, the same audit events as the pages."""

import io
from datetime import timedelta

from docx import Document
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision.models import NoticeStatus, SupervisionNotice
from tests.supervision.factories import MONDAY, draft, issued
from tests.ticket import factories as tf
from tests.web.ticket_helpers import bearer

REPORT = "已重新组织低保评议并张榜公示。"


def actions(session, notice_id: int) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(
                col(AuditEvent.object_type) == "supervision_notice",
                col(AuditEvent.object_id) == str(notice_id),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_list_with_filters_and_counts(session, client, world):
    with clock.frozen(MONDAY):
        late = issued(session, world)
        on_time = issued(session, world, deadline_days=30)
        drafted = draft(session, world)

    with clock.frozen(MONDAY + timedelta(days=10)):
        headers = bearer(world.member)
        body = client.get("/api/v1/notices", headers=headers).json()
        overdue = client.get("/api/v1/notices?overdue=true", headers=headers).json()
        drafts = client.get("/api/v1/notices?status=draft", headers=headers).json()
        dated = client.get("/api/v1/notices?from=2026-11-03", headers=headers).json()
        junk = client.get("/api/v1/notices?status=nope", headers=headers)
        # The unit sees the notices issued to it, and no drafts.
        unit_body = client.get("/api/v1/notices", headers=bearer(world.editor)).json()

    assert [item["id"] for item in body["items"]] == [drafted.id, on_time.id, late.id]
    assert body["counts"] == {"draft": 1, "issued": 2, "overdue": 1, "all": 3}
    row = body["items"][2]
    assert row["number"] == "甲纪督〔2026〕1号"
    assert row["status_label"] == "已下发待签收"
    assert row["unit"]["name"] == "甲村"
    assert row["overdue"] is True
    assert row["deadline"]["colour"] == "red"
    assert [item["id"] for item in overdue["items"]] == [late.id]
    assert [item["id"] for item in drafts["items"]] == [drafted.id]
    assert dated["items"] == []
    assert junk.status_code == 422
    assert {item["id"] for item in unit_body["items"]} == {late.id, on_time.id}


def test_the_whole_round_through_the_api(session, client, world):
    ticket = tf.accepted(session, world).ticket
    member, lead, editor = bearer(world.member), bearer(world.lead), bearer(world.editor)
    payload = {
        "team_id": world.township_team.id,
        "unit_code": world.village.code,
        "problems": "低保评议程序不规范",
        "requirements": "重新组织评议",
        "deadline_days": 5,
        "ticket_numbers": [ticket.number],
    }

    created = client.post("/api/v1/notices", json=payload, headers=member)
    assert created.status_code == 201, created.text
    notice_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["tickets"] == [ticket.number]
    assert created.json()["actions"] == ["edit"]

    path = f"/api/v1/notices/{notice_id}"
    assert client.post(f"{path}/actions/issue", headers=member).status_code == 403
    out = client.post(f"{path}/actions/issue", headers=lead).json()
    assert out["status"] == "issued"
    assert out["number"].startswith("甲纪督〔")
    assert client.post(f"{path}/actions/issue", headers=lead).status_code == 409

    assert client.post(f"{path}/actions/sign", headers=editor).json()["status"] == "signed"
    refused = client.post(f"{path}/actions/respond", json={"report": " "}, headers=editor)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"report": "请填写整改报告"}
    responded = client.post(
        f"{path}/actions/respond",
        data={"report": REPORT},
        files=[("files", ("照片.png", tf.image_bytes(), "image/png"))],
        headers=editor,
    ).json()
    assert responded["status"] == "responded"
    assert [f["name"] for f in responded["files"]] == ["照片.png"]

    returned = client.post(
        f"{path}/actions/return", json={"reason": "缺少会议记录"}, headers=lead
    ).json()
    assert returned["status"] == "returned"
    assert returned["review_note"] == "缺少会议记录"
    client.post(f"{path}/actions/respond", json={"report": REPORT + "已补充。"}, headers=editor)
    accepted = client.post(f"{path}/actions/accept", json={}, headers=lead).json()
    assert accepted["status"] == "accepted"
    assert [step["action"] for step in accepted["timeline"]] == [
        "drafted",
        "issued",
        "signed",
        "responded",
        "returned",
        "responded",
        "accepted",
    ]
    assert actions(session, notice_id) == [
        "notice.drafted",
        "notice.issued",
        "notice.signed",
        "notice.responded",
        "notice.returned",
        "notice.responded",
        "notice.accepted",
    ]
    file_id = responded["files"][0]["id"]
    download = client.get(f"{path}/files/{file_id}", headers=editor)
    assert download.status_code == 200
    assert download.content.startswith(b"\x89PNG")


def test_create_and_issue_at_once_and_field_errors(session, client, world):
    payload = {
        "team_id": world.township_team.id,
        "unit_code": world.village.code,
        "problems": "问题",
        "requirements": "要求",
        "deadline_days": 5,
        "issue": True,
    }

    issued_now = client.post("/api/v1/notices", json=payload, headers=bearer(world.lead))
    bad_unit = client.post(
        "/api/v1/notices", json={**payload, "unit_code": "nope"}, headers=bearer(world.lead)
    )
    bad_days = client.post(
        "/api/v1/notices", json={**payload, "deadline_days": 0}, headers=bearer(world.lead)
    )
    not_member = client.post("/api/v1/notices", json=payload, headers=bearer(world.editor))
    other_team = client.post(
        "/api/v1/notices",
        json={**payload, "team_id": world.other_team.id},
        headers=bearer(world.lead),
    )

    assert issued_now.status_code == 201
    assert issued_now.json()["status"] == "issued"
    assert bad_unit.status_code == 422
    assert bad_unit.json()["errors"] == {"unit_code": "未找到该单位代码"}
    assert bad_days.status_code == 422
    assert "deadline_days" in bad_days.json()["errors"]
    assert not_member.status_code == 403
    assert other_team.status_code == 403
    assert len(session.exec(select(SupervisionNotice)).all()) == 1


def test_out_of_scope_is_404_and_wrong_role_403(session, client, world):
    notice = issued(session, world)
    path = f"/api/v1/notices/{notice.id}"

    assert client.get(path, headers=bearer(world.other_editor)).status_code == 404
    assert client.get(path, headers=bearer(world.outsider_member)).status_code == 404
    assert (
        client.post(f"{path}/actions/sign", headers=bearer(world.other_editor)).status_code == 404
    )
    assert client.post(f"{path}/actions/sign", headers=bearer(world.lead)).status_code == 403
    assert client.post(f"{path}/actions/sign", headers=bearer(world.admin)).status_code == 403
    assert client.get(path).status_code == 401
    session.refresh(notice)
    assert notice.status is NoticeStatus.ISSUED
    assert actions(session, notice.id) == ["notice.drafted", "notice.issued"]


def test_the_docx_download(session, client, world):
    with clock.frozen(MONDAY):
        notice = issued(session, world)

    response = client.get(f"/api/v1/notices/{notice.id}/docx", headers=bearer(world.editor))

    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "甲纪督〔2026〕1号" in paragraphs
