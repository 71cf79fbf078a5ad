"""The audit log is hash-chained: every edit or deletion of an event is detected (§9)."""

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlmodel import col, select

from app.audit import service as audit_service
from app.audit.models import AuditEvent
from app.core import clock
from tests import factories


def record_three(session, actor=None) -> list[AuditEvent]:
    return [
        audit_service.record(
            session,
            actor=actor,
            action=f"test.step_{n}",
            object_type="unit",
            object_id=n,
            data={"n": n, "名称": "五丰社区"},
        )
        for n in (1, 2, 3)
    ]


def newest_hash(session) -> str:
    latest = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    return latest.hash if latest else audit_service.GENESIS_HASH


def test_each_event_links_to_the_one_before(session):
    before = newest_hash(session)

    first, second, third = record_three(session)

    assert first.prev_hash == before
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_event_records_actor_and_normalised_data(session):
    actor = factories.make_user(session, username="auditor")

    event = audit_service.record(
        session,
        actor=actor,
        action="test.done",
        object_id=42,
        data={"when": datetime(2026, 11, 22, tzinfo=UTC)},
    )

    assert event.actor_id == actor.id
    assert event.actor_label == "auditor"
    assert event.object_id == "42"
    assert event.data == {"when": "2026-11-22 00:00:00+00:00"}


def test_intact_chain_verifies_and_reports_its_head(session):
    record_three(session)

    report = audit_service.verify_chain(session)

    assert report.ok
    assert report.head == newest_hash(session)
    assert report.checked == len(session.exec(select(AuditEvent)).all())


def test_chain_verifies_in_small_batches_too(session):
    record_three(session)

    assert audit_service.verify_chain(session, batch_size=1).ok


def test_hash_survives_a_round_trip_through_the_database(session):
    with clock.frozen(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)):
        record_three(session)
    session.expire_all()

    assert audit_service.verify_chain(session).ok


def test_edited_data_is_detected_at_that_event(session):
    _, second, _ = record_three(session)
    second_id = second.id
    session.execute(
        update(AuditEvent)
        .where(col(AuditEvent.id) == second_id)
        .values(data={"n": 2, "名称": "别的社区"})
        .execution_options(synchronize_session=False)
    )
    session.expire_all()

    report = audit_service.verify_chain(session)

    assert not report.ok
    assert report.bad_event_id == second_id
    assert "被改动" in report.problem


def test_edited_actor_label_is_detected(session):
    first, _, _ = record_three(session)
    first_id = first.id
    session.execute(
        update(AuditEvent)
        .where(col(AuditEvent.id) == first_id)
        .values(actor_label="someone-else")
        .execution_options(synchronize_session=False)
    )
    session.expire_all()

    assert audit_service.verify_chain(session).bad_event_id == first_id


def test_deleted_middle_event_breaks_the_link_of_the_next(session):
    _, second, third = record_three(session)
    second_id, third_id = second.id, third.id
    session.execute(delete(AuditEvent).where(col(AuditEvent.id) == second_id))
    session.expire_all()

    report = audit_service.verify_chain(session)

    assert report.bad_event_id == third_id
    assert "链接断开" in report.problem


def test_rehashed_edit_still_breaks_the_following_link(session):
    """Re-hashing an edited event does not help: the next event still points at the old hash."""
    _, second, third = record_three(session)
    second_id, third_id = second.id, third.id
    forged = session.get(AuditEvent, second_id)
    forged.data = {"n": 2, "forged": True}
    new_hash = audit_service.compute_hash(forged)
    session.expire_all()
    session.execute(
        update(AuditEvent)
        .where(col(AuditEvent.id) == second_id)
        .values(data={"n": 2, "forged": True}, hash=new_hash)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()

    report = audit_service.verify_chain(session)

    assert report.bad_event_id == third_id
