"""/api/v1/tickets — the staff inbox, a ticket, workflow actions and the identity reveal, over the
same services, permissions and scoping as the /staff pages (404 out of scope, 403 wrong role,
409 impossible in the ticket's state, 422 with field messages)."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel import Session

from app.account import service as account_service
from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.core.workcalendar import DeadlineColour
from app.ticket import inbox as ticket_inbox
from app.ticket import service as ticket_service
from app.ticket.models import Audience, Ticket, TicketChannel, TicketKind, TicketStatus
from app.unit import service as unit_service
from app.web.api.ticket_schemas import (
    AssignIn,
    BodyIn,
    ClockOut,
    DispositionIn,
    FeedbackIn,
    ForwardIn,
    IdentityOut,
    MergeIn,
    NoteIn,
    QuestionIn,
    ReasonIn,
    ReleaseIn,
    ReplyIn,
    RevealIn,
    ReviewReturnIn,
    StaffTicketOut,
    TicketOut,
    TicketPageOut,
    TicketRowOut,
    UnitTicketOut,
)
from app.web.backoffice.ticket_detail import entry_visibilities
from app.web.backoffice.ticket_forms import Number
from app.web.deps import SessionDep, require

router = APIRouter(prefix="/tickets", tags=["tickets"])

Reader = Annotated[Principal, Depends(require(Permission.TICKET_READ))]
Triager = Annotated[Principal, Depends(require(Permission.TICKET_TRIAGE))]
Assigner = Annotated[Principal, Depends(require(Permission.TICKET_ASSIGN))]
Disposer = Annotated[Principal, Depends(require(Permission.TICKET_DISPOSE))]
Handler = Annotated[Principal, Depends(require(Permission.TICKET_HANDLE))]
Revealer = Annotated[Principal, Depends(require(Permission.TICKET_REVEAL_IDENTITY))]
Filter = Annotated[str, Query(max_length=100)]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "您无权执行该操作（例如承办单位不能受理）"},
    404: {"description": "工单不存在或不在您的范围内"},
    409: {"description": "工单当前状态不能执行该操作"},
    422: {"description": "提交的内容有误；errors 按字段给出中文提示"},
}


def ticket_out(
    session: Session, principal: Principal, ticket: Ticket, audience: Audience
) -> StaffTicketOut | UnitTicketOut:
    if audience == Audience.TEAM:
        view = ticket_service.staff_view(session, ticket=ticket, principal=principal)
        return StaffTicketOut.of(view, entry_visibilities(session, ticket))
    return UnitTicketOut.of(ticket_service.unit_view(session, ticket=ticket, principal=principal))


@router.get("", name="api.tickets.index")
def list_tickets(
    session: SessionDep,
    principal: Reader,
    tab: Annotated[
        str,
        Query(
            pattern="^(all|submitted|handling|yellow|red|answered|closed)?$",
            description="分类：submitted 待受理、handling 办理中、yellow 即将超期、red 已超期、"
            "answered 待评价、closed 已办结",
        ),
    ] = "",
    status: Annotated[TicketStatus | None, Query()] = None,
    colour: Annotated[DeadlineColour | None, Query(description="期限颜色")] = None,
    kind: Annotated[TicketKind | None, Query()] = None,
    category: Annotated[str, Query(max_length=40, description="类别代码")] = "",
    unit: Annotated[str, Query(max_length=100, description="被反映单位代码或名称")] = "",
    assignee: Annotated[
        str, Query(max_length=12, pattern=r"^(me|none|\d+)?$", description="me、none 或用户 ID")
    ] = "",
    channel: Annotated[TicketChannel | None, Query()] = None,
    q: Annotated[str, Query(max_length=100, description="受理编号或内容")] = "",
    scope: Annotated[
        str, Query(pattern="^(team|unit)?$", description="同时是监督单位和承办单位人员时选择")
    ] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 25,
) -> TicketPageOut:
    """Tickets in your scope, soonest due first: your team's (not those you are recused from),
    or those forwarded to your unit."""
    now = clock.now()
    category_id = None
    if category:
        try:
            category_id = ticket_service.get_category_by_code(session, code=category).id
        except NotFound:
            raise ValidationFailed({"category": "类别不存在"}) from None
    audience = ticket_inbox.inbox_audience(principal, scope)
    query = ticket_inbox.InboxQuery(
        tab=tab or "all",
        status=status,
        colour=colour,
        kind=kind,
        category_id=category_id,
        unit=unit,
        assignee=assignee if audience == Audience.TEAM else "",
        channel=channel,
        text=q,
        audience=audience,
        page=page,
        per_page=per_page,
    )
    result = ticket_inbox.search(session, principal=principal, query=query, now=now)
    lines = ticket_inbox.rows(session, result.items, audience, now=now)
    unit_rows = audience == Audience.UNIT
    items = [
        TicketRowOut(
            audience="unit" if unit_rows else "team",
            number=ticket.number,
            kind=ticket.kind,
            kind_label=line.kind_label,
            category=line.category,
            unit_name=line.unit_name,
            status=ticket.status,
            status_label=line.status_label,
            created_at=ticket.created_at,
            clock=ClockOut.of(line.clock),
            assignee=None if unit_rows else (line.assignee or None),
            channel=None if unit_rows else ticket.channel,
            summary=line.summary if unit_rows else None,
            unit_stage=ticket.unit_stage if unit_rows else None,
        )
        for ticket, line in zip(result.items, lines, strict=True)
    ]
    return TicketPageOut(
        items=items,
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        counts=ticket_inbox.tab_counts(session, principal=principal, audience=audience, now=now),
    )


@router.get("/{number}", name="api.tickets.detail", responses={404: ERRORS[404]})
def get_ticket(session: SessionDep, principal: Reader, number: Number) -> TicketOut:
    """The ticket as your team sees it (`audience` "team"), or as the unit it was forwarded to
    sees it (`audience` "unit": the team's summary, no identity or report text)."""
    ticket, audience = ticket_service.get_ticket(session, principal=principal, number=number)
    return ticket_out(session, principal, ticket, audience)


def act(
    session: Session, principal: Principal, number: str, action: Callable[[Ticket], object]
) -> StaffTicketOut | UnitTicketOut:
    ticket, audience = ticket_service.get_ticket(session, principal=principal, number=number)
    action(ticket)
    return ticket_out(session, principal, ticket, audience)


@router.post("/{number}/actions/accept", name="api.tickets.accept", responses=ERRORS)
def accept(session: SessionDep, principal: Triager, number: Number, body: NoteIn) -> TicketOut:
    """受理: the resolve clock starts; a real-name citizen is told."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.accept(session, ticket=t, principal=principal, note=body.note),
    )


@router.post("/{number}/actions/start", name="api.tickets.start", responses=ERRORS)
def start(session: SessionDep, principal: Triager, number: Number, body: NoteIn) -> TicketOut:
    """The team handles the ticket itself (核查) instead of forwarding it."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.start(session, ticket=t, principal=principal, note=body.note),
    )


