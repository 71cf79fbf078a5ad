"""POST /staff/tickets/{number}/<action> — the team's workflow actions on a ticket.

Each action runs one service call inside a savepoint. Success: 303 back to the ticket without
JavaScript, or (htmx) the actions panel with the changed blocks swapped out of band. A refused
or invalid action (ValidationFailed, Conflict, InvalidTransition) rolls back and re-renders the
form with status 422 and its zh-CN message; the wrong role answers 403, out of scope 404.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account import service as account_service
from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.ticket import service as ticket_service
from app.ticket.models import Audience, Ticket
from app.ticket.workflow import ActionNotAllowed
from app.unit import service as unit_service
from app.web.backoffice.ticket_detail import team_context, unit_context
from app.web.backoffice.ticket_forms import (
    GENERAL,
    NOTICES,
    FormList,
    Forms,
    FormText,
    Number,
    ShortText,
    id_list,
    positive_int,
)
from app.web.backoffice.tickets import DETAIL, UNIT_DETAIL, no_store
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

Triager = Annotated[Principal, Depends(require(Permission.TICKET_TRIAGE))]
Assigner = Annotated[Principal, Depends(require(Permission.TICKET_ASSIGN))]
Disposer = Annotated[Principal, Depends(require(Permission.TICKET_DISPOSE))]

TEAM_BLOCKS = [
    "ticket_actions",
    "ticket_header",
    "ticket_clocks",
    "ticket_attachments",
    "ticket_duplicates",
    "ticket_timeline",
]
UNIT_BLOCKS = ["ticket_actions", "ticket_header", "ticket_timeline"]


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    audience: Audience,
    *,
    forms: Forms | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    if audience == Audience.TEAM:
        oob = is_htmx(request)
        context = team_context(session, principal, ticket, forms=forms, notice=notice, oob=oob)
        template, blocks = DETAIL, TEAM_BLOCKS
    else:
        context = unit_context(
            session, principal, ticket, forms=forms, notice=notice, oob=is_htmx(request)
        )
        template, blocks = UNIT_DETAIL, UNIT_BLOCKS
    if status_code != 200:
        blocks = ["ticket_actions"]
    return no_store(render(request, template, context, blocks=blocks, status_code=status_code))


def perform(
    request: Request,
    session: Session,
    principal: Principal,
    number: str,
    form: str,
    values: dict[str, Any],
    act: Callable[[Ticket], object],
) -> Response:
    """Run `act` on the ticket the user may see; see the module docstring for the answers."""
    ticket, audience = ticket_service.get_ticket(session, principal=principal, number=number)
    errors: dict[str, str] = {}
    try:
        with session.begin_nested():
            act(ticket)
    except ValidationFailed as exc:
        errors = exc.errors or {GENERAL: exc.message}
    except ActionNotAllowed:
        raise
    except (Conflict, InvalidTransition) as exc:
        errors = {GENERAL: exc.message}
    if errors:
        session.refresh(ticket)
        failed = Forms.failed(form, values, errors)
        return _page(request, session, principal, ticket, audience, forms=failed, status_code=422)
    if is_htmx(request):
        return _page(request, session, principal, ticket, audience, notice=NOTICES[form])
    url = request.url_for("backoffice.tickets.detail", number=ticket.number).path
    return redirect(request, f"{url}?done={form}#ticket-actions")


def _other_ticket(session: Session, principal: Principal, number: str) -> Ticket:
    try:
        other, _ = ticket_service.get_ticket(session, principal=principal, number=number)
    except NotFound:
        raise ValidationFailed({"into": "未找到该受理编号的工单"}) from None
    return other


@router.post("/tickets/{number}/accept", name="backoffice.tickets.accept")
def accept(
    request: Request, session: SessionDep, principal: Triager, number: Number, note: FormText = ""
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.accept(session, ticket=ticket, principal=principal, note=note)

    return perform(request, session, principal, number, "accept", {"note": note}, act)


@router.post("/tickets/{number}/start", name="backoffice.tickets.start")
def start(
    request: Request, session: SessionDep, principal: Triager, number: Number, note: FormText = ""
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.start(session, ticket=ticket, principal=principal, note=note)

    return perform(request, session, principal, number, "start", {"note": note}, act)


@router.post("/tickets/{number}/reject", name="backoffice.tickets.reject")
def reject(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    reason: FormText = "",
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.reject(session, ticket=ticket, principal=principal, reason=reason)

    return perform(request, session, principal, number, "reject", {"reason": reason}, act)


@router.post("/tickets/{number}/merge", name="backoffice.tickets.merge")
def merge(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    into: ShortText = "",
    reason: FormText = "",
) -> Response:
    def act(ticket: Ticket) -> object:
        if not into.strip():
            raise ValidationFailed({"into": "请填写要合并到的工单受理编号"})
        target = _other_ticket(session, principal, into)
        return ticket_service.merge(
            session, ticket=ticket, into=target, principal=principal, reason=reason
        )

    values = {"into": into, "reason": reason}
    return perform(request, session, principal, number, "merge", values, act)


@router.post("/tickets/{number}/assign", name="backoffice.tickets.assign")
def assign(
    request: Request,
    session: SessionDep,
    principal: Assigner,
    number: Number,
    assignee: ShortText = "",
) -> Response:
    def act(ticket: Ticket) -> object:
        user = None
        if assignee.strip():
            user_id = positive_int(assignee)
            try:
                user = account_service.get_user(session, user_id=user_id or 0)
            except NotFound:
                raise ValidationFailed({"assignee": "请选择承办人"}) from None
        return ticket_service.assign(session, ticket=ticket, principal=principal, assignee=user)

    return perform(request, session, principal, number, "assign", {"assignee": assignee}, act)


@router.post("/tickets/{number}/forward", name="backoffice.tickets.forward")
def forward(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    summary: FormText = "",
    unit: ShortText = "",
    release_content: ShortText = "",
    attachments: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    """转办 to the unit complained about, or another unit given by its code."""

    def act(ticket: Ticket) -> object:
        target = None
        if unit.strip():
            try:
                target = unit_service.get_unit_by_code(session, code=unit.strip())
            except NotFound:
                raise ValidationFailed({"unit": "未找到该单位代码"}) from None
        return ticket_service.forward(
            session,
            ticket=ticket,
            principal=principal,
            summary=summary,
            unit=target,
            release_content=bool(release_content),
            release_attachment_ids=id_list(attachments, "attachments"),
        )

    values = {
        "summary": summary,
        "unit": unit,
        "release_content": bool(release_content),
        "attachments": attachments,
    }
    return perform(request, session, principal, number, "forward", values, act)


@router.post("/tickets/{number}/release", name="backoffice.tickets.release")
def release(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    attachments: FormList = [],  # noqa: B006
) -> Response:
    """Let the handling unit download more of the citizen's files."""

    def act(ticket: Ticket) -> object:
        ids = id_list(attachments, "attachments")
        if not ids:
            raise ValidationFailed({"attachments": "请选择要提供给承办单位的附件"})
        return ticket_service.release_attachments(
            session, ticket=ticket, principal=principal, attachment_ids=ids
        )

    values = {"attachments": attachments}
    return perform(request, session, principal, number, "release", values, act)


