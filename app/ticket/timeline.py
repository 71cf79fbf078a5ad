"""Timeline entries and status changes: each one written together with its audit event."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.audit import service as audit_service
from app.audit.service import Actor
from app.core import clock
from app.ticket.models import EntryActor, EntryKind, Ticket, TicketEntry, Visibility
from app.ticket.workflow import Action, transition
from app.ticket.workflow import Role as ActorRole


@dataclass
class Citizen:
    """The audit actor for whoever holds a receipt code: no account, no id, no IP address."""

    id: int | None = None
    username: str = "citizen"


CITIZEN = Citizen()


def add_entry(
    session: Session,
    *,
    ticket: Ticket,
    kind: EntryKind,
    visibility: Visibility,
    actor_role: EntryActor,
    actor: Actor | None = None,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEntry:
    assert ticket.id is not None
    entry = TicketEntry(
        ticket_id=ticket.id,
        at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_role=actor_role,
        kind=kind,
        visibility=visibility,
        body=body,
        data=data or {},
    )
    session.add(entry)
    session.flush()
    return entry


def audit(
    session: Session,
    *,
    ticket: Ticket,
    actor: Actor | None,
    action: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Record "ticket.<verb>"; `data` must never hold identity, contact data or report text."""
    audit_service.record(
        session,
        actor=actor,
        action=action,
        object_type="ticket",
        object_id=ticket.number,
        data=data or {},
    )


def change_status(
    session: Session,
    *,
    ticket: Ticket,
    action: Action,
    roles: frozenset[ActorRole],
    actor: Actor | None,
    actor_role: EntryActor,
    audit_action: str,
    body: str = "",
    visibility: Visibility = Visibility.PUBLIC,
    data: dict[str, Any] | None = None,
    audit_data: dict[str, Any] | None = None,
) -> TicketEntry | None:
    """Apply a workflow action (InvalidTransition when not allowed) and audit it.

    A status that really changes gets a timeline entry (the citizen's progress line); actions
    that keep the status (a second forward, a unit's reply) leave the entry to the caller.
    """
    old = ticket.status
    new = transition(old, action, roles)
    ticket.status = new
    ticket.updated_at = clock.now()
    session.add(ticket)
    entry = None
    if new != old:
        entry = add_entry(
            session,
            ticket=ticket,
            kind=EntryKind.STATUS_CHANGE,
            visibility=visibility,
            actor_role=actor_role,
            actor=actor,
            body=body,
            data={"action": action.value, "from": old.value, "to": new.value, **(data or {})},
        )
    else:
        session.flush()
    changes: dict[str, Any] = {"action": action.value}
    if new != old:
        changes["status"] = {"from": old.value, "to": new.value}
    audit(
        session, ticket=ticket, actor=actor, action=audit_action, data=changes | (audit_data or {})
    )
    return entry


def touch(session: Session, ticket: Ticket) -> None:
    ticket.updated_at = clock.now()
    session.add(ticket)
    session.flush()
