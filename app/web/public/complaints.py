"""GET /complaints/new and POST /complaints — the public complaint form and its receipt page.

The form works without JavaScript: the unit picker is a GET search that re-renders the page
with candidate units as radio buttons, and the category list groups every category by kind.
htmx only swaps the candidates (block `unit_candidates`) and the category select (block
`category_field`) in place.

A successful submission renders the receipt page directly instead of redirecting: the secret
receipt code must never be part of a URL, and nothing may keep it to show it a second time.
The honeypot field `website` is invisible to people (CSS); a request that fills it gets a
receipt that looks real, while nothing is stored, so a bot learns nothing from the answer.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.config import get_settings
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.powerlist import service as powerlist_service
from app.ticket import service as ticket_service
from app.ticket.labels import KIND_LABELS
from app.ticket.models import Category, TicketChannel, TicketKind
from app.ticket.receipts import format_code, format_number
from app.ticket.schemas import CONTENT_MAX, ComplaintSubmission
from app.unit import service as unit_service
from app.unit.models import Team, Unit
from app.web.deps import SessionDep
from app.web.htmx import render
from app.web.public.units import Place, public_place, unit_contact, visible
from app.web.ratelimit import COMPLAINTS, UploadLimitRoute, rate_limited

logger = logging.getLogger("xiaowei.complaints")

router = APIRouter(route_class=UploadLimitRoute)

NO_STORE = {"Cache-Control": "no-store"}

# One line each, in the citizen's words: what the three kinds are for (§6).
KIND_EXPLANATIONS: dict[TicketKind, str] = {
    TicketKind.REPORT: "反映党员干部、公职人员违纪违法问题，如吃拿卡要、优亲厚友、截留挪用。",
    TicketKind.COMPLAINT: "反映办事拖延、服务态度差、违规收费、应公开未公开等问题。",
    TicketKind.SUGGESTION: "对清单内容、办事流程和服务提出意见建议。",
}
CANDIDATE_LIMIT = 20


@dataclass(frozen=True)
class ChosenUnit:
    unit: Unit
    parent_name: str
    team: Team | None


@dataclass(frozen=True)
class ChosenItem:
    key: str
    label: str


@dataclass(frozen=True)
class Candidate:
    unit: Unit
    parent_name: str


@dataclass
class FormState:
    """Everything the form shows besides the fixed texts; `values` are what was typed."""

    chosen: ChosenUnit | None = None
    item: ChosenItem | None = None
    notices: list[str] = field(default_factory=list)
    q: str = ""
    candidates: list[Candidate] | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files_dropped: bool = False


def _chosen_unit(session: Session, place: Place, item_team: Team | None = None) -> ChosenUnit:
    parent = place.chain[-1].name if place.chain else ""
    return ChosenUnit(place.unit, parent, unit_contact(session, place, item_team=item_team).team)


def resolve_subject(session: Session, state: FormState, unit_code: str, item_key: str) -> None:
    """Fill in the unit (and item) the citizen came with; unknown ones become a notice.

    An item link alone is enough: the item names its unit.
    """
    item_view = None
    if item_key:
        try:
            item_view = powerlist_service.get_item_by_key(session, key=item_key)
        except NotFound:
            state.notices.append("链接中的事项已不在当前公布的清单中，请直接描述所反映的事情。")
    if not unit_code and item_view is not None:
        unit_code = item_view.unit.code
    if not unit_code:
        return
    try:
        place = public_place(session, code=unit_code)
    except NotFound:
        state.notices.append("未找到链接中的单位，请重新选择被反映的单位。")
        return
    if item_view is not None and item_view.unit.id != place.unit.id:
        state.notices.append("该事项不在此单位当前公布的清单中，请直接描述所反映的事情。")
        item_view = None
    team = item_view.team_override if item_view is not None else None
    state.chosen = _chosen_unit(session, place, team)
    if item_view is not None:
        row = item_view.row
        state.item = ChosenItem(row.key, f"{row.number} {row.name}")


def find_candidates(session: Session, q: str) -> list[Candidate]:
    """Active units matching a name, pinyin or code (the picker's radio buttons)."""
    page = unit_service.search_units(
        session, query=q, active=True, page=1, per_page=CANDIDATE_LIMIT
    )
    views = unit_service.describe_units(session, units=page.items)
    return [
        Candidate(view.unit, view.parent.name if view.parent else "")
        for view in views
        if visible(view.unit, view.chain)
    ]


def categories_by_kind(session: Session) -> dict[TicketKind, list[Category]]:
    grouped: dict[TicketKind, list[Category]] = {kind: [] for kind in TicketKind}
    for category in ticket_service.list_categories(session):
        grouped[category.kind].append(category)
    return {kind: rows for kind, rows in grouped.items() if rows}


def _kind(value: str) -> TicketKind | None:
    try:
        return TicketKind(value)
    except ValueError:
        return None


def form_context(session: Session, state: FormState) -> dict[str, Any]:
    settings = get_settings()
    grouped = categories_by_kind(session)
    kind = _kind(state.values.get("kind", ""))
    errors = dict(state.errors)
    exposure = errors.pop("confirm_exposure", None)
    return {
        "state": state,
        "values": state.values,
        "errors": errors,
        "exposure_warning": exposure,
        "kinds": [(k, KIND_LABELS[k], KIND_EXPLANATIONS[k]) for k in TicketKind if k in grouped],
        "kind": kind,
        "kind_labels": KIND_LABELS,
        "category_groups": grouped,
        "content_max": CONTENT_MAX,
        "max_attachments": settings.max_attachments,
        "max_attachment_mb": f"{settings.max_attachment_bytes / (1024 * 1024):g}",
    }


QueryText = Annotated[str, Query(max_length=50)]


@router.get("/complaints/new", name="public.complaint_form")
def complaint_form(
    request: Request,
    session: SessionDep,
    unit: QueryText = "",
    item: Annotated[str, Query(max_length=16)] = "",
    q: QueryText = "",
    kind: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The full form, or block `complaint_form` for htmx; `q` searches units (the no-JS picker)."""
    state = FormState(q=q.strip(), values={"kind": kind})
    resolve_subject(session, state, unit.strip(), item.strip())
    if state.chosen is None and state.q:
        state.candidates = find_candidates(session, state.q)
    context = form_context(session, state)
    return render(request, "public/complaints/form.html", context, blocks=["complaint_form"])


@router.get("/complaints/units", name="public.complaint_units")
def complaint_units(request: Request, session: SessionDep, q: QueryText = "") -> Response:
    """The unit picker's live search: block `unit_candidates` for htmx, else the whole form."""
    state = FormState(q=q.strip())
    if state.q:
        state.candidates = find_candidates(session, state.q)
    context = form_context(session, state)
    return render(request, "public/complaints/form.html", context, blocks=["unit_candidates"])


@router.get("/complaints/categories", name="public.complaint_categories")
def complaint_categories(
    request: Request,
    session: SessionDep,
    kind: Annotated[str, Query(max_length=20)] = "",
    category_code: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The category select for one kind: block `category_field` for htmx, else the whole form."""
    state = FormState(values={"kind": kind, "category_code": category_code})
    context = form_context(session, state)
    return render(request, "public/complaints/form.html", context, blocks=["category_field"])


@dataclass(frozen=True)
class ReceiptView:
    number: str
    formatted_code: str
    unit_name: str
    team_name: str
    ack_due_at: datetime | None


def render_receipt(request: Request, receipt: ReceiptView) -> Response:
    response = render(request, "public/complaints/receipt.html", {"receipt": receipt})
    response.headers.update(NO_STORE)
    return response


def _decoy_receipt(session: Session, unit_code: str) -> ReceiptView:
    """What a bot that filled the honeypot sees: a plausible receipt for nothing."""
    unit = session.exec(select(Unit).where(col(Unit.code) == unit_code)).first()
    number = format_number(clock.today_local(), 1000 + secrets.randbelow(9000))
    code = f"{secrets.randbelow(10**16):016d}"
    return ReceiptView(number, format_code(code), unit.name if unit else "", "", None)


def read_uploads(uploads: list[UploadFile] | None) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every file actually chosen; browsers send an empty part for none."""
    files = []
    for upload in uploads or []:
        data = upload.file.read()
        if upload.filename or data:
            files.append((upload.filename or "", data))
    return files


FormText = Annotated[str, Form()]


@router.post("/complaints", name="public.complaint_submit")
# Every attempt counts, valid or not, and before the body is read: failed ones cost as much.
@rate_limited(COMPLAINTS, "提交")
def complaint_submit(
    request: Request,
    session: SessionDep,
    unit_code: FormText = "",
    item_key: FormText = "",
    kind: FormText = "",
    category_code: FormText = "",
    content: FormText = "",
    identity: FormText = "anonymous",
    name: FormText = "",
    mobile: FormText = "",
    id_number: FormText = "",
    confirm_exposure: FormText = "",
    website: FormText = "",
    attachments: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """File the complaint and show the receipt once; errors re-render the form (422)."""
    if website.strip():
        logger.info("complaint honeypot filled; answered with a decoy receipt")
        return render_receipt(request, _decoy_receipt(session, unit_code.strip()))
    values = {
        "unit_code": unit_code.strip(),
        "item_key": item_key.strip(),
        "kind": kind.strip(),
        "category_code": category_code.strip(),
        "content": content,
        "identity": "real" if identity == "real" else "anonymous",
        "name": name,
        "mobile": mobile,
        "id_number": id_number,
    }
    submission = ComplaintSubmission(
        unit_code=values["unit_code"],
        category_code=values["category_code"],
        item_key=values["item_key"] or None,
        content=content,
        is_anonymous=values["identity"] == "anonymous",
        name=name,
        mobile=mobile,
        id_number=id_number,
        confirm_exposure=bool(confirm_exposure),
    )
    files = read_uploads(attachments)
    errors = _kind_mismatch(session, values["kind"], values["category_code"])
    try:
        if errors:
            raise ValidationFailed(submission.problems() | errors)
        receipt = ticket_service.submit_ticket(
            session, submission=submission, channel=TicketChannel.WEB, attachments_in=files
        )
    except ValidationFailed as exc:
        state = FormState(values=values, errors=exc.errors, files_dropped=bool(files))
        resolve_subject(session, state, values["unit_code"], values["item_key"])
        context = form_context(session, state)
        response = render(
            request,
            "public/complaints/form.html",
            context,
            blocks=["complaint_form"],
            status_code=422,
        )
        response.headers.update(NO_STORE)
        return response
    ticket = receipt.ticket
    unit = session.get(Unit, ticket.unit_id)
    team = session.get(Team, ticket.team_id)
    view = ReceiptView(
        number=receipt.number,
        formatted_code=receipt.formatted_code,
        unit_name=unit.name if unit else "",
        team_name=team.name if team else "",
        ack_due_at=ticket.ack_due_at,
    )
    return render_receipt(request, view)


def _kind_mismatch(session: Session, kind: str, category_code: str) -> dict[str, str]:
    """The kind radio only filters the categories; a category of another kind is a mistake."""
    chosen = _kind(kind)
    if chosen is None or not category_code:
        return {}
    category = session.exec(select(Category).where(col(Category.code) == category_code)).first()
    if category is not None and category.kind != chosen:
        return {"category_code": f"所选类别不属于“{KIND_LABELS[chosen]}”，请重新选择"}
    return {}
