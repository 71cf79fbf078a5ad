"""GET/POST /staff/tickets/new — a hotline call, visit or letter entered on a citizen's behalf.

The unit is given by code or name: an exact code is taken at once, a name with one match too;
several matches come back as radio buttons (without JavaScript, on the 422 re-render; with htmx,
live under the field, from a GET that carries only the unit text). A successful entry renders
the receipt once — number and secret code to read out to the citizen — and is never stored,
cached or put in a URL or title.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import NotFound, ValidationFailed
from app.ticket import service as ticket_service
from app.ticket.labels import CHANNEL_LABELS, KIND_LABELS
from app.ticket.models import Category, TicketChannel, TicketKind
from app.ticket.schemas import CONTENT_MAX, STAFF_CHANNELS, ComplaintSubmission
from app.unit import service as unit_service
from app.unit.models import Team, Unit
from app.web.backoffice.ticket_forms import FormText, ShortText, enum_value
from app.web.backoffice.ticket_unit import Uploads, read_uploads
from app.web.backoffice.tickets import no_store
from app.web.deps import SessionDep, require
from app.web.htmx import render
from app.web.ratelimit import UploadLimitRoute

router = APIRouter(route_class=UploadLimitRoute)

Recorder = Annotated[Principal, Depends(require(Permission.TICKET_CREATE_ON_BEHALF))]

FORM = "backoffice/tickets/new.html"
RECEIPT = "backoffice/tickets/receipt.html"
CANDIDATES = 10
CHANNEL_OPTIONS = [(c.value, CHANNEL_LABELS[c]) for c in STAFF_CHANNELS]


@dataclass
class NewForm:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    candidates: list[Unit] = field(default_factory=list)
    chosen: Unit | None = None
    files_dropped: bool = False


def category_groups(session: Session) -> list[tuple[str, list[Category]]]:
    """Active categories under their kind's label (检举控告 / 投诉 / 意见建议)."""
    categories = ticket_service.list_categories(session)
    return [
        (KIND_LABELS[kind], [c for c in categories if c.kind == kind])
        for kind in TicketKind
        if any(c.kind == kind for c in categories)
    ]


def find_units(session: Session, text: str) -> list[Unit]:
    """The active unit with exactly this code, else active units matching the text."""
    text = text.strip()
    if not text:
        return []
    try:
        unit = unit_service.get_unit_by_code(session, code=text)
    except NotFound:
        unit = None
    if unit is not None and unit.is_active:
        return [unit]
    return unit_service.search_units(
        session, query=text, active=True, per_page=CANDIDATES + 1
    ).items


def _context(session: Session, principal: Principal, form: NewForm) -> dict[str, Any]:
    return {
        "principal": principal,
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "channel_options": CHANNEL_OPTIONS,
        "category_groups": category_groups(session),
        "content_max": CONTENT_MAX,
    }


@router.get("/tickets/new", name="backoffice.tickets.new")
def new(
    request: Request,
    session: SessionDep,
    principal: Recorder,
    unit: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The empty form; with htmx and `unit`, only the matching units (#unit-candidates)."""
    form = NewForm(values={"channel": TicketChannel.HOTLINE.value, "identity": "anonymous"})
    form.values["unit"] = unit
    matches = find_units(session, unit) if unit.strip() else []
    if len(matches) == 1:
        form.chosen = matches[0]
    else:
        form.candidates = matches[:CANDIDATES]
    context = _context(session, principal, form)
    return no_store(render(request, FORM, context, blocks=["unit_candidates"]))


def _resolve_unit(session: Session, form: NewForm) -> str:
    """The chosen unit's code, or "" with an error / candidates on the form."""
    code = str(form.values.get("unit_code", "")).strip()
    text = str(form.values.get("unit", "")).strip()
    if code:
        try:
            form.chosen = unit_service.get_unit_by_code(session, code=code)
            return code
        except NotFound:
            pass
    matches = find_units(session, text)
    if len(matches) == 1:
        form.chosen = matches[0]
        return matches[0].code
    if not text:
        form.errors["unit"] = "请填写被反映单位的名称或代码"
    elif not matches:
        form.errors["unit"] = "未找到该单位，请换个名称或代码再试"
    else:
        form.candidates = matches[:CANDIDATES]
        form.errors["unit"] = "找到多个单位，请从下列单位中选择一个"
    return ""


@router.post("/tickets/new", name="backoffice.tickets.create")
def create(
    request: Request,
    session: SessionDep,
    principal: Recorder,
    channel: ShortText = "",
    unit: ShortText = "",
    unit_code: ShortText = "",
    item_key: ShortText = "",
    category_code: ShortText = "",
    content: FormText = "",
    identity: ShortText = "anonymous",
    name: ShortText = "",
    mobile: ShortText = "",
    id_number: ShortText = "",
    confirm_exposure: ShortText = "",
    attachments: Uploads = None,
) -> Response:
    """Record the ticket with its channel and show the receipt once; errors re-render (422)."""
    values = {
        "channel": channel,
        "unit": unit,
        "unit_code": unit_code,
        "item_key": item_key.strip(),
        "category_code": category_code,
        "content": content,
        "identity": "real" if identity == "real" else "anonymous",
        "name": name,
        "mobile": mobile,
        "id_number": id_number,
    }
    files = read_uploads(attachments)
    form = NewForm(values=values, files_dropped=bool(files))
    chosen_channel = enum_value(TicketChannel, channel)
    if chosen_channel not in STAFF_CHANNELS:
        form.errors["channel"] = "请选择来电、来访或来信"
    code = _resolve_unit(session, form)
    submission = ComplaintSubmission(
        unit_code=code,
        category_code=category_code,
        item_key=values["item_key"] or None,
        content=content,
        is_anonymous=values["identity"] == "anonymous",
        name=name if values["identity"] == "real" else "",
        mobile=mobile if values["identity"] == "real" else "",
        id_number=id_number if values["identity"] == "real" else "",
        confirm_exposure=bool(confirm_exposure),
    )
    try:
        if form.errors or chosen_channel is None:
            raise ValidationFailed({**submission.problems(), **form.errors})
        with session.begin_nested():
            receipt = ticket_service.submit_ticket(
                session,
                submission=submission,
                channel=chosen_channel,
                attachments_in=files,
                principal=principal,
            )
    except ValidationFailed as exc:
        form.errors = {**exc.errors, **form.errors}
        # The service names the unit field unit_code; the form's field is "unit".
        if "unit_code" in form.errors:
            form.errors.setdefault("unit", form.errors.pop("unit_code"))
        context = _context(session, principal, form)
        return no_store(render(request, FORM, context, blocks=["ticket_form"], status_code=422))
    ticket = receipt.ticket
    context = {
        "principal": principal,
        "receipt": receipt,
        "ticket": ticket,
        "unit": session.get(Unit, ticket.unit_id),
        "team": session.get(Team, ticket.team_id),
        "channel_label": CHANNEL_LABELS[ticket.channel],
    }
    return no_store(render(request, RECEIPT, context))
