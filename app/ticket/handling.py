"""Handling a ticket: forward to a unit (转办), the unit's reply or return (退单), requests for
information (clock paused), the public answer, closing, and feedback to real-name reporters."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.account.service import Principal
from app.calendar.models import DeadlineClock
from app.calendar.service import load_calendar
from app.core import clock
from app.core.errors import Conflict, ValidationFailed
from app.notify import messages
from app.ticket import attachments, deadlines, notifications
from app.ticket.labels import CLOSED_BY_TEAM
from app.ticket.models import (
    EntryActor,
    EntryKind,
    Ticket,
    TicketAttachment,
    TicketKind,
    TicketStatus,
    UnitStage,
    Visibility,
)
from app.ticket.policies import acting_roles, team_roles
from app.ticket.rating import close_ticket
from app.ticket.timeline import add_entry, audit, change_status
from app.ticket.triage import required_text
from app.ticket.workflow import Action, ActionNotAllowed
from app.ticket.workflow import Role as ActorRole
from app.unit.models import Unit


def _release(session: Session, ticket: Ticket, attachment_ids: Sequence[int]) -> list[int]:
    if not attachment_ids:
        return []
    rows = session.exec(
        select(TicketAttachment).where(
            col(TicketAttachment.ticket_id) == ticket.id,
            col(TicketAttachment.id).in_(list(attachment_ids)),
        )
    ).all()
    if len(rows) != len(set(attachment_ids)):
        raise ValidationFailed({"attachments": "所选附件不属于该工单"})
    released = []
    for row in rows:
        if not row.released_to_unit:
            row.released_to_unit = True
            session.add(row)
            assert row.id is not None
            released.append(row.id)
    session.flush()
    return sorted(released)


def forward(
    session: Session,
    *,
    ticket: Ticket,
    principal: Principal,
    summary: str,
    unit: Unit | None = None,
    release_content: bool = False,
    release_attachment_ids: Sequence[int] = (),
) -> Ticket:
    """转办: the unit (default: the one complained about) gets the team's written summary —
    never the identity or contact data, never a report's original text, and only the
    attachments the team releases."""
    roles = team_roles(session, principal, ticket)
    text = required_text(summary, "summary", "转办摘要", minimum=10)
    target = unit or session.get(Unit, ticket.unit_id)
    if target is None or not target.is_active:
        raise ValidationFailed({"unit": "请选择承办单位"})
    if release_content and ticket.kind == TicketKind.REPORT:
        raise ValidationFailed({"release_content": "检举控告件的原文不能提供给被反映单位"})
    change_status(
        session,
        ticket=ticket,
        action=Action.FORWARD,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.forwarded",
        body="已转交相关单位办理",
        audit_data={
            "handling_unit_id": target.id,
            "content_released": release_content,
            "attachments_released": list(release_attachment_ids),
        },
    )
    released = _release(session, ticket, release_attachment_ids)
    now = clock.now()
    ticket.handling_unit_id = target.id
    ticket.unit_stage = UnitStage.FORWARDED
    ticket.forward_summary = text
    ticket.forwarded_at = now
    ticket.content_released = release_content
    if ticket.resolve_started_at is None:
        deadlines.start_resolve_clock(session, ticket, start=now)
    session.add(ticket)
    entry = add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.FORWARD,
        visibility=Visibility.UNIT,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
        data={"unit_id": target.id, "attachments": released},
    )
    notifications.unit_editors(session, ticket, target, f"forwarded:{entry.id}")
    return ticket


def release_attachments(
    session: Session, *, ticket: Ticket, principal: Principal, attachment_ids: Sequence[int]
) -> list[int]:
    """Let the handling unit download these files (e.g. a photo of the notice board)."""
    team_roles(session, principal, ticket)
    released = _release(session, ticket, attachment_ids)
    if released:
        add_entry(
            session,
            ticket=ticket,
            kind=EntryKind.ATTACHMENT_RELEASE,
            visibility=Visibility.TEAM,
            actor_role=EntryActor.TEAM,
            actor=principal.user,
            data={"attachments": released},
        )
        audit(
            session,
            ticket=ticket,
            actor=principal.user,
            action="ticket.attachment_released",
            data={"attachments": released},
        )
    return released


def _unit_roles(session: Session, principal: Principal, ticket: Ticket) -> frozenset[ActorRole]:
    roles = acting_roles(session, principal, ticket)
    if ActorRole.UNIT not in roles:
        raise ActionNotAllowed("只有承办单位可以回复或退回转办件")
    return roles


def unit_reply(
    session: Session,
    *,
    ticket: Ticket,
    principal: Principal,
    body: str,
    attachments_in: Sequence[tuple[str, bytes]] = (),
) -> Ticket:
    """The unit reports what it did; the team then answers the citizen."""
    roles = _unit_roles(session, principal, ticket)
    text = required_text(body, "body", "办理情况", minimum=10)
    if ticket.unit_stage not in (UnitStage.FORWARDED, UnitStage.REPLIED):
        raise Conflict("该件当前不在本单位办理")
    # The limit applies per reply: the citizen's files do not use up the unit's.
    files = attachments.check_uploads(list(attachments_in))
    change_status(
        session,
        ticket=ticket,
        action=Action.UNIT_REPLY,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.UNIT,
        audit_action="ticket.unit_replied",
        audit_data={"handling_unit_id": ticket.handling_unit_id},
    )
    ticket.unit_stage = UnitStage.REPLIED
    session.add(ticket)
    entry = add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.UNIT_REPLY,
        visibility=Visibility.UNIT,
        actor_role=EntryActor.UNIT,
        actor=principal.user,
        body=text,
    )
    # The unit's own evidence is the unit's to see again.
    attachments.store(
        session,
        ticket,
        files,
        entry_id=entry.id,
        by=EntryActor.UNIT,
        principal=principal,
        released=True,
    )
    unit = session.get(Unit, ticket.handling_unit_id) if ticket.handling_unit_id else None
    notifications.team(
        session,
        ticket,
        f"unit_replied:{entry.id}",
        messages.staff_unit_replied(ticket.number, unit.name if unit else ""),
    )
    return ticket


def unit_return(session: Session, *, ticket: Ticket, principal: Principal, reason: str) -> Ticket:
    """退单: the unit says the ticket is not theirs, with a reason the team reviews."""
    roles = _unit_roles(session, principal, ticket)
    text = required_text(reason, "reason", "退回理由", minimum=4)
    if ticket.unit_stage != UnitStage.FORWARDED:
        raise Conflict("只有待办理的转办件可以退回")
    change_status(
        session,
        ticket=ticket,
        action=Action.UNIT_RETURN,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.UNIT,
        audit_action="ticket.unit_returned",
        audit_data={"handling_unit_id": ticket.handling_unit_id},
    )
    ticket.unit_stage = UnitStage.RETURNED
    ticket.return_count += 1
    session.add(ticket)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.UNIT_RETURN,
        visibility=Visibility.UNIT,
        actor_role=EntryActor.UNIT,
        actor=principal.user,
        body=text,
    )
    unit = session.get(Unit, ticket.handling_unit_id) if ticket.handling_unit_id else None
    notifications.team(
        session,
        ticket,
        f"returned:{ticket.forwarded_at:%Y%m%d%H%M%S%f}",
        messages.staff_returned(ticket.number, unit.name if unit else ""),
    )
    return ticket


def review_return(
    session: Session, *, ticket: Ticket, principal: Principal, accept: bool, comment: str
) -> Ticket:
    """The team agrees (the ticket comes back to the team, who may forward it elsewhere) or
    refuses (the unit must handle it)."""
    roles = team_roles(session, principal, ticket)
    text = required_text(comment, "comment", "审核意见")
    if ticket.unit_stage != UnitStage.RETURNED:
        raise Conflict("该件没有待审核的退单")
    change_status(
        session,
        ticket=ticket,
        action=Action.REVIEW_RETURN,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.return_reviewed",
        audit_data={"accepted": accept, "handling_unit_id": ticket.handling_unit_id},
    )
    unit_id = ticket.handling_unit_id
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.RETURN_REVIEW,
        visibility=Visibility.UNIT,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
        data={"accepted": accept, "unit_id": unit_id},
    )
    if accept:
        ticket.handling_unit_id = None
        ticket.unit_stage = None
    else:
        ticket.unit_stage = UnitStage.FORWARDED
    session.add(ticket)
    session.flush()
    return ticket


def request_info(
    session: Session, *, ticket: Ticket, principal: Principal, question: str
) -> Ticket:
    """Ask the citizen for more; the resolve clock stops until they answer (or the team resumes)."""
    roles = team_roles(session, principal, ticket)
    text = required_text(question, "question", "需要补充的内容", minimum=4)
    change_status(
        session,
        ticket=ticket,
        action=Action.REQUEST_INFO,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.info_requested",
    )
    if ticket.resolve_started_at is None:
        deadlines.start_resolve_clock(session, ticket, start=clock.now())
    deadlines.pause(ticket, at=clock.now())
    session.add(ticket)
    entry = add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.INFO_REQUEST,
        visibility=Visibility.CITIZEN,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
    )
    notifications.citizen(
        session, ticket, f"info_requested:{entry.id}", messages.info_requested(ticket.number)
    )
    return ticket


def receive_info(
    session: Session, *, ticket: Ticket, principal: Principal, note: str = ""
) -> Ticket:
    """The team resumes a waiting ticket (information came by phone, or will not come)."""
    roles = team_roles(session, principal, ticket)
    change_status(
        session,
        ticket=ticket,
        action=Action.RECEIVE_INFO,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.info_received",
    )
    deadlines.resume(session, ticket, at=clock.now())
    session.add(ticket)
    if note.strip():
        add_entry(
            session,
            ticket=ticket,
            kind=EntryKind.INTERNAL_NOTE,
            visibility=Visibility.TEAM,
            actor_role=EntryActor.TEAM,
            actor=principal.user,
            body=note.strip(),
        )
    session.flush()
    return ticket


def handling_days(session: Session, ticket: Ticket, *, answered_at: datetime) -> int:
    """Working days from the start of the resolve clock (acceptance, or the reopening for 重办;
    submission when the clock never ran) to this answer, 待补充 pauses excluded — the figure
    the statistics take the median of."""
    start = ticket.resolve_started_at or ticket.created_at
    return load_calendar(session).working_days_between(
        start, answered_at, deadlines.resolve_pauses(ticket)
    )


def answer(session: Session, *, ticket: Ticket, principal: Principal, reply: str) -> Ticket:
    """The public answer (答复); the rating window opens. A report needs an approved disposition
    first, and its answer tells the stage only."""
    roles = team_roles(session, principal, ticket)
    text = required_text(reply, "reply", "答复内容", minimum=10)
    if ticket.kind == TicketKind.REPORT and ticket.disposition_approved_at is None:
        raise Conflict("检举控告件须先经负责人批准处置方式，才能答复")
    now = clock.now()
    change_status(
        session,
        ticket=ticket,
        action=Action.ANSWER,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.answered",
    )
    ticket.public_reply = text
    ticket.answered_at = now
    ticket.handling_days = handling_days(session, ticket, answered_at=now)
    ticket.overdue_level = 0
    deadlines.set_clock(session, ticket, DeadlineClock.RATING, start=now)
    session.add(ticket)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.PUBLIC_REPLY,
        visibility=Visibility.PUBLIC,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
    )
    notifications.citizen(session, ticket, "answered", messages.ticket_answered(ticket.number))
    return ticket


def close(session: Session, *, ticket: Ticket, principal: Principal, note: str = "") -> Ticket:
    """The lead closes an answered ticket without waiting for the rating (办结)."""
    roles = team_roles(session, principal, ticket)
    close_ticket(
        session,
        ticket=ticket,
        roles=roles,
        actor=principal.user,
        reason=CLOSED_BY_TEAM,
        body=note.strip(),
    )
    return ticket


def record_feedback(session: Session, *, ticket: Ticket, principal: Principal, note: str) -> Ticket:
    """The outcome was told to the real-name reporter (结果反馈), within the feedback clock."""
    team_roles(session, principal, ticket)
    text = required_text(note, "note", "反馈情况")
    if ticket.status != TicketStatus.CLOSED or ticket.is_anonymous:
        raise Conflict("只有已办结的实名件需要记录结果反馈")
    if ticket.fed_back_at is not None:
        raise Conflict("已记录过结果反馈")
    ticket.fed_back_at = clock.now()
    ticket.overdue_level = 0
    ticket.updated_at = ticket.fed_back_at
    session.add(ticket)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.FEEDBACK,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
    )
    audit(session, ticket=ticket, actor=principal.user, action="ticket.fed_back", data={})
    return ticket
