"""Put messages in the outbox (in the caller's transaction), list them, retry dead ones."""

import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.audit import service as audit_service
from app.audit.service import Actor
from app.core import clock, crypto
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.notify.messages import Message
from app.notify.models import Channel, OutboxMessage, OutboxStatus

# Binds every recipient token to this column, so a token copied elsewhere will not decrypt.
RECIPIENT_AAD = "notify_outbox.recipient"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def enqueue(
    session: Session,
    *,
    channel: Channel,
    recipient: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the caller's transaction commits.

    With a `dedupe_key` the call is idempotent: a message already enqueued under the same key
    (by this or any committed transaction) is returned instead of a second one.
    """
    recipient = _normalise_recipient(channel, recipient)
    if dedupe_key is not None:
        existing = _by_dedupe_key(session, dedupe_key)
        if existing is not None:
            return existing
    message = OutboxMessage(
        created_at=clock.now(),
        channel=channel,
        recipient=crypto.encrypt(recipient, aad=RECIPIENT_AAD),
        recipient_hint=mask_recipient(channel, recipient),
        subject=subject[:200],
        body=body,
        status=OutboxStatus.PENDING,
        next_attempt_at=clock.now(),
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        session.add(message)
        session.flush()
        return message
    # A concurrent transaction may have enqueued the same key after our check; the savepoint
    # keeps the caller's own changes when the unique index says so.
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        existing = _by_dedupe_key(session, dedupe_key)
        if existing is None:
            raise
        return existing
    return message


def enqueue_message(
    session: Session,
    *,
    channel: Channel,
    recipient: str,
    message: Message,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """enqueue() a text from app.notify.messages."""
    return enqueue(
        session,
        channel=channel,
        recipient=recipient,
        subject=message.subject,
        body=message.body,
        dedupe_key=dedupe_key,
    )


def _by_dedupe_key(session: Session, dedupe_key: str) -> OutboxMessage | None:
    return session.exec(
        select(OutboxMessage).where(col(OutboxMessage.dedupe_key) == dedupe_key)
    ).first()


def _normalise_recipient(channel: Channel, recipient: str) -> str:
    value = recipient.strip()
    if channel == Channel.SMS:
        value = re.sub(r"[\s-]", "", value).removeprefix("+86")
        if not _MOBILE.match(value):
            raise ValidationFailed({"recipient": "手机号码应为 11 位数字，以 1 开头"})
    elif channel == Channel.EMAIL:
        if not _EMAIL.match(value) or len(value) > 254:
            raise ValidationFailed({"recipient": "电子邮箱地址格式不正确"})
    elif not value or len(value) > 100:
        raise ValidationFailed({"recipient": "接收人不能为空"})
    return value


def mask_recipient(channel: Channel, recipient: str) -> str:
    """What staff may see of a recipient: 138****1234, z***@example.com; staff ids in full."""
    if channel == Channel.SMS and len(recipient) >= 7:
        return f"{recipient[:3]}****{recipient[-4:]}"
    if channel == Channel.EMAIL and "@" in recipient:
        local, _, domain = recipient.rpartition("@")
        return f"{local[:1]}***@{domain}"[:64]
    if channel == Channel.STAFF:
        return recipient[:64]
    return f"{recipient[:1]}***"


def decrypt_recipient(token: str) -> str:
    """The plain recipient of a stored token (only the worker needs it)."""
    return crypto.decrypt(token, aad=RECIPIENT_AAD)


def list_messages(
    session: Session, *, status: OutboxStatus | None = None, page: int = 1, per_page: int = 50
) -> Page[OutboxMessage]:
    """Newest first, optionally one status."""
    statement = select(OutboxMessage)
    if status is not None:
        statement = statement.where(col(OutboxMessage.status) == status)
    statement = statement.order_by(col(OutboxMessage.id).desc())
    return paginate(session, statement, page=page, per_page=per_page)


def count_by_status(session: Session) -> dict[OutboxStatus, int]:
    """How many messages are in each status (every status present, zero when none)."""
    rows = session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in rows:
        counts[OutboxStatus(status)] = count
    return counts


def retry(session: Session, *, actor: Actor, message_id: int) -> OutboxMessage:
    """Give a dead message a fresh set of attempts, starting now (audited)."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("通知不存在")
    if message.status != OutboxStatus.DEAD:
        raise Conflict("只有已停止重试的通知可以重新发送")
    changes = {
        "status": {"from": message.status.value, "to": OutboxStatus.PENDING.value},
        "attempts": {"from": message.attempts, "to": 0},
    }
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = clock.now()
    message.lease_until = None
    session.add(message)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="notify.retried",
        object_type="notification",
        object_id=message.id,
        data=changes,
    )
    return message