@router.post("/tickets/{number}/review-return", name="backoffice.tickets.review_return")
def review_return(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    decision: ShortText = "",
    comment: FormText = "",
) -> Response:
    """Agree to a unit's 退单 (the ticket comes back) or refuse it (the unit must handle it)."""

    def act(ticket: Ticket) -> object:
        if decision not in ("accept", "refuse"):
            raise ValidationFailed({"decision": "请选择同意或不同意退回"})
        return ticket_service.review_return(
            session,
            ticket=ticket,
            principal=principal,
            accept=decision == "accept",
            comment=comment,
        )

    values = {"decision": decision, "comment": comment}
    return perform(request, session, principal, number, "review_return", values, act)


@router.post("/tickets/{number}/request-info", name="backoffice.tickets.request_info")
def request_info(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    question: FormText = "",
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.request_info(
            session, ticket=ticket, principal=principal, question=question
        )

    values = {"question": question}
    return perform(request, session, principal, number, "request_info", values, act)


@router.post("/tickets/{number}/receive-info", name="backoffice.tickets.receive_info")
def receive_info(
    request: Request, session: SessionDep, principal: Triager, number: Number, note: FormText = ""
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.receive_info(session, ticket=ticket, principal=principal, note=note)

    return perform(request, session, principal, number, "receive_info", {"note": note}, act)


@router.post("/tickets/{number}/answer", name="backoffice.tickets.answer")
def answer(
    request: Request, session: SessionDep, principal: Triager, number: Number, reply: FormText = ""
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.answer(session, ticket=ticket, principal=principal, reply=reply)

    return perform(request, session, principal, number, "answer", {"reply": reply}, act)


@router.post("/tickets/{number}/close", name="backoffice.tickets.close")
def close(
    request: Request, session: SessionDep, principal: Disposer, number: Number, note: FormText = ""
) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.close(session, ticket=ticket, principal=principal, note=note)

    return perform(request, session, principal, number, "close", {"note": note}, act)


@router.post("/tickets/{number}/notes", name="backoffice.tickets.note")
def note(
    request: Request, session: SessionDep, principal: Triager, number: Number, body: FormText = ""
) -> Response:
    """An internal note: only the team ever reads it."""

    def act(ticket: Ticket) -> object:
        return ticket_service.add_note(session, ticket=ticket, principal=principal, body=body)

    return perform(request, session, principal, number, "note", {"body": body}, act)


@router.post("/tickets/{number}/disposition", name="backoffice.tickets.disposition")
def disposition(
    request: Request,
    session: SessionDep,
    principal: Triager,
    number: Number,
    disposition: ShortText = "",
    note: FormText = "",
) -> Response:
    """Propose how a report is disposed of; the lead approves it."""

    def act(ticket: Ticket) -> object:
        return ticket_service.set_disposition(
            session, ticket=ticket, principal=principal, disposition=disposition, note=note
        )

    values = {"disposition": disposition, "note": note}
    return perform(request, session, principal, number, "disposition", values, act)


@router.post("/tickets/{number}/disposition/approve", name="backoffice.tickets.approve")
def approve(request: Request, session: SessionDep, principal: Disposer, number: Number) -> Response:
    def act(ticket: Ticket) -> object:
        return ticket_service.approve_disposition(session, ticket=ticket, principal=principal)

    return perform(request, session, principal, number, "approve", {}, act)


@router.post("/tickets/{number}/feedback", name="backoffice.tickets.feedback")
def feedback(
    request: Request, session: SessionDep, principal: Triager, number: Number, note: FormText = ""
) -> Response:
    """The outcome was told to the real-name reporter (结果反馈)."""

    def act(ticket: Ticket) -> object:
        return ticket_service.record_feedback(
            session, ticket=ticket, principal=principal, note=note
        )

    return perform(request, session, principal, number, "feedback", {"note": note}, act)
