"""/api/v1/ledger — list with filters and counts, get, create (by hand and linked), edit,
progress, submit, verify with the public summary, reject, export; the same permissions and
error shapes as the pages."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision import ledger
from app.supervision.models import RectificationSource
from tests.supervision.factories import MONDAY, issued, principal
from tests.ticket import factories as tf
from tests.web.ticket_helpers import bearer

TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(MONDAY):
        yield


def entry(session, world, **fields):
    data = {
        "team_id": world.township_team.id,
        "unit_id": world.village.id,
        "problem": "村务公开栏未按时更新",
        "deadline": TODAY + timedelta(days=10),
    }
    data.update(fields)
    return ledger.create_rectification(session, principal=principal(session, world.member), **data)


def test_list_filters_and_counts(session, client, world):
    entry(session, world, problem="逾期", deadline=TODAY - timedelta(days=1))
    entry(session, world, problem="审计", source=RectificationSource.AUDIT)
    entry(session, world, problem="镇里", unit_id=world.township.id)
    headers = bearer(world.member)

    body = client.get("/api/v1/ledger", headers=headers).json()
    assert body["total"] == 3
    assert body["counts_by_status"] == {"overdue": 1, "in_progress": 2}
    assert body["counts_by_source"] == {"manual": 2, "audit": 1}
    late = next(i for i in body["items"] if i["problem"] == "逾期")
    assert (late["status"], late["status_label"], late["stored_status"]) == (
        "overdue",
        "逾期",
        "in_progress",
    )
    assert late["unit"]["code"] == world.village.code

    def problems(**params):
        response = client.get("/api/v1/ledger", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(i["problem"] for i in response.json()["items"])

    assert problems(status="overdue") == ["逾期"]
    assert problems(source="audit") == ["审计"]
    assert problems(unit=world.village.code) == ["审计", "逾期"]
    assert problems(unit=world.township.code) == ["审计", "逾期", "镇里"]
    assert problems(**{"from": "2026-11-03"}) == []
    bad = client.get("/api/v1/ledger?unit=999", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"unit": "单位代码不存在"}
    assert client.get("/api/v1/ledger", headers=bearer(world.other_editor)).json()["total"] == 0


def test_get_is_scoped(session, client, world):
    item = entry(session, world)
    assert client.get(f"/api/v1/ledger/{item.id}", headers=bearer(world.editor)).status_code == 200
    response = client.get(f"/api/v1/ledger/{item.id}", headers=bearer(world.other_editor))
    assert response.status_code == 404
    assert response.json() == {"detail": "整改事项不存在"}
    assert client.get(f"/api/v1/ledger/{item.id}").status_code == 401


def test_create_by_hand_from_a_ticket_and_from_a_notice(session, client, world):
    headers = bearer(world.member)
    response = client.post(
        "/api/v1/ledger",
        json={
            "team_id": world.township_team.id,
            "unit_code": world.village.code,
            "source": "audit",
            "problem": "集体资产出租未招标",
            "deadline": "2026-12-31",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["source"] == "audit"

    with clock.frozen(tf.MONDAY):
        ticket = tf.forwarded(session, world).ticket
    response = client.post(
        "/api/v1/ledger",
        json={"ticket_number": ticket.number, "problem": "办证拖延", "deadline": "2026-11-30"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["ticket_number"] == ticket.number
    assert response.json()["unit"]["id"] == world.village.id

    notice = issued(session, world)
    response = client.post("/api/v1/ledger", json={"notice_id": notice.id}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["source"] == "notice"
    assert body["deadline"] == clock.to_local(notice.due_at).date().isoformat()

    invalid = client.post(
        "/api/v1/ledger",
        json={"team_id": world.township_team.id, "unit_code": world.village.code},
        headers=headers,
    )
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"problem", "deadline"}
    editor = client.post(
        "/api/v1/ledger",
        json={"team_id": world.township_team.id, "unit_code": world.village.code},
        headers=bearer(world.editor),
    )
    assert editor.status_code == 403


def test_progress_with_evidence_files_as_multipart(session, client, world):
    item = entry(session, world)
    url = f"/api/v1/ledger/{item.id}/progress"
    unit = bearer(world.editor)

    response = client.post(
        url,
        data={"body": "公开栏已更新"},
        files=[
            ("files", ("现场.png", tf.image_bytes(), "image/png")),
            ("files", ("会议记录.pdf", tf.pdf_bytes(author="李四"), "application/pdf")),
        ],
        headers=unit,
    )

    assert response.status_code == 200
    out = response.json()
    assert [n["body"] for n in out["notes"]] == ["公开栏已更新"]
    assert [f["name"] for f in out["files"]] == ["现场.png", "会议记录.pdf"]
    refused = client.post(
        url,
        data={"body": "再补一张"},
        files=[("files", ("假图.jpg", b"not an image", "image/jpeg"))],
        headers=unit,
    )
    assert refused.status_code == 422
    assert "按文件内容判断" in next(iter(refused.json()["errors"].values()))
    assert len(client.get(f"/api/v1/ledger/{item.id}", headers=unit).json()["notes"]) == 1
    documented = client.get("/openapi.json").json()["paths"]["/api/v1/ledger/{entry_id}/progress"]
    assert "multipart/form-data" in documented["post"]["requestBody"]["content"]


def test_progress_submit_reject_verify_and_edit(session, client, world):
    item = entry(session, world)
    unit, lead = bearer(world.editor), bearer(world.lead)
    url = f"/api/v1/ledger/{item.id}"

    response = client.post(f"{url}/progress", json={"body": "已制定方案"}, headers=unit)
    assert response.status_code == 200
    assert [n["body"] for n in response.json()["notes"]] == ["已制定方案"]
    assert client.post(f"{url}/verify", json={"note": "x"}, headers=lead).status_code == 409
    response = client.post(f"{url}/submit", json={"completion": "已更新"}, headers=unit)
    assert response.json()["status"] == "submitted"
    assert client.post(f"{url}/verify", json={"note": "x"}, headers=unit).status_code == 403
    assert (
        client.post(f"{url}/verify", json={"note": "x"}, headers=bearer(world.outsider_member))
    ).status_code == 404
    response = client.post(f"{url}/reject", json={"reason": "缺照片"}, headers=lead)
    assert response.json()["status"] == "in_progress"
    client.post(f"{url}/submit", json={"completion": "补了照片"}, headers=unit)
    response = client.post(
        f"{url}/verify",
        json={"note": "整改到位", "public_summary": "公开栏已按月更新。"},
        headers=lead,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["public_summary"]) == ("verified", "公开栏已按月更新。")
    edit = client.put(url, json={"problem": "改", "deadline": "2027-01-01"}, headers=lead)
    assert edit.status_code == 409
    actions = session.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.object_type) == "supervision_rectification")
        .order_by(col(AuditEvent.id))
    ).all()
    assert actions[-2:] == ["rectification.submitted", "rectification.verified"]


def test_edit_by_the_team(session, client, world):
    item = entry(session, world)
    response = client.put(
        f"/api/v1/ledger/{item.id}",
        json={"problem": "改过的问题", "deadline": "2027-01-01", "responsible_person": "李四"},
        headers=bearer(world.member),
    )
    assert response.status_code == 200
    assert response.json()["problem"] == "改过的问题"
    assert response.json()["deadline"] == "2027-01-01"


def test_export(session, client, world):
    entry(session, world, problem="导出的问题")
    response = client.get("/api/v1/ledger/export.xlsx", headers=bearer(world.member))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "序号"
    assert rows[1][9] == "销号情况"
    assert rows[2][2] == "导出的问题"
