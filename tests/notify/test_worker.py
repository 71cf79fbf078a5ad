"""The worker: sends due messages, backs off on failure, gives up after N, survives crashes."""

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.core import clock
from app.notify import service as notify_service
from app.notify import worker
from app.notify.models import Channel, OutboxMessage, OutboxStatus
from tests.notify.conftest import FailingSender, RecordingSender

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def enqueue(session: Session, recipient: str = "13812341234", body: str = "已受理") -> int:
    with clock.frozen(T0):
        message = notify_service.enqueue(
            session, channel=Channel.SMS, recipient=recipient, subject="受理告知", body=body
        )
    assert message.id is not None
    return message.id


def reload(session: Session, message_id: int) -> OutboxMessage:
    session.expire_all()
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def test_due_messages_are_sent_to_the_decrypted_recipient(session, session_factory):
    message_id = enqueue(session)
    gateway = RecordingSender()
    report = worker.deliver_due(session_factory, T0, sender_for=lambda channel: gateway)
    assert (report.claimed, report.sent) == (1, 1)
    assert [(d.to, d.subject, d.body, d.message_id) for d in gateway.sent] == [
        ("13812341234", "受理告知", "已受理", message_id)
    ]
    message = reload(session, message_id)
    assert message.status == OutboxStatus.SENT
    assert message.sent_at == T0
    assert message.attempts == 1
    assert message.lease_until is None


def test_sent_messages_are_not_sent_again(session, session_factory):
    enqueue(session)
    gateway = RecordingSender()
    worker.deliver_due(session_factory, T0, sender_for=lambda channel: gateway)
    report = worker.deliver_due(session_factory, T0 + MINUTE, sender_for=lambda channel: gateway)
    assert report.claimed == 0
    assert len(gateway.sent) == 1


def test_messages_enqueued_for_later_wait(session, session_factory):
    message_id = enqueue(session)
    gateway = RecordingSender()
    report = worker.deliver_due(session_factory, T0 - MINUTE, sender_for=lambda channel: gateway)
    assert report.claimed == 0
    assert reload(session, message_id).status == OutboxStatus.PENDING


