"""Who is told what about a ticket: every outbox message the ticket package writes starts here.

Messages go into the outbox in the caller's transaction (app.notify), deduplicated by key so a
repeated call or a concurrent `xiaowei tick` never sends twice. Texts come from
app.notify.messages and never carry identity or complaint content.
"""

import json

from sqlmodel import Session, col, select

from app.account.models import Membership, User
from app.account.permissions import Role
from app.core import crypto
from app.notify import messages
from app.notify import service as notify_service
from app.notify.messages import Message
from app.notify.models import Channel
from app.ticket.models import Ticket
from app.ticket.routing import recused_user_ids, team_member_ids
from app.unit.models import Team, Unit


def identity_aad(number: str) -> str:
    """Binds an identity token to its ticket, so a token copied to another row won't decrypt."""
    return f"ticket.identity:{number}"


def _mobile_of(ticket: Ticket) -> str | None:
    if ticket.is_anonymous or not ticket.identity_ciphertext:
        return None
    data = json.loads(crypto.decrypt(ticket.identity_ciphertext, aad=identity_aad(ticket.number)))
    mobile = data.get("mobile")
    return str(mobile) if mobile else None


def citizen(session: Session, ticket: Ticket, event: str, message: Message) -> None:
    """Text a real-name complainant (anonymous ones follow their ticket with the receipt)."""
    mobile = _mobile_of(ticket)
    if mobile is None:
        return
    notify_service.enqueue_message(
        session,
        channel=Channel.SMS,
        recipient=mobile,
        message=message,
        dedupe_key=f"ticket:{ticket.number}:{event}:{ticket.reopen_count}",
    )


def _staff(session: Session, user_ids: list[int], key: str, message: Message) -> None:
    for user_id in sorted(set(user_ids)):
        notify_service.enqueue_message(
            session,
            channel=Channel.STAFF,
            recipient=f"user:{user_id}",
            message=message,
            dedupe_key=f"{key}:user:{user_id}",
        )


def _leads(session: Session, team_id: int) -> list[int]:
    rows = session.exec(
        select(Membership.user_id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.team_id) == team_id,
            col(Membership.role) == Role.TEAM_LEAD,
            col(User.is_active).is_(True),
        )
    ).all()
    return list(rows)


def _not_recused(session: Session, ticket: Ticket, user_ids: list[int]) -> list[int]:
    recused = set(recused_user_ids(session, ticket=ticket))
    return [uid for uid in user_ids if uid not in recused]


def team(session: Session, ticket: Ticket, event: str, message: Message) -> None:
    """The assignee if there is one, else every member of the ticket's team (not recused)."""
    if ticket.assignee_id is not None:
        user_ids = [ticket.assignee_id]
    else:
        owner = session.get(Team, ticket.team_id)
        user_ids = team_member_ids(session, team=owner) if owner is not None else []
    key = f"ticket:{ticket.number}:{event}:{ticket.reopen_count}"
    _staff(session, _not_recused(session, ticket, user_ids), key, message)


def user(session: Session, user_id: int, key: str, message: Message) -> None:
    """One staff member, e.g. the newly assigned handler."""
    _staff(session, [user_id], key, message)


def leads(session: Session, ticket: Ticket, team_id: int, key: str, message: Message) -> None:
    _staff(session, _not_recused(session, ticket, _leads(session, team_id)), key, message)


def unit_editors(session: Session, ticket: Ticket, unit: Unit, event: str) -> None:
    """Editors of the unit a ticket was forwarded to (and of ancestors, with descendants);
    `event` names this forwarding uniquely, e.g. "forwarded:<entry id>"."""
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    rows = session.exec(
        select(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.role) == Role.UNIT_EDITOR,
            col(Membership.unit_id).in_([unit.id, *ancestor_ids]),
            col(User.is_active).is_(True),
        )
    ).all()
    user_ids = [m.user_id for m in rows if m.unit_id == unit.id or m.include_descendants]
    message = messages.staff_forwarded(ticket.number, unit.name)
    key = f"ticket:{ticket.number}:{event}"
    _staff(session, user_ids, key, message)
