"""The four clocks of a ticket (§6) on the work calendar: set, pause, resume, and show progress.

Counting itself lives in app.core.workcalendar / app.calendar.service (compute_due); this module
only decides which clock runs when, from what start, and stores the due date with its
explanation on the ticket.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.calendar.models import DeadlineClock
from app.calendar.service import compute_due, load_calendar, policy_for
from app.core import clock
from app.core.workcalendar import Due, Pause, Progress
from app.ticket.models import Category, Ticket, TicketStatus

CLOCK_FIELDS: dict[DeadlineClock, tuple[str, str]] = {
    DeadlineClock.ACKNOWLEDGE: ("ack_due_at", "ack_due_explanation"),
    DeadlineClock.RESOLVE: ("resolve_due_at", "resolve_due_explanation"),
    DeadlineClock.RATING: ("rating_due_at", "rating_due_explanation"),
    DeadlineClock.FEEDBACK: ("feedback_due_at", "feedback_due_explanation"),
}


def _category_code(session: Session, ticket: Ticket) -> str | None:
    category = session.get(Category, ticket.category_id)
    return category.code if category is not None else None


def due(
    session: Session,
    ticket: Ticket,
    which: DeadlineClock,
    *,
    start: datetime,
    pauses: list[Pause] | None = None,
) -> Due:
    return compute_due(
        session,
        kind=ticket.kind.value,
        category_code=_category_code(session, ticket),
        clock=which,
        start=start,
        pauses=pauses or [],
    )


def set_clock(
    session: Session,
    ticket: Ticket,
    which: DeadlineClock,
    *,
    start: datetime,
    pauses: list[Pause] | None = None,
) -> Due:
    """Compute the clock's due date from `start` and store it with its explanation."""
    result = due(session, ticket, which, start=start, pauses=pauses)
    at_field, explanation_field = CLOCK_FIELDS[which]
    setattr(ticket, at_field, result.due_at)
    setattr(ticket, explanation_field, result.explanation)
    session.add(ticket)
    return result


def clear_clock(ticket: Ticket, which: DeadlineClock) -> None:
    at_field, explanation_field = CLOCK_FIELDS[which]
    setattr(ticket, at_field, None)
    setattr(ticket, explanation_field, "")


def resolve_pauses(ticket: Ticket) -> list[Pause]:
    """Finished pauses since the resolve clock (re)started; the open one is not included."""
    started = ticket.resolve_started_at
    result = []
    for start_iso, end_iso in ticket.pauses:
        start, end = datetime.fromisoformat(start_iso), datetime.fromisoformat(end_iso)
        if started is None or start >= started:
            result.append(Pause(start, end))
    return result


def start_resolve_clock(session: Session, ticket: Ticket, *, start: datetime) -> Due:
    ticket.resolve_started_at = start
    return set_clock(session, ticket, DeadlineClock.RESOLVE, start=start)


def pause(ticket: Ticket, *, at: datetime) -> None:
    """waiting_info: the resolve clock stands still from now."""
    ticket.paused_at = at


def resume(session: Session, ticket: Ticket, *, at: datetime) -> None:
    """Information arrived: the pause is over and the resolve due date moves back accordingly."""
    if ticket.paused_at is None:
        return
    # Reassign (not append) so the JSON column is seen as changed.
    ticket.pauses = [*ticket.pauses, [ticket.paused_at.isoformat(), at.isoformat()]]
    ticket.paused_at = None
    if ticket.resolve_started_at is not None:
        set_clock(
            session,
            ticket,
            DeadlineClock.RESOLVE,
            start=ticket.resolve_started_at,
            pauses=resolve_pauses(ticket),
        )


@dataclass(frozen=True)
class ClockState:
    """The clock that is running now, for the coloured badge and the explanation tooltip."""

    clock: DeadlineClock
    start: datetime
    due_at: datetime
    explanation: str
    progress: Progress
    paused: bool


def running_clock(ticket: Ticket) -> tuple[DeadlineClock, datetime, datetime, str] | None:
    """(clock, start, due, explanation) of the clock the team is working against, if any."""
    if ticket.status == TicketStatus.SUBMITTED and ticket.ack_due_at is not None:
        return (
            DeadlineClock.ACKNOWLEDGE,
            ticket.created_at,
            ticket.ack_due_at,
            ticket.ack_due_explanation,
        )
    if (
        ticket.status
        in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_INFO)
        and ticket.resolve_due_at is not None
        and ticket.resolve_started_at is not None
    ):
        return (
            DeadlineClock.RESOLVE,
            ticket.resolve_started_at,
            ticket.resolve_due_at,
            ticket.resolve_due_explanation,
        )
    if ticket.status == TicketStatus.ANSWERED and ticket.rating_due_at and ticket.answered_at:
        return (
            DeadlineClock.RATING,
            ticket.answered_at,
            ticket.rating_due_at,
            ticket.rating_due_explanation,
        )
    if (
        ticket.status == TicketStatus.CLOSED
        and ticket.feedback_due_at is not None
        and ticket.closed_at is not None
        and ticket.fed_back_at is None
    ):
        return (
            DeadlineClock.FEEDBACK,
            ticket.closed_at,
            ticket.feedback_due_at,
            ticket.feedback_due_explanation,
        )
    return None


def clock_state(
    session: Session, ticket: Ticket, *, now: datetime | None = None
) -> ClockState | None:
    """Progress of the running clock: green, yellow from 80 %, red when overdue."""
    running = running_clock(ticket)
    if running is None:
        return None
    which, start, due_at, explanation = running
    moment = now or clock.now()
    pauses: list[Pause] = []
    paused = False
    if which == DeadlineClock.RESOLVE:
        pauses = resolve_pauses(ticket)
        if ticket.paused_at is not None:
            pauses.append(Pause(ticket.paused_at, None))
            paused = True
            # While paused the stored due date is stale: show the one a resume now would give.
            due_at = due(session, ticket, which, start=start, pauses=pauses).due_at
    unit = policy_for(
        session, kind=ticket.kind.value, category_code=_category_code(session, ticket), clock=which
    ).unit
    progress = load_calendar(session).progress(start, due_at, moment, pauses, unit=unit)
    return ClockState(which, start, due_at, explanation, progress, paused)
