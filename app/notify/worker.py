"""Deliver due outbox messages: claim them with a lease, send outside any transaction, record.

Delivery is at least once: a process that dies after sending but before recording leaves a
lease that expires, and the message is sent again (the webhook carries the outbox id so a
gateway can drop the duplicate). Nothing is ever lost.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.notify import senders
from app.notify.models import Channel, OutboxMessage, OutboxStatus
from app.notify.senders import Sender, SendError
from app.notify.service import decrypt_recipient

logger = logging.getLogger("xiaowei.notify")

# Long enough for a whole batch of slow sends (each bounded by the sender's timeout).
LEASE = timedelta(minutes=15)
BACKOFF_START = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
DEFAULT_BATCH = 20
_DUE = (OutboxStatus.PENDING, OutboxStatus.FAILED)


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most one hour."""
    return min(BACKOFF_START * (1 << min(max(attempts - 1, 0), 10)), BACKOFF_CAP)


@dataclass
class DeliveryReport:
    """What one run did (printed by `xiaowei notify deliver`, logged by the periodic runner)."""

    recovered: int = 0
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    def __str__(self) -> str:
        return (
            f"取出 {self.claimed} 条：发送成功 {self.sent}，稍后重试 {self.retrying}，"
            f"停止重试 {self.dead}；恢复中断 {self.recovered} 条"
        )


@dataclass(frozen=True)
class _Claimed:
    id: int
    channel: Channel
    recipient: str
    subject: str
    body: str
    # Doubles as a fencing token: only the worker holding this attempt may record its outcome.
    attempts: int


SenderFor = Callable[[Channel], Sender]


def deliver_due(
    session_factory: Callable[[], Session],
    now: datetime,
    batch: int = DEFAULT_BATCH,
    *,
    sender_for: SenderFor | None = None,
    max_attempts: int | None = None,
) -> DeliveryReport:
    """Send up to `batch` messages that are due at `now`; each outcome commits on its own."""
    settings = get_settings()
    limit = max_attempts or settings.notify_max_attempts
    choose: SenderFor = sender_for or (lambda channel: senders.sender_for(channel, settings))
    report = DeliveryReport(recovered=recover_expired_leases(session_factory, now, limit))
    claimed = _claim(session_factory, now, batch)
    report.claimed = len(claimed)
    chosen: dict[Channel, Sender] = {}
    for message in claimed:
        error, permanent = _send(message, chosen, choose)
        if error is None:
            _record_sent(session_factory, message, now)
            report.sent += 1
        elif permanent or message.attempts >= limit:
            _record_failure(session_factory, message, now, error, dead=True)
            report.dead += 1
        else:
            _record_failure(session_factory, message, now, error, dead=False)
            report.retrying += 1
    return report


def recover_expired_leases(
    session_factory: Callable[[], Session], now: datetime, max_attempts: int
) -> int:
    """Return messages whose worker vanished mid-send to the queue (or give up on them)."""
    expired = (
        col(OutboxMessage.status) == OutboxStatus.SENDING,
        col(OutboxMessage.lease_until) < now,
    )
    note = "发送过程中断（进程退出或超时），已重新排队"
    with session_factory() as session:
        dead = session.exec(
            update(OutboxMessage)
            .where(*expired, col(OutboxMessage.attempts) >= max_attempts)
            .values(status=OutboxStatus.DEAD, lease_until=None, last_error=note)
            .returning(col(OutboxMessage.id))
        ).all()
        requeued = session.exec(
            update(OutboxMessage)
            .where(*expired)
            .values(
                status=OutboxStatus.PENDING, lease_until=None, next_attempt_at=now, last_error=note
            )
            .returning(col(OutboxMessage.id))
        ).all()
        session.commit()
    if dead or requeued:
        logger.warning("notify: %d expired leases requeued, %d given up", len(requeued), len(dead))
    return len(dead) + len(requeued)


