"""/api/v1/tickets — inbox, a ticket by audience, workflow actions and the identity reveal, with
the same permissions and scoping as the pages."""

from datetime import timedelta

import pytest

from app.core import clock
from app.ticket.models import TicketChannel, TicketStatus, UnitStage
from tests.ticket import factories as tf
from tests.web.ticket_helpers import bearer

SUMMARY = "群众反映村里办理证明拖延，请核实并于期限内回复办理情况。"


def test_inbox_lists_team_tickets_with_counts(session, client, world):
    submitted = tf.submit(session, world)
    forwarded = tf.forwarded(session, world)

    response = client.get("/api/v1/tickets", headers=bearer(world.member))

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert body["counts"]["submitted"] == 1
    assert body["counts"]["handling"] == 1
    row = next(item for item in body["items"] if item["number"] == submitted.number)
    assert row["audience"] == "team"
    assert row["kind"] == "complaint"
    assert row["category"] == "办事拖延"
    assert row["channel"] == "web"
    assert row["summary"] is None
    assert row["clock"]["clock"] == "acknowledge"
    assert row["clock"]["colour"] == "green"
    assert {item["number"] for item in body["items"]} == {submitted.number, forwarded.number}


def test_inbox_filters_and_pages(session, client, world):
    tf.submit(session, world)
    phone = tf.submit(session, world, channel=TicketChannel.HOTLINE, by=world.member)
    report = tf.submit(session, world, tf.report(world))
    headers = bearer(world.member)

    def found(**params) -> list[str]:
        response = client.get("/api/v1/tickets", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["number"] for item in response.json()["items"]]

    assert found(channel="hotline") == [phone.number]
    assert found(kind="report") == [report.number]
    assert found(category="graft") == [report.number]
    assert found(q="好处费") == [report.number]
    assert len(found(per_page=2)) == 2
    assert client.get("/api/v1/tickets?category=nope", headers=headers).status_code == 422
    assert client.get("/api/v1/tickets?colour=purple", headers=headers).status_code == 422


def test_inbox_red_tab(session, client, world):
    with clock.frozen(tf.MONDAY):
        late = tf.submit(session, world)
    with clock.frozen(tf.MONDAY + timedelta(days=3)):
        headers = bearer(world.member)
        body = client.get("/api/v1/tickets?tab=red", headers=headers).json()

    assert [item["number"] for item in body["items"]] == [late.number]
    assert body["items"][0]["clock"]["colour"] == "red"


def test_unit_editor_inbox_rows_carry_only_the_summary(session, client, world):
    forwarded = tf.forwarded(session, world, tf.report(world))
    tf.submit(session, world)

    body = client.get("/api/v1/tickets", headers=bearer(world.editor)).json()

    assert [item["number"] for item in body["items"]] == [forwarded.number]
    row = body["items"][0]
    assert row["audience"] == "unit"
    assert row["summary"] == SUMMARY
    assert row["unit_stage"] == "forwarded"
    assert row["assignee"] is None
    assert row["channel"] is None
    assert client.get("/api/v1/tickets", headers=bearer(world.other_editor)).json()["total"] == 0


def test_team_detail(session, client, world):
    receipt = tf.forwarded(session, world, tf.report(world))

    response = client.get(f"/api/v1/tickets/{receipt.number}", headers=bearer(world.member))

    assert response.status_code == 200
    body = response.json()
    assert body["audience"] == "team"
    assert body["content"] == tf.REPORT_TEXT
    assert body["is_anonymous"] is False
    assert "name" not in body
    assert tf.SECRET_NAME not in response.text
    assert body["handling_unit"]["code"] == world.village.code
    assert body["unit_stage"] == "forwarded"
    assert "forward" in body["actions"]
    assert [e["visibility"] for e in body["timeline"]][:2] == ["public", "team"]
    assert body["reveals"] is None  # members do not get the reveal log


