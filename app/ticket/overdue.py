"""`xiaowei tick`: overdue tickets notify the team lead, then escalate to the parent team;
answered tickets nobody rated close as 未评价. Safe to run from several processes at once."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.calendar.models import DeadlineClock
from app.calendar.service import load_calendar
from app.config import get_settings
from app.core import clock
from app.notify import messages
from app.ticket import notifications, routing
from app.ticket.labels import CLOSED_UNRATED
from app.ticket.models import EntryActor, EntryKind, Ticket, TicketKind, TicketStatus, Visibility
from app.ticket.rating import close_ticket
from app.ticket.timeline import add_entry, audit
from app.ticket.workflow import Action
from app.ticket.workflow import Role as ActorRole
from app.unit.models import Team, Unit

# Tickets handled per run; the rest wait for the next tick (every minute under `serve`).
BATCH = 500


@dataclass
class TickReport:
    """What one tick did, by ticket number."""

    rating_expired: list[str] = field(default_factory=list)
    lead_notified: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"逾期未评价办结 {len(self.rating_expired)} 件，超期提醒负责人 "
            f"{len(self.lead_notified)} 件，升级上级监督单位 {len(self.escalated)} 件"
        )


def _locked(session: Session, *conditions: ColumnElement[bool]) -> list[Ticket]:
    # SKIP LOCKED (PostgreSQL): a concurrent tick or a user's change keeps its rows; the next
    # run picks them up. SQLite runs one writer at a time anyway.
    statement = (
        select(Ticket)
        .where(*conditions)
        .order_by(col(Ticket.id))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(statement).all())


def tick(session: Session, *, now: datetime | None = None) -> TickReport:
    """Run every time-driven rule once; returns what happened. Flushes, never commits."""
    moment = now or clock.now()
    report = TickReport()
    for ticket in _locked(
        session,
        col(Ticket.status) == TicketStatus.ANSWERED,
        col(Ticket.rating_due_at) < moment,
    ):
        close_ticket(
            session,
            ticket=ticket,
            roles=frozenset({ActorRole.SYSTEM}),
            actor=None,
            reason=CLOSED_UNRATED,
            action=Action.EXPIRE_RATING,
            body="评价期限已过，按未评价办结",
            now=moment,
        )
        report.rating_expired.append(ticket.number)

    clocks: list[tuple[DeadlineClock, list[ColumnElement[bool]], int]] = [
        (
            DeadlineClock.ACKNOWLEDGE,
            [col(Ticket.status) == TicketStatus.SUBMITTED, col(Ticket.ack_due_at) < moment],
            2,
        ),
        (
            DeadlineClock.RESOLVE,
            [
                col(Ticket.status).in_([TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS]),
                col(Ticket.resolve_due_at) < moment,
            ],
            2,
        ),
        (
            # Feedback owed to real-name reporters only reminds the lead; nothing to escalate.
            DeadlineClock.FEEDBACK,
            [
                col(Ticket.status) == TicketStatus.CLOSED,
                col(Ticket.kind) == TicketKind.REPORT,
                col(Ticket.fed_back_at).is_(None),
                col(Ticket.feedback_due_at) < moment,
            ],
            1,
        ),
    ]
    escalate_after = get_settings().escalate_after_working_days
    calendar = load_calendar(session)
    for which, conditions, top in clocks:
        for ticket in _locked(session, *conditions, col(Ticket.overdue_level) < top):
            due_at = _due_of(ticket, which)
            if ticket.overdue_level == 0:
                _notify_lead(session, ticket, which)
                report.lead_notified.append(ticket.number)
            elif calendar.add_working_days(due_at, escalate_after).due_at < moment:
                _escalate(session, ticket, which)
                report.escalated.append(ticket.number)
    session.flush()
    return report


def _due_of(ticket: Ticket, which: DeadlineClock) -> datetime:
    value = {
        DeadlineClock.ACKNOWLEDGE: ticket.ack_due_at,
        DeadlineClock.RESOLVE: ticket.resolve_due_at,
        DeadlineClock.FEEDBACK: ticket.feedback_due_at,
    }[which]
    assert value is not None
    return value


def _key(ticket: Ticket, which: DeadlineClock, level: int) -> str:
    return f"ticket:{ticket.number}:overdue:{which.value}:{ticket.reopen_count}:{level}"


def _notify_lead(session: Session, ticket: Ticket, which: DeadlineClock) -> None:
    ticket.overdue_level = 1
    session.add(ticket)
    data: dict[str, Any] = {"clock": which.value, "level": 1, "team_id": ticket.team_id}
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.ESCALATION,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.SYSTEM,
        body="已超期，已提醒监督单位负责人",
        data=data,
    )
    audit(session, ticket=ticket, actor=None, action="ticket.overdue", data=data)
    notifications.leads(
        session,
        ticket,
        ticket.team_id,
        _key(ticket, which, 1),
        messages.staff_overdue(ticket.number, 1),
    )


def _escalate(session: Session, ticket: Ticket, which: DeadlineClock) -> None:
    """Hand the ticket to the parent team (or, at the top, remind the lead once more)."""
    team = session.get(Team, ticket.team_id)
    parent = session.get(Team, team.parent_id) if team and team.parent_id else None
    old_team_id = ticket.team_id
    ticket.overdue_level = 2
    body = "超期且经提醒仍未办结"
    if parent is not None and team is not None:
        assert parent.id is not None
        ticket.team_id = parent.id
        ticket.assignee_id = None
        ticket.routing_reason = f"{team.name} 超期未办结，升级至上级 {parent.name} 督办"
        body = ticket.routing_reason
        unit = session.get(Unit, ticket.unit_id)
        if unit is not None:
            routing.recuse(
                session,
                ticket=ticket,
                user_ids=routing.linked_member_ids(session, team=parent, unit=unit),
                reason="与被反映单位有关联",
            )
    ticket.updated_at = clock.now()
    session.add(ticket)
    data: dict[str, Any] = {
        "clock": which.value,
        "level": 2,
        "team_id": {"from": old_team_id, "to": ticket.team_id},
    }
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.ESCALATION,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.SYSTEM,
        body=body,
        data=data,
    )
    audit(session, ticket=ticket, actor=None, action="ticket.escalated", data=data)
    notifications.leads(
        session,
        ticket,
        ticket.team_id,
        _key(ticket, which, 2),
        messages.staff_overdue(ticket.number, 2),
    )
