"""The team's first steps and internal work: accept, reject, merge, start, assign, notes,
dispositions of reports, and the audited reveal of a complainant's identity."""

import json

from sqlmodel import Session

from app.account.models import User
from app.account.service import Principal
from app.core import clock, crypto
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.notify import messages
from app.ticket import deadlines, notifications, routing
from app.ticket.models import (
    Disposition,
    EntryActor,
    EntryKind,
    IdentityReveal,
    Ticket,
    TicketKind,
    TicketStatus,
    Visibility,
)
from app.ticket.policies import can_reveal_identity, on_team, team_roles
from app.ticket.schemas import REASON_MAX, Identity
from app.ticket.timeline import add_entry, audit, change_status
from app.ticket.workflow import Action
from app.ticket.workflow import Role as ActorRole


def required_text(value: str, field: str, what: str, *, minimum: int = 2) -> str:
    """Strip and check a reason or reply; ValidationFailed keyed by `field`."""
    text = value.strip()
    if len(text) < minimum:
        raise ValidationFailed({field: f"请填写{what}（至少 {minimum} 个字）"})
    if len(text) > REASON_MAX:
        raise ValidationFailed({field: f"{what}不能超过 {REASON_MAX} 字"})
    return text


def accept(session: Session, *, ticket: Ticket, principal: Principal, note: str = "") -> Ticket:
    """受理: the acknowledge clock is met, the resolve clock starts; real-name people are told."""
    roles = team_roles(session, principal, ticket)
    now = clock.now()
    change_status(
        session,
        ticket=ticket,
        action=Action.ACCEPT,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.accepted",
        body=note.strip(),
    )
    ticket.acknowledged_at = now
    ticket.overdue_level = 0
    deadlines.start_resolve_clock(session, ticket, start=now)
    session.flush()
    notifications.citizen(
        session, ticket, "acknowledged", messages.ticket_acknowledged(ticket.number)
    )
    return ticket


def reject(session: Session, *, ticket: Ticket, principal: Principal, reason: str) -> Ticket:
    """不予受理 with a reason the citizen reads (e.g. 属于其他机关职责)."""
    roles = team_roles(session, principal, ticket)
    text = required_text(reason, "reason", "不予受理的理由")
    now = clock.now()
    change_status(
        session,
        ticket=ticket,
        action=Action.REJECT,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.rejected",
        body=text,
    )
    ticket.acknowledged_at = ticket.acknowledged_at or now
    ticket.closed_at = now
    ticket.overdue_level = 0
    session.add(ticket)
    session.flush()
    notifications.citizen(session, ticket, "rejected", messages.ticket_rejected(ticket.number))
    return ticket


def merge(
    session: Session, *, ticket: Ticket, into: Ticket, principal: Principal, reason: str = ""
) -> Ticket:
    """Merge a duplicate into another ticket of the same team; both timelines link the other."""
    roles = team_roles(session, principal, ticket)
    if into.id == ticket.id:
        raise ValidationFailed({"into": "不能与自身合并"})
    if not on_team(session, principal, into) or into.team_id != ticket.team_id:
        raise ValidationFailed({"into": "只能合并到本监督单位办理的工单"})
    if into.status in (TicketStatus.MERGED, TicketStatus.REJECTED):
        raise ValidationFailed({"into": "不能合并到已合并或不予受理的工单"})
    now = clock.now()
    change_status(
        session,
        ticket=ticket,
        action=Action.MERGE,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.merged",
        body=f"您反映的问题与 {into.number} 反映的问题相同，已合并办理",
        data={"into": into.number},
        audit_data={"into": into.number},
    )
    ticket.merged_into_id = into.id
    ticket.acknowledged_at = ticket.acknowledged_at or now
    ticket.closed_at = now
    ticket.overdue_level = 0
    session.add(ticket)
    add_entry(
        session,
        ticket=into,
        kind=EntryKind.MERGE,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=reason.strip(),
        data={"merged": ticket.number},
    )
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.MERGE,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=reason.strip(),
        data={"into": into.number},
    )
    return ticket


def start(session: Session, *, ticket: Ticket, principal: Principal, note: str = "") -> Ticket:
    """The team handles the ticket itself (核查) instead of forwarding it."""
    roles = team_roles(session, principal, ticket)
    change_status(
        session,
        ticket=ticket,
        action=Action.START,
        roles=roles,
        actor=principal.user,
        actor_role=EntryActor.TEAM,
        audit_action="ticket.started",
    )
    if note.strip():
        add_note(session, ticket=ticket, principal=principal, body=note)
    return ticket


