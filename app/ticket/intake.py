"""The citizen's side: file a ticket, follow it with the receipt, add information."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit.service import Actor
from app.calendar.models import DeadlineClock
from app.core import clock, crypto
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.notify import messages
from app.powerlist import service as powerlist_service
from app.powerlist.models import CadreDuty, ListVersion, NegativeItem, PowerList
from app.ticket import attachments, deadlines, notifications, receipts, routing
from app.ticket.models import (
    FINAL_STATUSES,
    Category,
    EntryActor,
    EntryKind,
    Ticket,
    TicketChannel,
    TicketStatus,
    Visibility,
)
from app.ticket.schemas import CONTENT_MAX, STAFF_CHANNELS, ComplaintSubmission, content_problem
from app.ticket.timeline import CITIZEN, add_entry, audit, change_status
from app.ticket.workflow import Action
from app.ticket.workflow import Role as ActorRole
from app.unit.models import Team, Unit


@dataclass(frozen=True)
class Receipt:
    """What the citizen takes away: the public number and the secret code, shown once."""

    ticket: Ticket
    code: str

    @property
    def number(self) -> str:
        return self.ticket.number

    @property
    def formatted_code(self) -> str:
        return receipts.format_code(self.code)


@dataclass(frozen=True)
class _Subject:
    unit: Unit
    category: Category
    item_team: Team | None
    item_name: str
    label: str


def _published_row_unit(
    session: Session, model: type[CadreDuty] | type[NegativeItem], key: str
) -> tuple[CadreDuty | NegativeItem, int | None] | None:
    row = session.exec(
        select(model, PowerList.unit_id)
        .join(ListVersion, col(ListVersion.id) == col(model.version_id))
        .join(PowerList, col(PowerList.current_version_id) == col(ListVersion.id))
        .where(col(model.key) == key)
    ).first()
    if row is None:
        return None
    return row[0], row[1]


def _resolve_subject(
    session: Session, submission: ComplaintSubmission, errors: dict[str, str]
) -> _Subject | None:
    unit = session.exec(select(Unit).where(col(Unit.code) == submission.unit_code)).first()
    if submission.unit_code and (unit is None or not unit.is_active):
        errors["unit_code"] = "未找到该单位，请重新选择"
        unit = None
    category = session.exec(
        select(Category).where(col(Category.code) == submission.category_code)
    ).first()
    if submission.category_code and (category is None or not category.is_active):
        errors["category_code"] = "请选择问题类别"
        category = None
    if unit is None or category is None:
        return None
    item_team: Team | None = None
    item_name = ""
    label = ""
    if submission.item_key:
        try:
            view = powerlist_service.get_item_by_key(session, key=submission.item_key)
        except NotFound:
            view = None
        if view is None or view.unit.id != unit.id:
            errors["item_key"] = "该事项不在此单位当前公布的清单中"
        else:
            item_team, item_name = view.team_override, view.row.name
            label = f"事项 {view.row.number} {view.row.name}"
    if submission.cadre_key:
        found = _published_row_unit(session, CadreDuty, submission.cadre_key)
        if found is None or found[1] != unit.id or not isinstance(found[0], CadreDuty):
            errors["cadre_key"] = "该岗位不在此单位当前公布的清单中"
        else:
            label = label or f"岗位 {found[0].post}"
    if submission.negative_key:
        found = _published_row_unit(session, NegativeItem, submission.negative_key)
        if found is None or found[1] != unit.id or not isinstance(found[0], NegativeItem):
            errors["negative_key"] = "该负面清单条目不在此单位当前公布的清单中"
        else:
            label = label or f"负面清单 {found[0].number}"
    return _Subject(unit, category, item_team, item_name, label[:200])


def submit_ticket(
    session: Session,
    *,
    submission: ComplaintSubmission,
    channel: TicketChannel = TicketChannel.WEB,
    attachments_in: Sequence[tuple[str, bytes]] = (),
    principal: Principal | None = None,
) -> Receipt:
    """File a ticket: validate, number it, route it (§4), encrypt the identity, store the files,
    start the acknowledge clock, tell the team. Returns the receipt (code shown once).

    `principal` is the staff member entering a hotline, visit or letter on a citizen's behalf.
    Nothing about the client's network address is taken or stored.
    """
    if principal is not None and not principal.can(Permission.TICKET_CREATE_ON_BEHALF):
        raise PermissionDenied("您无权代为登记投诉举报")
    errors = submission.problems()
    if channel in STAFF_CHANNELS and principal is None:
        errors["channel"] = "来电、来访、来信须由工作人员登记"
    subject = _resolve_subject(session, submission, errors)
    try:
        files = attachments.check_uploads(list(attachments_in))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        files = []
    if errors or subject is None:
        raise ValidationFailed(errors)

    number = receipts.allocate_number(session)
    code = receipts.new_code()
    route = routing.route_ticket(
        session, unit=subject.unit, item_team=subject.item_team, item_name=subject.item_name
    )
    identity = submission.identity()
    now = clock.now()
    assert subject.category.id is not None
    assert subject.unit.id is not None
    assert route.team.id is not None
    ticket = Ticket(
        number=number,
        receipt_code_hash=receipts.hash_code(number, code),
        kind=subject.category.kind,
        category_id=subject.category.id,
        unit_id=subject.unit.id,
        power_item_key=submission.item_key or None,
        cadre_duty_key=submission.cadre_key or None,
        negative_item_key=submission.negative_key or None,
        subject=subject.label,
        channel=channel,
        status=TicketStatus.SUBMITTED,
        team_id=route.team.id,
        routing_reason=route.reason,
        created_by_id=principal.user.id if principal is not None else None,
        is_anonymous=identity is None,
        identity_ciphertext=(
            crypto.encrypt(identity.model_dump_json(), aad=notifications.identity_aad(number))
            if identity is not None
            else None
        ),
        content=submission.content.strip(),
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    actor: Actor = principal.user if principal is not None else CITIZEN
    role = EntryActor.TEAM if principal is not None else EntryActor.CITIZEN
    entry = add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.SUBMITTED,
        visibility=Visibility.PUBLIC,
        actor_role=role,
        actor=principal.user if principal is not None else None,
        data={"channel": channel.value},
    )
    routing.recuse(
        session,
        ticket=ticket,
        user_ids=route.excluded_user_ids,
        reason="与被反映单位有关联",
    )
    add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.ROUTED,
        visibility=Visibility.TEAM,
        actor_role=EntryActor.SYSTEM,
        body=route.reason,
        data={"team_id": route.team.id, "excluded_user_ids": route.excluded_user_ids},
    )
    stored = attachments.store(
        session, ticket, files, entry_id=entry.id, by=role, principal=principal
    )
    deadlines.set_clock(session, ticket, DeadlineClock.ACKNOWLEDGE, start=now)
    session.flush()
    audit(
        session,
        ticket=ticket,
        actor=actor,
        action="ticket.submitted",
        data={
            "kind": ticket.kind.value,
            "category": subject.category.code,
            "unit_id": ticket.unit_id,
            "power_item_key": ticket.power_item_key,
            "channel": channel.value,
            "team_id": ticket.team_id,
            "anonymous": ticket.is_anonymous,
            "attachments": len(stored),
            "excluded_user_ids": route.excluded_user_ids,
        },
    )
    notifications.team(
        session, ticket, "new", messages.staff_new_ticket(ticket.number, subject.unit.name)
    )
    return Receipt(ticket=ticket, code=code)


# --- Following a ticket with the receipt --------------------------------------------------


def track(session: Session, *, number: str, code: str) -> Ticket | None:
    """The ticket for a number and its receipt code, or None (same answer for both mistakes)."""
    number = receipts.normalise_number(number)
    ticket = None
    if receipts.NUMBER_PATTERN.match(number):
        ticket = session.exec(select(Ticket).where(col(Ticket.number) == number)).first()
    # Hash even when the number is unknown, so timing does not tell which part was wrong.
    stored = ticket.receipt_code_hash if ticket is not None else "0" * 64
    if not receipts.code_matches(number, code, stored) or ticket is None:
        return None
    return ticket


def require_code(ticket: Ticket, code: str) -> None:
    if not receipts.code_matches(ticket.number, code, ticket.receipt_code_hash):
        raise PermissionDenied("受理编号或查询码不正确")


def supplement(
    session: Session,
    *,
    ticket: Ticket,
    code: str,
    text: str,
    attachments_in: Sequence[tuple[str, bytes]] = (),
) -> Ticket:
    """The citizen adds information or files; a ticket waiting for information resumes."""
    require_code(ticket, code)
    if ticket.status in FINAL_STATUSES:
        raise ValidationFailed({"text": "该件已办结，不能再补充材料"})
    text = text.strip()
    errors: dict[str, str] = {}
    if text:
        problem = content_problem(text, minimum=2)
        if problem:
            errors["text"] = problem
        # SecureDrop's guard: people paste their secret where it does not belong.
        if receipts.normalise_code(code) in receipts.normalise_code(text):
            errors["text"] = "补充内容中不要包含查询码，查询码请自行妥善保存"
    elif not any(data for _, data in attachments_in):
        errors["text"] = "请填写补充内容或上传附件"
    try:
        files = attachments.check_uploads(
            list(attachments_in), already=attachments.count(session, ticket, by=EntryActor.CITIZEN)
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
        files = []
    if errors:
        raise ValidationFailed(errors)
    entry = add_entry(
        session,
        ticket=ticket,
        kind=EntryKind.SUPPLEMENT,
        visibility=Visibility.CITIZEN,
        actor_role=EntryActor.CITIZEN,
        body=text[:CONTENT_MAX],
    )
    stored = attachments.store(
        session, ticket, files, entry_id=entry.id, by=EntryActor.CITIZEN, principal=None
    )
    audit(
        session,
        ticket=ticket,
        actor=CITIZEN,
        action="ticket.supplemented",
        data={"entry_id": entry.id, "attachments": len(stored)},
    )
    notifications.team(
        session, ticket, f"supplemented:{entry.id}", messages.staff_supplemented(ticket.number)
    )
    if ticket.status == TicketStatus.WAITING_INFO:
        now = clock.now()
        change_status(
            session,
            ticket=ticket,
            action=Action.RECEIVE_INFO,
            roles=frozenset({ActorRole.CITIZEN}),
            actor=CITIZEN,
            actor_role=EntryActor.CITIZEN,
            audit_action="ticket.info_received",
        )
        deadlines.resume(session, ticket, at=now)
    ticket.updated_at = clock.now()
    session.add(ticket)
    session.flush()
    return ticket