@router.post("/{number}/actions/reject", name="api.tickets.reject", responses=ERRORS)
def reject(session: SessionDep, principal: Triager, number: Number, body: ReasonIn) -> TicketOut:
    """不予受理, with a reason the citizen reads."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.reject(session, ticket=t, principal=principal, reason=body.reason),
    )


@router.post("/{number}/actions/merge", name="api.tickets.merge", responses=ERRORS)
def merge(session: SessionDep, principal: Triager, number: Number, body: MergeIn) -> TicketOut:
    """Merge this duplicate into another ticket of the same team."""

    def run(ticket: Ticket) -> object:
        try:
            into, _ = ticket_service.get_ticket(session, principal=principal, number=body.into)
        except NotFound:
            raise ValidationFailed({"into": "未找到该受理编号的工单"}) from None
        return ticket_service.merge(
            session, ticket=ticket, into=into, principal=principal, reason=body.reason
        )

    return act(session, principal, number, run)


@router.post("/{number}/actions/assign", name="api.tickets.assign", responses=ERRORS)
def assign(session: SessionDep, principal: Assigner, number: Number, body: AssignIn) -> TicketOut:
    """The team lead picks who handles the ticket (never a recused member)."""

    def run(ticket: Ticket) -> object:
        user = None
        if body.assignee_id is not None:
            try:
                user = account_service.get_user(session, user_id=body.assignee_id)
            except NotFound:
                raise ValidationFailed({"assignee_id": "请选择承办人"}) from None
        return ticket_service.assign(session, ticket=ticket, principal=principal, assignee=user)

    return act(session, principal, number, run)


@router.post("/{number}/actions/forward", name="api.tickets.forward", responses=ERRORS)
def forward(session: SessionDep, principal: Triager, number: Number, body: ForwardIn) -> TicketOut:
    """转办 to the unit complained about (or `unit_code`) with the team's summary."""

    def run(ticket: Ticket) -> object:
        unit = None
        if body.unit_code:
            try:
                unit = unit_service.get_unit_by_code(session, code=body.unit_code)
            except NotFound:
                raise ValidationFailed({"unit_code": "未找到该单位代码"}) from None
        return ticket_service.forward(
            session,
            ticket=ticket,
            principal=principal,
            summary=body.summary,
            unit=unit,
            release_content=body.release_content,
            release_attachment_ids=body.release_attachment_ids,
        )

    return act(session, principal, number, run)


