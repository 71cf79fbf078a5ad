"""Write audit events in the caller's transaction, query them, and verify the hash chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.pagination import Page, paginate

GENESIS_HASH = "0" * 64


class Actor(Protocol):
    id: int | None
    username: str


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event chained to the newest one; flushed, committed with the caller's change.

    `action` is "<domain>.<past-tense verb>", e.g. "unit.updated"; `data` holds changed fields.
    """
    _lock_chain(session)
    previous = session.exec(
        select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    event = AuditEvent(
        created_at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=_normalise(data or {}),
        prev_hash=previous or GENESIS_HASH,
        hash="",
    )
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


def _lock_chain(session: Session) -> None:
    """Serialise appends on PostgreSQL; SQLite already allows one writer at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so the hashed form equals what the database gives back."""
    result: dict[str, Any] = json.loads(json.dumps(data, default=str, ensure_ascii=False))
    return result


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and every recorded field of the event."""
    payload = {
        "prev": event.prev_hash,
        "at": clock.to_local(event.created_at).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor_label,
        "action": event.action,
        "object": [event.object_type, event.object_id],
        "data": event.data,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head: str
    bad_event_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_event_id is None


def verify_chain(session: Session, *, batch_size: int = 5000) -> ChainReport:
    """Walk every event in id order; report the first whose hash or link does not match.

    An edited row fails its own hash; a deleted row breaks the link of the event after it.
    Deleting the newest events can only be seen against a head hash kept elsewhere, which is
    why the report carries `head` for operators to record.
    """
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)  # type: ignore[operator]
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not batch:
            return ChainReport(checked=checked, head=expected_prev)
        for event in batch:
            assert event.id is not None
            if event.prev_hash != expected_prev:
                return ChainReport(
                    checked, expected_prev, event.id, "链接断开：其前一条事件被删除或改动"
                )
            if compute_hash(event) != event.hash:
                return ChainReport(checked, expected_prev, event.id, "内容与哈希不符：该事件被改动")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()


# --- Reading the log (back office and API) ---------------------------------------------------


def _local_midnight_utc(day: date) -> datetime:
    """The UTC instant at which `day` begins in Asia/Shanghai."""
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def list_events(
    session: Session,
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEvent]:
    """Newest first; dates are local (Asia/Shanghai) days and both ends are inclusive.

    `actor` matches the username recorded at the time, so renamed or deleted accounts are
    still found under the name the log shows.
    """
    statement = select(AuditEvent)
    if action:
        statement = statement.where(col(AuditEvent.action) == action)
    if actor.strip():
        statement = statement.where(col(AuditEvent.actor_label) == actor.strip())
    if object_type:
        statement = statement.where(col(AuditEvent.object_type) == object_type)
    if object_id.strip():
        statement = statement.where(col(AuditEvent.object_id) == object_id.strip())
    if date_from is not None:
        statement = statement.where(col(AuditEvent.created_at) >= _local_midnight_utc(date_from))
    if date_to is not None:
        end = _local_midnight_utc(date_to + timedelta(days=1))
        statement = statement.where(col(AuditEvent.created_at) < end)
    statement = statement.order_by(col(AuditEvent.id).desc())
    result: Page[AuditEvent] = paginate(session, statement, page=page, per_page=per_page)
    return result


def recorded_actions(session: Session) -> list[str]:
    """Every action code that occurs in the log (for the filter, next to the known ones)."""
    return list(session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def recorded_object_types(session: Session) -> list[str]:
    return [
        value
        for value in session.exec(
            select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
        )
        if value
    ]


def count_events_on(session: Session, *, day: date) -> int:
    """How many events were recorded on a local calendar day."""
    start = _local_midnight_utc(day)
    end = _local_midnight_utc(day + timedelta(days=1))
    return int(
        session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.created_at) >= start, col(AuditEvent.created_at) < end)
        ).one()
    )
