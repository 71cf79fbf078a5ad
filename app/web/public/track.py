"""GET/POST /track, POST /track/supplement, POST /track/rate — following a ticket with the receipt.

Everything goes by POST with the number and the code in the body: the code must never be part
of a URL, a log line or a page title. The pages answer directly (no redirect, since nothing on
the server may remember the code between requests) with Cache-Control: no-store, and carry the
code forward in hidden fields of the supplement and rating forms.

A wrong number and a wrong code get the same answer, so nobody can learn which numbers exist;
each attempt counts against the client's tracking limit (app.web.ratelimit.TRACKING).
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app.config import get_settings
from app.core import clock
from app.core.errors import InvalidTransition, ValidationFailed
from app.ticket import service as ticket_service
from app.ticket.labels import RATING_LABELS
from app.ticket.models import EntryKind, Rating, Ticket, TicketStatus
from app.ticket.views import CitizenView
from app.web.deps import SessionDep
from app.web.htmx import render
from app.web.public.complaints import NO_STORE, read_uploads
from app.web.ratelimit import TRACKING, UploadLimitRoute, rate_limited

router = APIRouter(route_class=UploadLimitRoute)

WRONG_RECEIPT = "受理编号或查询码不正确，请核对后重试。"
RESOLVED_CHOICES = {"yes": True, "no": False}


def _day(moment: datetime) -> str:
    local = clock.to_local(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def due_note(ticket: Ticket, *, now: datetime | None = None) -> str | None:
    """Where the ticket stands against its deadline, in plain words for the citizen."""
    now = now or clock.now()
    status = ticket.status

    def by(due: datetime, what: str) -> str:
        text = f"按规定应于 {_day(due)} 前{what}"
        return text + "（已超期，监督单位负责人会督促办理）。" if due < now else text + "。"

    if status == TicketStatus.SUBMITTED and ticket.ack_due_at is not None:
        return by(ticket.ack_due_at, "受理")
    if status in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS):
        if ticket.resolve_due_at is not None:
            return by(ticket.resolve_due_at, "办结并答复您")
        return "监督单位正在办理。"
    if status == TicketStatus.WAITING_INFO:
        return "监督单位请您补充材料。补充之前，办理期限暂停计算。"
    if status == TicketStatus.ANSWERED and ticket.rating_due_at is not None:
        return (
            f"已答复。请于 {_day(ticket.rating_due_at)} 前评价；逾期未评价的，该件按“未评价”办结。"
        )
    if status == TicketStatus.CLOSED and ticket.closed_at is not None:
        return f"已于 {_day(ticket.closed_at)} 办结。"
    if status == TicketStatus.REJECTED:
        return "监督单位决定不予受理，理由见下方办理记录。"
    return None


def _info_request(view: CitizenView) -> str:
    """The team's latest question while the ticket waits for the citizen."""
    if view.status != TicketStatus.WAITING_INFO:
        return ""
    asks = [item.body for item in view.timeline if item.kind == EntryKind.INFO_REQUEST]
    return asks[-1] if asks else ""


