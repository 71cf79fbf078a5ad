"""enqueue(): part of the caller's transaction, idempotent by key, recipient encrypted at rest."""

import pytest
from sqlalchemy import text as sql
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import crypto
from app.core.errors import Conflict, ValidationFailed
from app.notify import messages
from app.notify import service as notify_service
from app.notify.models import Channel, OutboxMessage, OutboxStatus


def outbox_count(session) -> int:
    return len(session.exec(select(OutboxMessage)).all())


def test_enqueue_commits_and_rolls_back_with_the_callers_change(session, world):
    kept = session.begin_nested()
    notify_service.enqueue(
        session, channel=Channel.SMS, recipient="13812341234", subject="", body="已受理"
    )
    kept.commit()
    undone = session.begin_nested()
    world.village.hotline = "0574-99999999"
    notify_service.enqueue(
        session, channel=Channel.SMS, recipient="13900000000", subject="", body="不应发送"
    )
    undone.rollback()
    session.expire_all()
    bodies = [message.body for message in session.exec(select(OutboxMessage)).all()]
    assert bodies == ["已受理"]
    assert world.village.hotline != "0574-99999999"


def test_enqueued_message_waits_for_the_worker(session):
    message = notify_service.enqueue(
        session, channel=Channel.EMAIL, recipient="a@example.com", subject="主题", body="正文"
    )
    assert message.id is not None
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    assert message.sent_at is None


def test_recipient_is_encrypted_at_rest_and_masked_for_display(session):
    message = notify_service.enqueue(
        session, channel=Channel.SMS, recipient="138 1234-1234", subject="", body="正文"
    )
    stored = session.execute(
        sql("SELECT recipient, recipient_hint FROM notify_outbox WHERE id = :id"),
        {"id": message.id},
    ).one()
    assert "13812341234" not in stored.recipient
    assert stored.recipient.startswith(f"{crypto.keyring().current_id}:")
    assert stored.recipient_hint == "138****1234"
    assert notify_service.decrypt_recipient(stored.recipient) == "13812341234"


def test_a_recipient_token_does_not_decrypt_as_another_field(session):
    message = notify_service.enqueue(
        session, channel=Channel.SMS, recipient="13812341234", subject="", body="正文"
    )
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(message.recipient, aad="ticket.contact_phone")


@pytest.mark.parametrize(
    ("channel", "recipient", "hint"),
    [
        (Channel.SMS, "+86 13812341234", "138****1234"),
        (Channel.EMAIL, "zhangsan@example.com", "z***@example.com"),
        (Channel.STAFF, "user:12", "user:12"),
    ],
)
def test_masks(session, channel, recipient, hint):
    message = notify_service.enqueue(
        session, channel=channel, recipient=recipient, subject="", body="x"
    )
    assert message.recipient_hint == hint


@pytest.mark.parametrize(
    ("channel", "recipient"),
    [(Channel.SMS, "12345"), (Channel.SMS, "23812341234"), (Channel.EMAIL, "not-an-address")],
)
def test_bad_recipients_are_refused_in_chinese(session, channel, recipient):
    with pytest.raises(ValidationFailed) as caught:
        notify_service.enqueue(session, channel=channel, recipient=recipient, subject="", body="x")
    assert set(caught.value.errors) == {"recipient"}
    assert outbox_count(session) == 0


def test_dedupe_key_makes_enqueue_idempotent(session):
    first = notify_service.enqueue_message(
        session,
        channel=Channel.SMS,
        recipient="13812341234",
        message=messages.ticket_acknowledged("TS-20261122-0001"),
        dedupe_key="ticket:1:acknowledged",
    )
    again = notify_service.enqueue_message(
        session,
        channel=Channel.SMS,
        recipient="13812341234",
        message=messages.ticket_acknowledged("TS-20261122-0001"),
        dedupe_key="ticket:1:acknowledged",
    )
    assert again.id == first.id
    assert outbox_count(session) == 1


def test_message_texts_name_the_ticket_and_the_tracking_page():
    text = messages.ticket_acknowledged("TS-20261122-0042")
    assert "TS-20261122-0042" in text.body
    assert "已受理" in text.subject
    assert text.body.count("/track") == 1
    assert "超期" in messages.staff_overdue("TS-1", 1).body
    assert "上级" in messages.staff_overdue("TS-1", 2).body
    assert "甲村" in messages.staff_new_ticket("TS-1", "甲村").body


def test_retry_revives_a_dead_message_and_is_audited(session, world):
    message = notify_service.enqueue(
        session, channel=Channel.SMS, recipient="13812341234", subject="", body="x"
    )
    message.status = OutboxStatus.DEAD
    message.attempts = 8
    session.add(message)
    session.flush()
    notify_service.retry(session, actor=world.admin, message_id=message.id)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event.action == "notify.retried"
    assert event.object_id == str(message.id)
    assert event.data["status"] == {"from": "dead", "to": "pending"}


def test_only_dead_messages_can_be_retried(session, world):
    message = notify_service.enqueue(
        session, channel=Channel.SMS, recipient="13812341234", subject="", body="x"
    )
    with pytest.raises(Conflict):
        notify_service.retry(session, actor=world.admin, message_id=message.id)