def test_unit_detail_is_the_unit_view(session, client, world):
    receipt = tf.forwarded(session, world, tf.report(world))

    response = client.get(f"/api/v1/tickets/{receipt.number}", headers=bearer(world.editor))

    assert response.status_code == 200
    body = response.json()
    assert body["audience"] == "unit"
    assert body["summary"] == SUMMARY
    assert body["original_text"] is None
    assert set(body["actions"]) == {"unit_reply", "unit_return"}
    assert "content" not in body


def test_detail_out_of_scope_is_404(session, client, world):
    receipt = tf.submit(session, world)

    for username in ("admin", "outsider_member", "editor", "other_editor"):
        response = client.get(
            f"/api/v1/tickets/{receipt.number}", headers=bearer(getattr(world, username))
        )
        assert response.status_code == 404, username
    assert client.get(f"/api/v1/tickets/{receipt.number}").status_code == 401


def test_team_workflow_through_the_api(session, client, world):
    receipt = tf.submit(session, world)
    number = receipt.number
    member = bearer(world.member)
    editor = bearer(world.editor)
    lead = bearer(world.lead)
    base = f"/api/v1/tickets/{number}"

    assert client.post(f"{base}/actions/accept", json={}, headers=member).status_code == 200
    assigned = client.post(
        f"{base}/actions/assign", json={"assignee_id": world.member.id}, headers=lead
    )
    assert assigned.json()["assignee"] == "member1"
    forwarded = client.post(f"{base}/actions/forward", json={"summary": SUMMARY}, headers=member)
    assert forwarded.json()["unit_stage"] == "forwarded"
    returned = client.post(
        f"{base}/actions/unit-return", json={"reason": "不属于本村职责"}, headers=editor
    )
    assert returned.status_code == 200
    assert returned.json()["audience"] == "unit"
    reviewed = client.post(
        f"{base}/actions/review-return",
        json={"accept": False, "comment": "请继续办理"},
        headers=member,
    )
    assert reviewed.json()["unit_stage"] == "forwarded"
    replied = client.post(
        f"{base}/actions/unit-reply",
        json={"body": "经核实，已为群众办理证明，并批评教育经办人员。"},
        headers=editor,
    )
    assert replied.json()["stage"] == "replied"
    note = client.post(f"{base}/actions/note", json={"body": "已回访"}, headers=member)
    assert note.json()["timeline"][-1]["visibility"] == "team"
    answered = client.post(
        f"{base}/actions/answer",
        json={"reply": "经核实，村委会已为您办理证明，并对相关人员批评教育。"},
        headers=member,
    )
    assert answered.json()["status"] == "answered"
    closed = client.post(f"{base}/actions/close", json={}, headers=lead)
    assert closed.json()["status"] == "closed"
    session.refresh(receipt.ticket)
    assert receipt.ticket.status == TicketStatus.CLOSED
    for action in (
        "ticket.accepted",
        "ticket.assigned",
        "ticket.forwarded",
        "ticket.unit_returned",
        "ticket.return_reviewed",
        "ticket.unit_replied",
        "ticket.note_added",
        "ticket.answered",
        "ticket.closed",
    ):
        assert len(tf.events(session, action, receipt.ticket)) == 1, action


def test_report_disposition_through_the_api(session, client, world):
    receipt = tf.accepted(session, world, tf.report(world))
    base = f"/api/v1/tickets/{receipt.number}/actions"
    member = bearer(world.member)

    early = client.post(
        f"{base}/answer", json={"reply": "您反映的问题已受理，正在核实处理中。"}, headers=member
    )
    proposed = client.post(f"{base}/disposition", json={"disposition": "verify"}, headers=member)
    by_member = client.post(f"{base}/approve-disposition", headers=member)
    by_lead = client.post(f"{base}/approve-disposition", headers=bearer(world.lead))

    assert early.status_code == 409
    assert "批准处置方式" in early.json()["detail"]
    assert proposed.json()["disposition"] == "verify"
    assert proposed.json()["disposition_approved"] is False
    assert by_member.status_code == 403
    assert by_lead.json()["disposition_approved"] is True
    assert by_lead.json()["reveals"] == []