def test_backoff_doubles_from_one_minute_up_to_an_hour():
    delays = [worker.backoff(attempt) for attempt in range(1, 10)]
    assert delays == [MINUTE * n for n in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_failures_retry_with_backoff_and_die_after_the_maximum(session, session_factory):
    message_id = enqueue(session)
    gateway = FailingSender()
    now = T0
    waits = []
    for attempt in range(1, 9):
        # A moment before the retry is due nothing happens.
        early = worker.deliver_due(
            session_factory, now - timedelta(seconds=1), sender_for=lambda c: gateway
        )
        assert early.claimed == 0
        report = worker.deliver_due(session_factory, now, sender_for=lambda c: gateway)
        assert report.claimed == 1
        message = reload(session, message_id)
        assert message.attempts == attempt
        assert message.last_error == "网关超时"
        if attempt < 8:
            assert message.status == OutboxStatus.FAILED
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert waits == [MINUTE * n for n in (1, 2, 4, 8, 16, 32, 60)]
    assert message.status == OutboxStatus.DEAD
    assert gateway.calls == 8
    later = worker.deliver_due(
        session_factory, now + timedelta(days=1), sender_for=lambda c: gateway
    )
    assert later.claimed == 0


def test_a_permanent_refusal_gives_up_at_once(session, session_factory):
    message_id = enqueue(session)
    gateway = FailingSender(error="SMTP 拒绝收件人：550", permanent=True)
    report = worker.deliver_due(session_factory, T0, sender_for=lambda c: gateway)
    assert report.dead == 1
    message = reload(session, message_id)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 1


def test_a_crashing_sender_or_a_bad_token_fails_one_message_not_the_batch(session, session_factory):
    broken_id = enqueue(session, body="坏")
    good_id = enqueue(session, body="好")
    message = reload(session, broken_id)
    message.recipient = message.recipient[:-4] + "AAAA"  # tampered ciphertext
    session.add(message)
    session.flush()
    gateway = RecordingSender()
    report = worker.deliver_due(session_factory, T0, sender_for=lambda c: gateway)
    assert (report.sent, report.retrying) == (1, 1)
    assert [d.body for d in gateway.sent] == ["好"]
    assert reload(session, good_id).status == OutboxStatus.SENT
    broken = reload(session, broken_id)
    assert broken.status == OutboxStatus.FAILED
    assert broken.last_error.startswith("DecryptionFailed")

    class Exploding:
        def send(self, **_kwargs: object) -> None:
            raise RuntimeError("bug in a sender")

    retry_id = enqueue(session, body="再试")
    worker.deliver_due(session_factory, T0, sender_for=lambda c: Exploding())
    assert reload(session, retry_id).last_error == "RuntimeError: bug in a sender"


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_its_lease(session, session_factory):
    message_id = enqueue(session)
    # A worker claims the message and dies before sending or recording anything.
    claimed = worker._claim(session_factory, T0, batch=10)
    assert [c.id for c in claimed] == [message_id]
    assert reload(session, message_id).status == OutboxStatus.SENDING
    gateway = RecordingSender()
    during = worker.deliver_due(
        session_factory, T0 + worker.LEASE - MINUTE, sender_for=lambda c: gateway
    )
    assert (during.recovered, during.claimed) == (0, 0)
    after = worker.deliver_due(
        session_factory, T0 + worker.LEASE + MINUTE, sender_for=lambda c: gateway
    )
    assert (after.recovered, after.sent) == (1, 1)
    assert len(gateway.sent) == 1
    message = reload(session, message_id)
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2


def test_an_expired_lease_on_the_last_attempt_gives_up(session, session_factory):
    message_id = enqueue(session)
    message = reload(session, message_id)
    message.status = OutboxStatus.SENDING
    message.attempts = 8
    message.lease_until = T0
    session.add(message)
    session.flush()
    report = worker.deliver_due(
        session_factory, T0 + MINUTE, sender_for=lambda c: RecordingSender()
    )
    assert (report.recovered, report.claimed) == (1, 0)
    message = reload(session, message_id)
    assert message.status == OutboxStatus.DEAD
    assert "中断" in message.last_error


def test_a_worker_whose_lease_was_taken_over_cannot_overwrite_the_outcome(session, session_factory):
    message_id = enqueue(session)
    stale = worker._claim(session_factory, T0, batch=10)[0]
    worker.deliver_due(
        session_factory, T0 + worker.LEASE + MINUTE, sender_for=lambda c: RecordingSender()
    )
    assert reload(session, message_id).status == OutboxStatus.SENT
    # The first worker wakes up and reports its (old) failure.
    worker._record_failure(session_factory, stale, T0, "迟到的失败", dead=True)
    message = reload(session, message_id)
    assert message.status == OutboxStatus.SENT
    assert message.last_error == ""


def test_a_batch_takes_the_oldest_due_messages_first(session, session_factory):
    ids = [enqueue(session, body=f"第{n}条") for n in range(3)]
    gateway = RecordingSender()
    first = worker.deliver_due(session_factory, T0, batch=2, sender_for=lambda c: gateway)
    second = worker.deliver_due(session_factory, T0, batch=2, sender_for=lambda c: gateway)
    assert (first.claimed, second.claimed) == (2, 1)
    assert [d.message_id for d in gateway.sent] == ids


def test_drain_sends_everything_due_in_batches(session, session_factory):
    for n in range(5):
        enqueue(session, body=f"第{n}条")
    gateway = RecordingSender()
    report = worker.drain(session_factory, T0, batch=2, sender_for=lambda c: gateway)
    assert (report.claimed, report.sent) == (5, 5)


def test_concurrent_workers_never_send_a_message_twice(fresh_db):
    """Two workers on their own connections, both inside send() at the same time."""
    from app.db import get_engine

    engine = get_engine()

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    with factory() as setup:
        for n in range(4):
            enqueue(setup, body=f"第{n}条")
        setup.commit()
    both_sending = threading.Barrier(2, timeout=30)
    delivered: list[int] = []
    lock = threading.Lock()

    class Gateway:
        def __init__(self) -> None:
            self.first = True

        def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
            if self.first:
                # Each worker waits here until the other also holds a claim of its own.
                self.first = False
                both_sending.wait()
            with lock:
                delivered.append(message_id)

    errors: list[BaseException] = []

    def run() -> None:
        gateway = Gateway()
        try:
            worker.deliver_due(factory, T0, batch=2, sender_for=lambda c: gateway)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(delivered) == sorted(set(delivered))
    with factory() as check:
        statuses = [m.status for m in check.exec(select(OutboxMessage)).all()]
    assert statuses == [OutboxStatus.SENT] * 4
