"""Rating (评价) and closing (办结): 不满意 reopens a ticket once (重办); closing starts the
feedback clock for real-name reports and tells the citizen."""

from datetime import datetime

from sqlmodel import Session

from app.account.service import Principal
from app.audit.service import Actor
from app.calendar.models import DeadlineClock
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.notify import messages
from app.ticket import deadlines, notifications
from app.ticket.intake import require_code
from app.ticket.labels import CLOSED_AFTER_REOPEN, CLOSED_RATED
from app.ticket.models import EntryActor, EntryKind, Rating, Ticket, TicketKind, Visibility
from app.ticket.policies import roles_on
from app.ticket.timeline import CITIZEN, add_entry, change_status
from app.ticket.workflow import Action
from app.ticket.workflow import Role as ActorRole


def rate(
    session: Session,
    *,
    ticket: Ticket,
    rating: Rating | str,
    resolved: bool,
    comment: str = "",
    code: str | None = None,
    principal: Principal | None = None,
) -> Ticket:
    """The citizen rates the answer (with the receipt code), or staff record a rating given by
    phone (回访). 不满意 reopens the ticket once (重办); otherwise the ticket closes."""
    if principal is not None:
        roles = roles_on(session, principal, ticket)
        actor: Actor = principal.user
        entry_actor = EntryActor.TEAM
        if not roles:
            raise NotFound("工单不存在")
    else:
        require_code(ticket, code or "")
        roles, actor, entry_actor = frozenset({ActorRole.CITIZEN}), CITIZEN, EntryActor.CITIZEN
    try:
        value = Rating(rating)
    except ValueError:
        raise ValidationFailed({"rating": "请选择满意、基本满意或不满意"}) from None
    comment = comment.strip()
    if len(comment) > 500:
        raise ValidationFailed({"comment": "评价意见不能超过 500 字"})
    now = clock.now()
    change_status(
        session,
        ticket=ticket,
        action=Action.RATE,
        roles=roles,
        actor=actor,
        actor_role=entry_actor,
        audit_action="ticket.rated",
        visibility=Visibility.CITIZEN,
        audit_data={"rating": value.value, "resolved": resolved, "by_phone": principal is not None},
    )
    ticket.rating, ticket.resolved, ticket.rating_comment, ticket.rated_at = (
        value,
        resolved,
        comment,
        now,
    )
    deadlines.clear_clock(ticket, DeadlineClock.RATING)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.RATING,
        visibility=Visibility.CITIZEN,
        actor_role=entry_actor,
        actor=principal.user if principal is not None else None,
        body=comment,
        data={"rating": value.value, "resolved": resolved, "round": ticket.reopen_count + 1},
    )
    system = frozenset({ActorRole.SYSTEM})
    if value == Rating.UNSATISFIED and ticket.reopen_count == 0:
        change_status(
            session,
            ticket=ticket,
            action=Action.REOPEN,
            roles=system,
            actor=None,
            actor_role=EntryActor.SYSTEM,
            audit_action="ticket.reopened",
            body="您对答复不满意，该件已重新办理",
        )
        ticket.reopen_count += 1
        ticket.overdue_level = 0
        ticket.answered_at = None
        deadlines.start_resolve_clock(session, ticket, start=now)
        notifications.team(session, ticket, "reopened", messages.staff_reopened(ticket.number))
    else:
        close_ticket(
            session,
            ticket=ticket,
            roles=system,
            actor=None,
            reason=CLOSED_AFTER_REOPEN if value == Rating.UNSATISFIED else CLOSED_RATED,
        )
    session.add(ticket)
    session.flush()
    return ticket


def close_ticket(
    session: Session,
    *,
    ticket: Ticket,
    roles: frozenset[ActorRole],
    actor: Actor | None,
    reason: str,
    action: Action = Action.CLOSE,
    body: str = "",
    now: datetime | None = None,
) -> None:
    """Close (办结): record why, start the feedback clock for real-name reports, tell them."""
    now = now or clock.now()
    change_status(
        session,
        ticket=ticket,
        action=action,
        roles=roles,
        actor=actor,
        actor_role=EntryActor.SYSTEM if actor is None else EntryActor.TEAM,
        audit_action="ticket.closed",
        body=body,
        audit_data={"closed_reason": reason},
    )
    ticket.closed_at = now
    ticket.closed_reason = reason
    ticket.overdue_level = 0
    deadlines.clear_clock(ticket, DeadlineClock.RATING)
    if ticket.kind == TicketKind.REPORT and not ticket.is_anonymous:
        # 《检举控告工作规则》: tell a real-name reporter the outcome within 15 working days.
        deadlines.set_clock(session, ticket, DeadlineClock.FEEDBACK, start=now)
    session.add(ticket)
    session.flush()
    notifications.citizen(session, ticket, "closed", messages.ticket_closed(ticket.number))
