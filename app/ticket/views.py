"""What each audience gets to see of a ticket — built here, so no page or API response can show
more than its audience may see (§6 confidentiality).

- CitizenView: the public timeline, the answer, what they may still do. Never dispositions,
  internal notes, routing, names of staff.
- UnitView: for the unit the ticket was forwarded to. No identity, no contact data, no original
  text of a report (the team's summary instead), only attachments the team released, under
  neutral names.
- StaffView: everything the team needs, except the identity, which only reveal_identity opens.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.service import Principal
from app.core.errors import NotFound
from app.ticket import deadlines, routing
from app.ticket.attachments import EXTENSIONS
from app.ticket.labels import (
    CITIZEN_STATUS_LABELS,
    DISPOSITION_LABELS,
    ENTRY_KIND_LABELS,
    KIND_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    UNIT_STAGE_LABELS,
)
from app.ticket.models import (
    AUDIENCE_VISIBILITIES,
    FINAL_STATUSES,
    Audience,
    Category,
    EntryActor,
    EntryKind,
    IdentityReveal,
    Rating,
    Ticket,
    TicketAttachment,
    TicketEntry,
    TicketKind,
    TicketStatus,
    UnitStage,
)
from app.ticket.policies import can_reveal_identity, ensure_audience, roles_on
from app.ticket.workflow import Action, allowed_actions
from app.ticket.workflow import Role as ActorRole
from app.unit.models import Team, Unit

_ACTOR_LABELS: dict[Audience, dict[EntryActor, str]] = {
    Audience.CITIZEN: {
        EntryActor.CITIZEN: "您",
        EntryActor.TEAM: "监督单位",
        EntryActor.UNIT: "承办单位",
        EntryActor.SYSTEM: "系统",
    },
    Audience.UNIT: {
        EntryActor.CITIZEN: "群众",
        EntryActor.TEAM: "监督单位",
        EntryActor.UNIT: "本单位",
        EntryActor.SYSTEM: "系统",
    },
    Audience.TEAM: {
        EntryActor.CITIZEN: "群众",
        EntryActor.TEAM: "监督单位",
        EntryActor.UNIT: "承办单位",
        EntryActor.SYSTEM: "系统",
    },
}


class TimelineItem(BaseModel):
    """One timeline line as an audience may read it (no internal data)."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    kind: EntryKind
    kind_label: str
    actor: str
    body: str
    status_to: TicketStatus | None = None
    status_label: str | None = None


class AttachmentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    content_type: str
    size: int


def timeline(session: Session, *, ticket: Ticket, audience: Audience) -> list[TimelineItem]:
    """The entries this audience may read, oldest first, with suitable actor names."""
    visible = AUDIENCE_VISIBILITIES[audience]
    entries = session.exec(
        select(TicketEntry)
        .where(
            col(TicketEntry.ticket_id) == ticket.id,
            col(TicketEntry.visibility).in_(sorted(visible)),
        )
        .order_by(col(TicketEntry.at), col(TicketEntry.id))
    ).all()
    names: dict[int, str] = {}
    if audience == Audience.TEAM:
        ids = sorted({e.actor_id for e in entries if e.actor_id is not None})
        if ids:
            users = session.exec(select(User).where(col(User.id).in_(ids))).all()
            names = {u.id: u.display_name or u.username for u in users if u.id is not None}
    status_labels = CITIZEN_STATUS_LABELS if audience == Audience.CITIZEN else STATUS_LABELS
    items = []
    for entry in entries:
        assert entry.id is not None
        actor = _ACTOR_LABELS[audience][entry.actor_role]
        if audience == Audience.TEAM and entry.actor_id in names:
            actor = f"{actor} {names[entry.actor_id]}"
        status_to = None
        if entry.kind == EntryKind.STATUS_CHANGE and "to" in entry.data:
            status_to = TicketStatus(entry.data["to"])
        items.append(
            TimelineItem(
                id=entry.id,
                at=entry.at,
                kind=entry.kind,
                kind_label=ENTRY_KIND_LABELS[entry.kind],
                actor=actor,
                body=entry.body,
                status_to=status_to,
                status_label=status_labels[status_to] if status_to else None,
            )
        )
    return items