def test_action_errors(session, client, world):
    receipt = tf.submit(session, world)
    base = f"/api/v1/tickets/{receipt.number}/actions"
    member = bearer(world.member)

    short = client.post(f"{base}/reject", json={"reason": "x"}, headers=member)
    missing = client.post(f"{base}/reject", json={}, headers=member)
    merge = client.post(f"{base}/merge", json={"into": "TS-20990101-0001"}, headers=member)
    wrong_state = client.post(f"{base}/answer", json={"reply": "x" * 20}, headers=member)
    editor = client.post(f"{base}/accept", json={}, headers=bearer(world.editor))
    outsider = client.post(f"{base}/accept", json={}, headers=bearer(world.outsider_member))

    assert short.status_code == 422
    assert "reason" in short.json()["errors"]
    assert missing.status_code == 422
    assert merge.status_code == 422
    assert merge.json()["errors"] == {"into": "未找到该受理编号的工单"}
    assert wrong_state.status_code == 409
    assert editor.status_code == 403
    assert outsider.status_code == 404
    assert tf.events(session, "ticket.rejected") == []


def test_unit_actions_need_the_unit(session, client, world):
    receipt = tf.forwarded(session, world)
    url = f"/api/v1/tickets/{receipt.number}/actions/unit-reply"
    body = {"body": "经核实，已为群众办理证明。"}

    assert client.post(url, json=body, headers=bearer(world.member)).status_code == 403
    assert client.post(url, json=body, headers=bearer(world.other_editor)).status_code == 404
    session.refresh(receipt.ticket)
    assert receipt.ticket.unit_stage == UnitStage.FORWARDED


def test_identity_reveal(session, client, world):
    receipt = tf.submit(session, world, tf.report(world))
    url = f"/api/v1/tickets/{receipt.number}/identity"

    revealed = client.post(url, json={"reason": "需要电话核实"}, headers=bearer(world.member))
    no_reason = client.post(url, json={"reason": ""}, headers=bearer(world.member))
    admin = client.post(url, json={"reason": "需要电话核实"}, headers=bearer(world.admin))
    editor = client.post(url, json={"reason": "需要电话核实"}, headers=bearer(world.editor))

    assert revealed.status_code == 200
    assert revealed.headers["Cache-Control"] == "no-store"
    assert revealed.json() == {
        "name": tf.SECRET_NAME,
        "mobile": tf.SECRET_MOBILE,
        "id_number": tf.SECRET_ID,
    }
    assert no_reason.status_code == 422
    assert admin.status_code == 404
    assert editor.status_code == 403
    [event] = tf.events(session, "ticket.identity_revealed", receipt.ticket)
    assert event.data == {"reason": "需要电话核实"}
    lead_view = client.get(f"/api/v1/tickets/{receipt.number}", headers=bearer(world.lead))
    assert [r["reason"] for r in lead_view.json()["reveals"]] == ["需要电话核实"]


def test_anonymous_identity_is_a_409(session, client, world):
    receipt = tf.submit(session, world)

    response = client.post(
        f"/api/v1/tickets/{receipt.number}/identity",
        json={"reason": "需要电话核实"},
        headers=bearer(world.member),
    )

    assert response.status_code == 409


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/actions/accept",
        "/api/v1/tickets/{number}/identity",
    ],
)
def test_openapi_documents_the_routes_with_examples(client, path):
    schema = client.get("/openapi.json").json()

    assert path in schema["paths"]
    operations = schema["paths"][path]
    operation = operations.get("post") or operations["get"]
    assert operation["summary"]
    if "post" in operations:
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        model = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert model.get("examples"), ref


def test_api_needs_no_csrf_but_a_token(session, client, world):
    receipt = tf.submit(session, world)

    response = client.post(f"/api/v1/tickets/{receipt.number}/actions/accept", json={})

    assert response.status_code == 401
    session.refresh(receipt.ticket)
    assert receipt.ticket.status == TicketStatus.SUBMITTED