def view_context(
    session: Session,
    ticket: Ticket,
    code: str,
    *,
    notice: str = "",
    notice_kind: str = "success",
    supplement_errors: dict[str, str] | None = None,
    rate_errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    view = ticket_service.citizen_view(session, ticket=ticket)
    return {
        "view": view,
        "code": code,
        "due_note": due_note(ticket),
        "info_request": _info_request(view),
        "reopened": ticket.reopen_count > 0 and not ticket.is_final,
        "rating_choices": list(RATING_LABELS.items()),
        "max_attachments": get_settings().max_attachments,
        "notice": notice,
        "notice_kind": notice_kind,
        "supplement_errors": supplement_errors or {},
        "rate_errors": rate_errors or {},
        "values": values or {},
    }


def _no_store(response: Response) -> Response:
    response.headers.update(NO_STORE)
    return response


def render_view(request: Request, context: dict[str, Any], *, status_code: int = 200) -> Response:
    return _no_store(render(request, "public/track/view.html", context, status_code=status_code))


def wrong_receipt(request: Request, number: str) -> Response:
    """The one answer for an unknown number, a wrong code or both (the number is kept)."""
    context = {"number": number, "error": WRONG_RECEIPT}
    return _no_store(
        render(request, "public/track/form.html", context, blocks=["track_form"], status_code=422)
    )


@router.get("/track", name="public.track_form")
def track_form(request: Request) -> Response:
    """The number + code form (block `track_form` for htmx)."""
    return render(request, "public/track/form.html", {"number": ""}, blocks=["track_form"])


Receipt = Annotated[str, Form(max_length=40)]


@router.post("/track", name="public.track")
@rate_limited(TRACKING, "查询")
def track(
    request: Request, session: SessionDep, number: Receipt = "", code: Receipt = ""
) -> Response:
    """The citizen's view of the ticket, or the generic error (422)."""
    ticket = ticket_service.track(session, number=number, code=code)
    if ticket is None:
        return wrong_receipt(request, number.strip())
    return render_view(request, view_context(session, ticket, code))


@router.post("/track/supplement", name="public.track_supplement")
@rate_limited(TRACKING, "操作")
def track_supplement(
    request: Request,
    session: SessionDep,
    number: Receipt = "",
    code: Receipt = "",
    text: Annotated[str, Form()] = "",
    attachments: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Add information or files; the tracking page again, with a notice or the errors (422)."""
    ticket = ticket_service.track(session, number=number, code=code)
    if ticket is None:
        return wrong_receipt(request, number.strip())
    files = read_uploads(attachments)
    was_waiting = ticket.status == TicketStatus.WAITING_INFO
    try:
        ticket_service.supplement(
            session, ticket=ticket, code=code, text=text, attachments_in=files
        )
    except ValidationFailed as exc:
        errors = dict(exc.errors)
        if files and "attachments" not in errors:
            errors["attachments"] = "为安全起见，页面重新显示时不保留已选择的附件，请重新选择。"
        context = view_context(
            session, ticket, code, supplement_errors=errors, values={"text": text}
        )
        return render_view(request, context, status_code=422)
    notice = "补充材料已提交，监督单位会一并办理。"
    if was_waiting:
        notice = "补充材料已提交，该件已恢复办理。"
    return render_view(request, view_context(session, ticket, code, notice=notice))


@router.post("/track/rate", name="public.track_rate")
@rate_limited(TRACKING, "操作")
def track_rate(
    request: Request,
    session: SessionDep,
    number: Receipt = "",
    code: Receipt = "",
    rating: Annotated[str, Form(max_length=20)] = "",
    resolved: Annotated[str, Form(max_length=10)] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Rate the answer: 不满意 the first time reopens the ticket (重办), anything else closes it."""
    ticket = ticket_service.track(session, number=number, code=code)
    if ticket is None:
        return wrong_receipt(request, number.strip())
    values = {"rating": rating, "resolved": resolved, "comment": comment}
    errors: dict[str, str] = {}
    if rating not in {r.value for r in Rating}:
        errors["rating"] = "请选择满意、基本满意或不满意"
    if resolved not in RESOLVED_CHOICES:
        errors["resolved"] = "请选择问题是否已经解决"
    try:
        if errors:
            raise ValidationFailed(errors)
        ticket_service.rate(
            session,
            ticket=ticket,
            rating=rating,
            resolved=RESOLVED_CHOICES[resolved],
            comment=comment,
            code=code,
        )
    except ValidationFailed as exc:
        context = view_context(session, ticket, code, rate_errors=exc.errors, values=values)
        return render_view(request, context, status_code=422)
    except InvalidTransition:
        # Typically a second click or an old tab: the ticket was rated already.
        context = view_context(
            session,
            ticket,
            code,
            notice="该件当前不能评价（可能已经评价过）。",
            notice_kind="error",
        )
        return render_view(request, context, status_code=409)
    if ticket.status == TicketStatus.IN_PROGRESS:
        notice = "您对答复不满意，该件已重新办理（重办）。监督单位将重新核查后再次答复您。"
    elif rating == Rating.UNSATISFIED:
        notice = (
            "您的评价已记录。该件重新办理后您仍不满意，已按规定办结；如有新的情况，可以重新反映。"
        )
    else:
        notice = "感谢您的评价，该件已办结。"
    return render_view(request, view_context(session, ticket, code, notice=notice))