def _attachments(session: Session, ticket: Ticket) -> list[TicketAttachment]:
    return list(
        session.exec(
            select(TicketAttachment)
            .where(col(TicketAttachment.ticket_id) == ticket.id)
            .order_by(col(TicketAttachment.id))
        ).all()
    )


def _unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else ""


# --- The citizen ------------------------------------------------------------------------------


class CitizenView(BaseModel):
    """What the receipt holder sees on /track."""

    model_config = ConfigDict(frozen=True)

    number: str
    kind_label: str
    category: str
    unit_name: str
    subject: str
    status: TicketStatus
    status_label: str
    created_at: datetime
    public_reply: str
    answered_at: datetime | None
    rating_due_at: datetime | None
    rating: Rating | None
    rating_label: str | None
    resolved: bool | None
    can_supplement: bool
    can_rate: bool
    merged_into_number: str | None
    merged_into_status_label: str | None
    merged_into_reply: str
    timeline: list[TimelineItem]
    attachment_count: int


def citizen_view(session: Session, *, ticket: Ticket) -> CitizenView:
    """Only for a ticket found with track() (number and receipt code)."""
    category = session.get(Category, ticket.category_id)
    target = session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    return CitizenView(
        number=ticket.number,
        kind_label=KIND_LABELS[ticket.kind],
        category=category.name if category else "",
        unit_name=_unit_name(session, ticket.unit_id),
        subject=ticket.subject,
        status=ticket.status,
        status_label=CITIZEN_STATUS_LABELS[ticket.status],
        created_at=ticket.created_at,
        public_reply=ticket.public_reply,
        answered_at=ticket.answered_at,
        rating_due_at=ticket.rating_due_at if ticket.status == TicketStatus.ANSWERED else None,
        rating=ticket.rating,
        rating_label=RATING_LABELS[ticket.rating] if ticket.rating else None,
        resolved=ticket.resolved,
        can_supplement=ticket.status not in FINAL_STATUSES,
        can_rate=ticket.status == TicketStatus.ANSWERED,
        merged_into_number=target.number if target else None,
        merged_into_status_label=CITIZEN_STATUS_LABELS[target.status] if target else None,
        merged_into_reply=target.public_reply if target else "",
        timeline=timeline(session, ticket=ticket, audience=Audience.CITIZEN),
        attachment_count=sum(
            1 for a in _attachments(session, ticket) if a.uploaded_by == EntryActor.CITIZEN
        ),
    )


# --- The unit ---------------------------------------------------------------------------------


class UnitView(BaseModel):
    """A forwarded ticket as its handling unit sees it; see the module docstring."""

    model_config = ConfigDict(frozen=True)

    number: str
    kind: TicketKind
    kind_label: str
    category: str
    unit_name: str
    handling_unit_name: str
    subject: str
    status: TicketStatus
    status_label: str
    stage: UnitStage | None
    stage_label: str | None
    forwarded_at: datetime | None
    summary: str
    # Complaints only, and only when the team chose to release it; never for a report.
    original_text: str | None
    resolve_due_at: datetime | None
    resolve_due_explanation: str
    timeline: list[TimelineItem]
    attachments: list[AttachmentRef]
    actions: list[Action]


def unit_view(session: Session, *, ticket: Ticket, principal: Principal) -> UnitView:
    """Build the unit's projection field by field from what may be shown (never a copy of the
    ticket), so a new column on Ticket cannot leak to the unit by accident. The handling unit's
    editors get it, and the team too (to check what the unit is shown); others get 404."""
    ensure_audience(session, principal, ticket)
    category = session.get(Category, ticket.category_id)
    released = [a for a in _attachments(session, ticket) if a.released_to_unit]
    show_text = ticket.kind != TicketKind.REPORT and ticket.content_released
    roles = roles_on(session, principal, ticket) & {ActorRole.UNIT}
    actions = allowed_actions(ticket.status, roles)
    if ticket.unit_stage != UnitStage.FORWARDED:
        actions = [a for a in actions if a != Action.UNIT_RETURN]
    if ticket.unit_stage not in (UnitStage.FORWARDED, UnitStage.REPLIED):
        actions = [a for a in actions if a != Action.UNIT_REPLY]
    return UnitView(
        number=ticket.number,
        kind=ticket.kind,
        kind_label=KIND_LABELS[ticket.kind],
        category=category.name if category else "",
        unit_name=_unit_name(session, ticket.unit_id),
        handling_unit_name=_unit_name(session, ticket.handling_unit_id),
        subject=ticket.subject,
        status=ticket.status,
        status_label=STATUS_LABELS[ticket.status],
        stage=ticket.unit_stage,
        stage_label=UNIT_STAGE_LABELS[ticket.unit_stage] if ticket.unit_stage else None,
        forwarded_at=ticket.forwarded_at,
        summary=ticket.forward_summary,
        original_text=ticket.content if show_text else None,
        resolve_due_at=ticket.resolve_due_at,
        resolve_due_explanation=ticket.resolve_due_explanation,
        timeline=timeline(session, ticket=ticket, audience=Audience.UNIT),
        attachments=[
            AttachmentRef(
                id=a.id,
                # The citizen's file name may carry their name; the unit gets a neutral one.
                name=f"附件{index}{EXTENSIONS.get(a.content_type, '')}",
                content_type=a.content_type,
                size=a.size,
            )
            for index, a in enumerate(released, 1)
            if a.id is not None
        ],
        actions=actions,
    )