def assign(
    session: Session, *, ticket: Ticket, principal: Principal, assignee: User | None
) -> Ticket:
    """The lead picks who handles the ticket; recused members cannot be picked (回避)."""
    roles = team_roles(session, principal, ticket)
    if ActorRole.LEAD not in roles:
        raise PermissionDenied("只有监督单位负责人可以指定承办人")
    if ticket.is_final:
        raise Conflict("该件已办结，不能再指定承办人")
    if assignee is not None and assignee.id not in routing.assignable_member_ids(
        session, ticket=ticket
    ):
        raise ValidationFailed({"assignee": "只能指定本监督单位中无需回避的工作人员"})
    previous = ticket.assignee_id
    new = assignee.id if assignee is not None else None
    if previous == new:
        return ticket
    ticket.assignee_id = new
    ticket.updated_at = clock.now()
    session.add(ticket)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.ASSIGNMENT,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=(assignee.display_name or assignee.username) if assignee is not None else "",
        data={"from": previous, "to": new},
    )
    audit(
        session,
        ticket=ticket,
        actor=principal.user,
        action="ticket.assigned",
        data={"assignee_id": {"from": previous, "to": new}},
    )
    if new is not None:
        notifications.user(
            session,
            new,
            f"ticket:{ticket.number}:assigned:{new}",
            messages.staff_assigned(ticket.number),
        )
    return ticket


def add_note(session: Session, *, ticket: Ticket, principal: Principal, body: str) -> Ticket:
    """An internal note: only the team ever sees it."""
    team_roles(session, principal, ticket)
    text = required_text(body, "body", "备注内容", minimum=1)
    entry = add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.INTERNAL_NOTE,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
    )
    audit(
        session,
        ticket=ticket,
        actor=principal.user,
        action="ticket.note_added",
        data={"entry_id": entry.id},
    )
    return ticket


def set_disposition(
    session: Session,
    *,
    ticket: Ticket,
    principal: Principal,
    disposition: Disposition | str,
    note: str = "",
) -> Ticket:
    """Propose how a report is disposed of (处置方式); the lead's approval is needed again."""
    team_roles(session, principal, ticket)
    if ticket.kind != TicketKind.REPORT:
        raise Conflict("只有检举控告件需要确定处置方式")
    if ticket.is_final:
        raise Conflict("该件已办结，不能再修改处置方式")
    try:
        value = Disposition(disposition)
    except ValueError:
        raise ValidationFailed({"disposition": "请选择处置方式"}) from None
    previous = ticket.disposition
    now = clock.now()
    ticket.disposition = value
    ticket.disposition_note = note.strip()[:REASON_MAX]
    ticket.disposition_by_id = principal.user.id
    ticket.disposition_at = now
    ticket.disposition_approved_by_id = None
    ticket.disposition_approved_at = None
    ticket.updated_at = now
    session.add(ticket)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.DISPOSITION,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=ticket.disposition_note,
        data={"disposition": value.value, "approved": False},
    )
    audit(
        session,
        ticket=ticket,
        actor=principal.user,
        action="ticket.disposition_set",
        data={"disposition": {"from": previous.value if previous else None, "to": value.value}},
    )
    return ticket


def approve_disposition(session: Session, *, ticket: Ticket, principal: Principal) -> Ticket:
    """The team lead approves the proposed disposition (经集体研究并履行报批程序)."""
    roles = team_roles(session, principal, ticket)
    if ActorRole.LEAD not in roles:
        raise PermissionDenied("只有监督单位负责人可以批准处置方式")
    if ticket.disposition is None:
        raise Conflict("尚未拟定处置方式")
    if ticket.disposition_approved_at is not None:
        raise Conflict("处置方式已批准")
    now = clock.now()
    ticket.disposition_approved_by_id = principal.user.id
    ticket.disposition_approved_at = now
    ticket.updated_at = now
    session.add(ticket)
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.DISPOSITION,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        data={"disposition": ticket.disposition.value, "approved": True},
    )
    audit(
        session,
        ticket=ticket,
        actor=principal.user,
        action="ticket.disposition_approved",
        data={"disposition": ticket.disposition.value},
    )
    return ticket


def reveal_identity(
    session: Session, *, ticket: Ticket, principal: Principal, reason: str
) -> Identity:
    """Decrypt the complainant's identity for a member of the ticket's own team, with a reason;
    recorded in the ticket's reveal log, its timeline (team only) and the audit log."""
    if not can_reveal_identity(session, principal, ticket):
        # Admins and other teams are told nothing about the ticket.
        if on_team(session, principal, ticket):
            raise PermissionDenied("您无权查看举报人身份信息")
        raise NotFound("工单不存在")
    text = required_text(reason, "reason", "查看身份信息的事由", minimum=4)
    if ticket.is_anonymous or not ticket.identity_ciphertext:
        raise Conflict("该件为匿名提交，没有身份信息")
    identity = Identity.model_validate(
        json.loads(
            crypto.decrypt(
                ticket.identity_ciphertext, aad=notifications.identity_aad(ticket.number)
            )
        )
    )
    assert ticket.id is not None
    assert principal.user.id is not None
    session.add(IdentityReveal(ticket_id=ticket.id, user_id=principal.user.id, reason=text))
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.REVEAL,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.TEAM,
        actor=principal.user,
        body=text,
    )
    audit(
        session,
        ticket=ticket,
        actor=principal.user,
        action="ticket.identity_revealed",
        data={"reason": text},
    )
    return identity