def _claim(session_factory: Callable[[], Session], now: datetime, batch: int) -> list[_Claimed]:
    # One UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING: on PostgreSQL
    # concurrent workers skip each other's rows; on SQLite the single statement takes the write
    # lock before it reads, so two workers can never claim the same row either.
    due = (
        select(OutboxMessage.id)
        .where(col(OutboxMessage.status).in_(_DUE), col(OutboxMessage.next_attempt_at) <= now)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    with session_factory() as session:
        rows = session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(due), col(OutboxMessage.status).in_(_DUE))
            .values(
                status=OutboxStatus.SENDING,
                lease_until=now + LEASE,
                attempts=col(OutboxMessage.attempts) + 1,
            )
            .returning(
                col(OutboxMessage.id),
                col(OutboxMessage.channel),
                col(OutboxMessage.recipient),
                col(OutboxMessage.subject),
                col(OutboxMessage.body),
                col(OutboxMessage.attempts),
            )
        ).all()
        session.commit()
    claimed = [
        _Claimed(
            id=row[0],
            channel=Channel(row[1]),
            recipient=row[2],
            subject=row[3],
            body=row[4],
            attempts=row[5],
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda message: message.id)


def _send(
    message: _Claimed, chosen: dict[Channel, Sender], choose: SenderFor
) -> tuple[str | None, bool]:
    """Deliver one message; return (error or None, whether the error is permanent)."""
    try:
        to = decrypt_recipient(message.recipient)
        if message.channel not in chosen:
            chosen[message.channel] = choose(message.channel)
        chosen[message.channel].send(
            to=to, subject=message.subject, body=message.body, message_id=message.id
        )
    except SendError as exc:
        logger.warning(
            "notify: message #%d attempt %d failed: %s", message.id, message.attempts, exc
        )
        return str(exc)[:500], exc.permanent
    except Exception as exc:
        # A sender bug or a key problem must not stop the batch; the message retries and the
        # error shows on /staff/notifications.
        logger.exception("notify: message #%d attempt %d crashed", message.id, message.attempts)
        return f"{type(exc).__name__}: {exc}"[:500], False
    return None, False


def _fenced(message: _Claimed) -> ColumnElement[bool]:
    return and_(
        col(OutboxMessage.id) == message.id,
        col(OutboxMessage.status) == OutboxStatus.SENDING,
        col(OutboxMessage.attempts) == message.attempts,
    )


def _record_sent(session_factory: Callable[[], Session], message: _Claimed, now: datetime) -> None:
    with session_factory() as session:
        session.exec(
            update(OutboxMessage)
            .where(_fenced(message))
            .values(status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error="")
        )
        session.commit()


def _record_failure(
    session_factory: Callable[[], Session],
    message: _Claimed,
    now: datetime,
    error: str,
    *,
    dead: bool,
) -> None:
    values: dict[str, object] = {"lease_until": None, "last_error": error}
    if dead:
        values["status"] = OutboxStatus.DEAD
    else:
        values["status"] = OutboxStatus.FAILED
        values["next_attempt_at"] = now + backoff(message.attempts)
    with session_factory() as session:
        session.exec(update(OutboxMessage).where(_fenced(message)).values(values))
        session.commit()


def drain(
    session_factory: Callable[[], Session],
    now: datetime,
    batch: int = DEFAULT_BATCH,
    *,
    max_batches: int = 50,
    sender_for: SenderFor | None = None,
) -> DeliveryReport:
    """deliver_due() until nothing due is left (bounded, so one run cannot go on forever)."""
    total = DeliveryReport()
    for _ in range(max_batches):
        report = deliver_due(session_factory, now, batch, sender_for=sender_for)
        total.recovered += report.recovered
        total.claimed += report.claimed
        total.sent += report.sent
        total.retrying += report.retrying
        total.dead += report.dead
        if report.claimed < batch:
            break
    return total