# --- The team ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffView:
    """Everything a team member's ticket page shows (the identity stays sealed)."""

    ticket: Ticket
    category: Category | None
    unit: Unit | None
    handling_unit: Unit | None
    team: Team | None
    assignee: User | None
    timeline: list[TimelineItem]
    attachments: list[TicketAttachment]
    recused: list[User]
    reveals: list[tuple[IdentityReveal, User]]
    roles: frozenset[ActorRole]
    actions: list[Action]
    clock: deadlines.ClockState | None
    can_reveal: bool
    can_assign: bool
    assignable: list[User]
    merged_into: Ticket | None
    merged_from: list[Ticket]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.ticket.kind]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.ticket.status]

    @property
    def disposition_label(self) -> str | None:
        value = self.ticket.disposition
        return DISPOSITION_LABELS[value] if value else None


def staff_view(
    session: Session, *, ticket: Ticket, principal: Principal, now: datetime | None = None
) -> StaffView:
    """The team's page of a ticket; anyone not on the team (the unit included) gets 404."""
    if ensure_audience(session, principal, ticket) != Audience.TEAM:
        raise NotFound("工单不存在")
    roles = roles_on(session, principal, ticket)
    team_roles = roles & {ActorRole.TEAM, ActorRole.LEAD}
    recused_ids = routing.recused_user_ids(session, ticket=ticket)
    assignable_ids = routing.assignable_member_ids(session, ticket=ticket)
    user_ids = sorted({*recused_ids, *assignable_ids})
    users = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        if user_ids
        else {}
    )
    reveals = session.exec(
        select(IdentityReveal, User)
        .join(User, col(User.id) == col(IdentityReveal.user_id))
        .where(col(IdentityReveal.ticket_id) == ticket.id)
        .order_by(col(IdentityReveal.at))
    ).all()
    merged_from = session.exec(
        select(Ticket).where(col(Ticket.merged_into_id) == ticket.id).order_by(col(Ticket.id))
    ).all()
    can_assign = ActorRole.LEAD in roles and not ticket.is_final
    return StaffView(
        ticket=ticket,
        category=session.get(Category, ticket.category_id),
        unit=session.get(Unit, ticket.unit_id),
        handling_unit=session.get(Unit, ticket.handling_unit_id)
        if ticket.handling_unit_id
        else None,
        team=session.get(Team, ticket.team_id),
        assignee=session.get(User, ticket.assignee_id) if ticket.assignee_id else None,
        timeline=timeline(session, ticket=ticket, audience=Audience.TEAM),
        attachments=_attachments(session, ticket),
        recused=[users[uid] for uid in recused_ids if uid in users],
        reveals=[(reveal, user) for reveal, user in reveals],
        roles=roles,
        actions=allowed_actions(ticket.status, team_roles),
        clock=deadlines.clock_state(session, ticket, now=now),
        can_reveal=not ticket.is_anonymous and can_reveal_identity(session, principal, ticket),
        can_assign=can_assign,
        assignable=[users[uid] for uid in assignable_ids if uid in users] if can_assign else [],
        merged_into=session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None,
        merged_from=list(merged_from),
    )
