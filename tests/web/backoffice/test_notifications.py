"""/staff/notifications: the outbox for administrators, recipients masked, dead messages retried."""

from datetime import UTC, datetime

import pytest
from sqlmodel import col, func, select

from app.audit.models import AuditEvent
from app.core import clock
from app.notify import service as notify_service
from app.notify.models import Channel, OutboxMessage, OutboxStatus
from tests.html import one, parse, text, texts

HX = {"HX-Request": "true"}
URL = "/staff/notifications"


@pytest.fixture
def outbox(session) -> dict[str, OutboxMessage]:
    """One message in each interesting state."""
    made: dict[str, OutboxMessage] = {}
    with clock.frozen(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)):
        for name, channel, recipient, status, error in [
            ("sent", Channel.SMS, "13812341234", OutboxStatus.SENT, ""),
            ("failed", Channel.EMAIL, "zhangsan@example.com", OutboxStatus.FAILED, "网关超时"),
            ("dead", Channel.SMS, "13900001111", OutboxStatus.DEAD, "网关返回 HTTP 400"),
        ]:
            message = notify_service.enqueue(
                session, channel=channel, recipient=recipient, subject=f"通知{name}", body="正文"
            )
            message.status = status
            message.last_error = error
            message.attempts = 8 if status == OutboxStatus.DEAD else 1
            message.sent_at = clock.now() if status == OutboxStatus.SENT else None
            session.add(message)
            made[name] = message
    session.flush()
    return made


def audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_admin_sees_every_message_with_masked_recipients_and_errors(
    client, login_as, world, outbox
):
    response = login_as(world.admin).get(URL)
    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert text(one(page, "h1")) == "通知发送"
    dead = one(page, f"#notification-{outbox['dead'].id}")
    assert text(one(dead, ".notification-recipient")) == "139****1111"
    assert text(one(dead, ".notification-channel")) == "短信"
    assert text(one(dead, ".notification-status .badge")) == "已停止重试"
    assert text(one(dead, ".notification-error")) == "网关返回 HTTP 400"
    assert text(one(dead, ".notification-actions button")) == "重新发送"
    failed = one(page, f"#notification-{outbox['failed'].id}")
    assert text(one(failed, ".notification-recipient")) == "z***@example.com"
    assert "下次重试" in text(one(failed, ".notification-status"))
    assert failed.select(".notification-actions button") == []
    # 01:00 UTC is 09:00 in Shanghai.
    sent = one(page, f"#notification-{outbox['sent'].id}")
    assert "2026-11-23 09:00" in text(one(sent, ".notification-status"))
    # No full phone number or address anywhere on the page.
    body = text(page)
    assert "13900001111" not in body
    assert "zhangsan@" not in body
    counts = {
        item["data-status"]: text(one(item, ".count"))
        for item in page.select(".notification-count")
    }
    assert counts == {"pending": "0", "sending": "0", "sent": "1", "failed": "1", "dead": "1"}


def test_filter_fragment_is_only_the_table(client, login_as, world, outbox):
    response = login_as(world.admin).get(f"{URL}?status=dead", headers=HX)
    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    fragment = parse(response)
    assert fragment.select("h1") == []
    one(fragment, "section#notification-table")
    assert [row["id"] for row in fragment.select("tr.notification-row")] == [
        f"notification-{outbox['dead'].id}"
    ]
    assert text(one(fragment, "#notification-total")) == "1"


def test_unknown_status_filter_shows_everything(client, login_as, world, outbox):
    page = parse(login_as(world.admin).get(f"{URL}?status=bogus"))
    assert len(page.select("tr.notification-row")) == 3


def test_empty_outbox(client, login_as, world):
    page = parse(login_as(world.admin).get(URL))
    assert text(one(page, "p.empty")) == "没有符合条件的通知。"


@pytest.mark.parametrize("role", ["lead", "member", "editor"])
def test_other_roles_are_forbidden(client, login_as, world, outbox, role):
    assert login_as(getattr(world, role)).get(URL).status_code == 403


def test_signed_out_visitors_are_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/staff/notifications"


def test_retry_requeues_a_dead_message_and_is_audited(
    client, login_as, csrf, session, world, outbox
):
    dead = outbox["dead"]
    response = login_as(world.admin).post(f"{URL}/{dead.id}/retry", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == f"{URL}?status=pending&retried={dead.id}"
    session.refresh(dead)
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert (event.action, event.object_id, event.actor_id) == (
        "notify.retried",
        str(dead.id),
        world.admin.id,
    )
    page = parse(client.get(response.headers["location"]))
    assert text(one(page, ".notice.success")) == f"通知 #{dead.id} 已重新排队，将在下一轮发送。"
    assert texts(page, "tr.notification-row .notification-status .badge") == ["待发送"]


def test_retry_with_htmx_navigates_to_the_list(client, login_as, csrf, world, outbox):
    response = login_as(world.admin).post(
        f"{URL}/{outbox['dead'].id}/retry", headers={**HX, "X-CSRF-Token": csrf}
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(f"{URL}?status=pending")


def test_retry_without_csrf_changes_nothing(client, login_as, session, world, outbox):
    before = audit_count(session)
    dead = outbox["dead"]
    response = login_as(world.admin).post(f"{URL}/{dead.id}/retry")
    assert response.status_code == 403
    session.refresh(dead)
    assert dead.status == OutboxStatus.DEAD
    assert audit_count(session) == before


@pytest.mark.parametrize("role", ["lead", "member", "editor"])
def test_retry_is_forbidden_to_other_roles(client, login_as, csrf, session, world, outbox, role):
    dead = outbox["dead"]
    response = login_as(getattr(world, role)).post(
        f"{URL}/{dead.id}/retry", data={"csrf_token": csrf}
    )
    assert response.status_code == 403
    session.refresh(dead)
    assert dead.status == OutboxStatus.DEAD


def test_retry_of_a_message_that_is_not_dead_is_a_conflict(
    client, login_as, csrf, session, world, outbox
):
    sent = outbox["sent"]
    response = login_as(world.admin).post(f"{URL}/{sent.id}/retry", data={"csrf_token": csrf})
    assert response.status_code == 409
    session.refresh(sent)
    assert sent.status == OutboxStatus.SENT


def test_retry_of_an_unknown_message_is_not_found(client, login_as, csrf, world):
    response = login_as(world.admin).post(f"{URL}/999999/retry", data={"csrf_token": csrf})
    assert response.status_code == 404