@router.post(
    "/{number}/actions/release-attachments",
    name="api.tickets.release_attachments",
    responses=ERRORS,
)
def release_attachments(
    session: SessionDep, principal: Triager, number: Number, body: ReleaseIn
) -> TicketOut:
    """Let the handling unit download these attachments."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.release_attachments(
            session, ticket=t, principal=principal, attachment_ids=body.attachment_ids
        ),
    )


@router.post("/{number}/actions/unit-reply", name="api.tickets.unit_reply", responses=ERRORS)
def unit_reply(session: SessionDep, principal: Handler, number: Number, body: BodyIn) -> TicketOut:
    """The handling unit reports what it did (办理情况)."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.unit_reply(session, ticket=t, principal=principal, body=body.body),
    )


@router.post("/{number}/actions/unit-return", name="api.tickets.unit_return", responses=ERRORS)
def unit_return(
    session: SessionDep, principal: Handler, number: Number, body: ReasonIn
) -> TicketOut:
    """退单: the handling unit says the ticket is not theirs; the team reviews the reason."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.unit_return(
            session, ticket=t, principal=principal, reason=body.reason
        ),
    )


@router.post("/{number}/actions/review-return", name="api.tickets.review_return", responses=ERRORS)
def review_return(
    session: SessionDep, principal: Triager, number: Number, body: ReviewReturnIn
) -> TicketOut:
    """Agree to a unit's 退单 or refuse it."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.review_return(
            session, ticket=t, principal=principal, accept=body.accept, comment=body.comment
        ),
    )


@router.post("/{number}/actions/request-info", name="api.tickets.request_info", responses=ERRORS)
def request_info(
    session: SessionDep, principal: Triager, number: Number, body: QuestionIn
) -> TicketOut:
    """Ask the citizen for more; the resolve clock pauses."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.request_info(
            session, ticket=t, principal=principal, question=body.question
        ),
    )


@router.post("/{number}/actions/receive-info", name="api.tickets.receive_info", responses=ERRORS)
def receive_info(
    session: SessionDep, principal: Triager, number: Number, body: NoteIn
) -> TicketOut:
    """Resume a ticket waiting for information; the clock runs again."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.receive_info(
            session, ticket=t, principal=principal, note=body.note
        ),
    )


@router.post("/{number}/actions/answer", name="api.tickets.answer", responses=ERRORS)
def answer(session: SessionDep, principal: Triager, number: Number, body: ReplyIn) -> TicketOut:
    """The public answer; the rating window opens."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.answer(session, ticket=t, principal=principal, reply=body.reply),
    )


@router.post("/{number}/actions/close", name="api.tickets.close", responses=ERRORS)
def close(session: SessionDep, principal: Disposer, number: Number, body: NoteIn) -> TicketOut:
    """The team lead closes an answered ticket without waiting for the rating."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.close(session, ticket=t, principal=principal, note=body.note),
    )


@router.post("/{number}/actions/note", name="api.tickets.note", responses=ERRORS)
def note(session: SessionDep, principal: Triager, number: Number, body: BodyIn) -> TicketOut:
    """An internal note (only the team reads it)."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.add_note(session, ticket=t, principal=principal, body=body.body),
    )


@router.post("/{number}/actions/disposition", name="api.tickets.disposition", responses=ERRORS)
def disposition(
    session: SessionDep, principal: Triager, number: Number, body: DispositionIn
) -> TicketOut:
    """Propose a report's disposition (处置方式); the lead approves it."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.set_disposition(
            session, ticket=t, principal=principal, disposition=body.disposition, note=body.note
        ),
    )


@router.post(
    "/{number}/actions/approve-disposition",
    name="api.tickets.approve_disposition",
    responses=ERRORS,
)
def approve_disposition(session: SessionDep, principal: Disposer, number: Number) -> TicketOut:
    """The team lead approves the proposed disposition."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.approve_disposition(session, ticket=t, principal=principal),
    )


@router.post("/{number}/actions/feedback", name="api.tickets.feedback", responses=ERRORS)
def feedback(
    session: SessionDep, principal: Triager, number: Number, body: FeedbackIn
) -> TicketOut:
    """Record that a real-name reporter was told the outcome (结果反馈)."""
    return act(
        session,
        principal,
        number,
        lambda t: ticket_service.record_feedback(
            session, ticket=t, principal=principal, note=body.note
        ),
    )


@router.post(
    "/{number}/identity",
    name="api.tickets.reveal_identity",
    responses={**ERRORS, 409: {"description": "匿名件没有身份信息"}},
)
def reveal_identity(
    response: Response, session: SessionDep, principal: Revealer, number: Number, body: RevealIn
) -> IdentityOut:
    """Decrypt the complainant's identity, for a member of the ticket's own team, with a reason;
    the reveal is logged and audited. The answer must not be cached or stored."""
    ticket, _ = ticket_service.get_ticket(session, principal=principal, number=number)
    identity = ticket_service.reveal_identity(
        session, ticket=ticket, principal=principal, reason=body.reason
    )
    response.headers["Cache-Control"] = "no-store"
    return IdentityOut(name=identity.name, mobile=identity.mobile, id_number=identity.id_number)
