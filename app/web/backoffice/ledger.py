"""/staff/ledger — 整改台账: the filtered list with counts and the .xlsx export, a new entry (by
hand, or from a ticket, a notice or an inspection), and an entry's page with its actions:
progress notes with evidence, 报送验收, 销号 with a 公开说明, 退回, 修改.

Actions run one service call inside a savepoint. Success: 303 back to the entry without
JavaScript, or (htmx) the #ledger-detail block with a message. A refused or invalid action
re-renders its form with 422 and the zh-CN message; the wrong role answers 403, an entry out of
scope 404. The helpers at the top (units, teams, dates) serve the inspections and talks pages too.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.routing import NoMatchFound

from app.account.models import User
from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from app.supervision import ledger as ledger_service
from app.supervision import ledger_export, policies
from app.supervision.inspections import inspection_units
from app.supervision.labels import RECTIFICATION_SOURCE_LABELS, RECTIFICATION_STATUS_LABELS
from app.supervision.models import (
    Inspection,
    Rectification,
    RectificationSource,
    RectificationStatus,
    SupervisionNotice,
)
from app.ticket.models import Ticket, TicketKind
from app.unit.models import Team, Unit
from app.web.backoffice.ticket_forms import (
    GENERAL,
    MAX_ID,
    Forms,
    FormText,
    ShortText,
    enum_value,
    positive_int,
)
from app.web.backoffice.ticket_new import CANDIDATES, find_units
from app.web.backoffice.ticket_unit import Uploads, read_uploads
from app.web.backoffice.tickets import content_disposition, no_store, team_ticket
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render
from app.web.ratelimit import UploadLimitRoute

router = APIRouter(route_class=UploadLimitRoute)

Reader = Annotated[Principal, Depends(require(Permission.LEDGER_READ))]
Manager = Annotated[Principal, Depends(require(Permission.LEDGER_MANAGE))]
EntryId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
FileId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
QueryText = Annotated[str, Query(max_length=100)]
DayParam = Annotated[str, Query(max_length=10)]

INDEX = "backoffice/ledger/index.html"
NEW = "backoffice/ledger/new.html"
DETAIL = "backoffice/ledger/detail.html"
PER_PAGE = 25
SOON_DAYS = 7  # an open entry this close to its deadline shows yellow
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sources a person may choose when entering by hand; the others come with their link.
HAND_SOURCES = (RectificationSource.MANUAL, RectificationSource.AUDIT)
STATUS_ORDER = (
    RectificationStatus.IN_PROGRESS,
    RectificationStatus.OVERDUE,
    RectificationStatus.SUBMITTED,
    RectificationStatus.VERIFIED,
)

# What an action said when it worked (after the redirect or the htmx swap).
DONE: dict[str, str] = {
    "created": "已登记整改事项。",
    "progress": "已记录整改进展。",
    "submit": "已报送验收，等待监督单位销号。",
    "verify": "已销号。",
    "reject": "已退回，整改单位须继续整改后重新报送。",
    "edit": "已保存修改。",
}


# --- Helpers shared with the inspections and talks pages --------------------------------------


def parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def own_teams(session: Session, principal: Principal) -> list[Team]:
    """The teams the user works for (member or lead)."""
    ids = sorted(policies.team_ids(principal))
    if not ids:
        return []
    return list(session.exec(select(Team).where(col(Team.id).in_(ids)).order_by(col(Team.id))))


def team_options(session: Session, principal: Principal) -> list[Team]:
    """Teams the user may filter by: their own, or every team for an admin."""
    if principal.is_admin:
        return list(session.exec(select(Team).order_by(col(Team.id))).all())
    return own_teams(session, principal)


def unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(sorted(ids)))).all()
    return {row_id: name for row_id, name in rows if row_id is not None}


def team_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Team.id, Team.name).where(col(Team.id).in_(sorted(ids)))).all()
    return {row_id: name for row_id, name in rows if row_id is not None}


def chosen_team(teams: list[Team], raw: str) -> int:
    """The team picked on a form (the only one when the user has one), else a form error."""
    ids = [t.id for t in teams if t.id is not None]
    picked = positive_int(raw) or (ids[0] if len(ids) == 1 else None)
    if picked is None or picked not in ids:
        raise ValidationFailed({"team": "请选择监督单位"})
    return picked


def pick_unit(session: Session, text: str, code: str, *, field_name: str = "unit") -> Unit:
    """The unit chosen by radio (code) or typed (exact code, or a name with one match)."""
    if code.strip():
        picked = find_units(session, code)
        if len(picked) == 1 and picked[0].code == code.strip():
            return picked[0]
    matches = find_units(session, text)
    if len(matches) == 1:
        return matches[0]
    if not text.strip():
        raise ValidationFailed({field_name: "请选择责任单位"})
    if not matches:
        raise ValidationFailed({field_name: "未找到该单位，请输入单位名称或代码"})
    raise ValidationFailed({field_name: "有多个单位符合，请在下方选择"})


def link_if_route(request: Request, name: str, **params: Any) -> str:
    """The path of a named route, or "" while that route does not exist (yet)."""
    try:
        return str(request.url_for(name, **params).path)
    except NoMatchFound:
        return ""


def download(data: bytes, media_type: str, filename: str, object_id: int) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename, object_id),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


# --- The list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    tone: str  # green / yellow / red, or "" once the unit has reported
    label: str


def deadline_state(entry: Rectification, today: date) -> Deadline:
    status = ledger_service.effective_status(entry, today=today)
    days = (entry.deadline - today).days
    if status is RectificationStatus.OVERDUE:
        return Deadline("red", f"逾期 {-days} 天")
    if status is RectificationStatus.IN_PROGRESS:
        if days == 0:
            return Deadline("yellow", "今天到期")
        return Deadline("yellow" if days <= SOON_DAYS else "green", f"剩 {days} 天")
    return Deadline("", RECTIFICATION_STATUS_LABELS[status])


@dataclass(frozen=True)
class EntryRow:
    entry: Rectification
    unit: str
    team: str
    source_label: str
    status: RectificationStatus
    status_label: str
    deadline: Deadline


def entry_rows(session: Session, entries: list[Rectification], today: date) -> list[EntryRow]:
    units = unit_names(session, {e.unit_id for e in entries})
    teams = team_names(session, {e.team_id for e in entries})
    rows = []
    for entry in entries:
        status = ledger_service.effective_status(entry, today=today)
        rows.append(
            EntryRow(
                entry=entry,
                unit=units.get(entry.unit_id, ""),
                team=teams.get(entry.team_id, ""),
                source_label=RECTIFICATION_SOURCE_LABELS[entry.source],
                status=status,
                status_label=RECTIFICATION_STATUS_LABELS[status],
                deadline=deadline_state(entry, today),
            )
        )
    return rows


@dataclass(frozen=True)
class LedgerQuery:
    """The list's filters as the user typed them, and as the domain reads them."""

    unit: str = ""
    team: str = ""
    source: str = ""
    status: str = ""
    from_: str = ""
    to: str = ""

    def params(self, **changes: str) -> list[tuple[str, str]]:
        values = {
            "unit": self.unit,
            "team": self.team,
            "source": self.source,
            "status": self.status,
            "from": self.from_,
            "to": self.to,
        }
        values.update(changes)
        return [(k, v) for k, v in values.items() if v]


def ledger_filter(session: Session, query: LedgerQuery) -> tuple[ledger_service.LedgerFilter, str]:
    """The domain filter, and a message when the unit code is unknown (that filter is dropped)."""
    unit_id = None
    problem = ""
    if query.unit.strip():
        unit = session.exec(select(Unit).where(col(Unit.code) == query.unit.strip())).first()
        if unit is None:
            problem = "未找到该单位代码，已忽略单位条件"
        else:
            unit_id = unit.id
    filters = ledger_service.LedgerFilter(
        team_id=positive_int(query.team),
        unit_id=unit_id,
        include_descendants=True,
        source=enum_value(RectificationSource, query.source),
        status=enum_value(RectificationStatus, query.status),
        created_from=parse_day(query.from_),
        created_to=parse_day(query.to),
    )
    return filters, problem


@router.get("/ledger", name="backoffice.ledger.index")
def index(
    request: Request,
    session: SessionDep,
    principal: Reader,
    unit: QueryText = "",
    team: QueryText = "",
    source: QueryText = "",
    status: QueryText = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: DayParam = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Entries the user may see (their team's, or their unit's and below), by deadline, with
    counts per status and per source that apply that filter; live filters with htmx."""
    today = clock.today_local()
    query = LedgerQuery(unit=unit, team=team, source=source, status=status, from_=from_, to=to)
    filters, unit_problem = ledger_filter(session, query)
    results = ledger_service.search_rectifications(
        session, principal=principal, filters=filters, page=page, per_page=PER_PAGE, today=today
    )

    def counts(by: Any) -> dict[Any, int]:
        return ledger_service.count_rectifications(
            session,
            principal=principal,
            by=by,
            filters=filters,
            today=today,
            ignore_own_filter=True,
        )

    path = str(request.url_for("backoffice.ledger.index").path)

    def url(number: int = 1, **changes: str) -> str:
        params = query.params(**changes)
        if number > 1:
            params.append(("page", str(number)))
        return path + (f"?{urlencode(params)}" if params else "")

    export = str(request.url_for("backoffice.ledger.export").path)
    params = query.params()
    by_status = counts("status")
    by_source = counts("source")
    context = {
        "principal": principal,
        "query": query,
        "results": results,
        "rows": entry_rows(session, results.items, today),
        "status_counts": [
            (s, RECTIFICATION_STATUS_LABELS[s], by_status.get(s, 0)) for s in STATUS_ORDER
        ],
        "status_total": sum(by_status.values()),
        "source_counts": [
            (s, RECTIFICATION_SOURCE_LABELS[s], by_source.get(s, 0)) for s in RectificationSource
        ],
        "source_total": sum(by_source.values()),
        "status_options": [(s.value, RECTIFICATION_STATUS_LABELS[s]) for s in STATUS_ORDER],
        "source_options": [(s.value, RECTIFICATION_SOURCE_LABELS[s]) for s in RectificationSource],
        "team_options": team_options(session, principal),
        "url": url,
        "page_url": lambda number: url(number),
        "export_url": export + (f"?{urlencode(params)}" if params else ""),
        "unit_problem": unit_problem,
        "can_create": principal.can(Permission.LEDGER_MANAGE)
        and bool(policies.team_ids(principal)),
    }
    return no_store(render(request, INDEX, context, blocks=["ledger_table"]))


@router.get("/ledger/export.xlsx", name="backoffice.ledger.export")
def export(
    session: SessionDep,
    principal: Reader,
    unit: QueryText = "",
    team: QueryText = "",
    source: QueryText = "",
    status: QueryText = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: DayParam = "",
) -> Response:
    """The filtered ledger as .xlsx in the layout offices use (序号 … 销号情况)."""
    today = clock.today_local()
    query = LedgerQuery(unit=unit, team=team, source=source, status=status, from_=from_, to=to)
    filters, _problem = ledger_filter(session, query)
    entries = ledger_service.list_rectifications(
        session, principal=principal, filters=filters, today=today
    )
    data = ledger_export.ledger_xlsx(session, entries, today=today)
    return download(data, XLSX, f"整改台账-{today:%Y%m%d}.xlsx", 0)


# --- A new entry ------------------------------------------------------------------------------


@dataclass
class EntryForm:
    """The new-entry form: its values, errors, and what it is linked to."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    candidates: list[Unit] = field(default_factory=list)
    ticket: Ticket | None = None
    notice: SupervisionNotice | None = None
    inspection: Inspection | None = None
    inspection_units: list[Unit] = field(default_factory=list)
    fixed_unit: Unit | None = None  # a notice names its unit

    @property
    def source(self) -> RectificationSource | None:
        if self.ticket is not None:
            return RectificationSource.TICKET
        if self.notice is not None:
            return RectificationSource.NOTICE
        if self.inspection is not None:
            return RectificationSource.INSPECTION
        return None


def creating_teams(session: Session, principal: Principal) -> list[Team]:
    teams = own_teams(session, principal)
    if not teams:
        raise PermissionDenied("只有监督单位的工作人员可以登记整改事项")
    return teams


def ticket_problem(ticket: Ticket) -> str:
    """The problem as the ledger states it (the unit reads it): the team's summary, or a
    complaint's own text — never the text of a 检举控告."""
    text = ticket.forward_summary or (ticket.content if ticket.kind != TicketKind.REPORT else "")
    return text.strip()


def linked_form(
    session: Session,
    principal: Principal,
    *,
    ticket: str = "",
    notice: str = "",
    inspection: str = "",
) -> EntryForm:
    """The form with its link resolved (404 when the linked object is out of the user's scope)."""
    form = EntryForm()
    if ticket.strip():
        form.ticket = team_ticket(session, principal, ticket)
        form.values["ticket"] = form.ticket.number
    elif positive_int(notice):
        form.notice = policies.readable_notice(session, principal, int(notice))
        if form.notice.team_id not in policies.team_ids(principal):
            raise NotFound("督办通知书不存在")
        form.values["notice"] = str(form.notice.id)
        form.fixed_unit = session.get(Unit, form.notice.unit_id)
    elif positive_int(inspection):
        form.inspection = policies.readable_inspection(session, principal, int(inspection))
        if form.inspection.team_id not in policies.team_ids(principal):
            raise NotFound("监督检查记录不存在")
        form.values["inspection"] = str(form.inspection.id)
        form.inspection_units = inspection_units(session, inspection=form.inspection)
    return form


def prefill(session: Session, form: EntryForm) -> None:
    """Fill a fresh form from what it is linked to."""
    if form.ticket is not None:
        unit = session.get(Unit, form.ticket.handling_unit_id or form.ticket.unit_id)
        if unit is not None:
            form.values.update(unit=unit.name, unit_code=unit.code)
            form.candidates = [unit]
        form.values["problem"] = ticket_problem(form.ticket)
    elif form.notice is not None:
        form.values["problem"] = form.notice.problems
        if form.notice.due_at is not None:
            form.values["deadline"] = clock.to_local(form.notice.due_at).date().isoformat()
    elif form.inspection is not None and len(form.inspection_units) == 1:
        form.values["inspection_unit"] = str(form.inspection_units[0].id)


def already_entered(session: Session, principal: Principal, form: EntryForm) -> list[Rectification]:
    """Entries already made from the form's ticket, notice or inspection (shown as a warning)."""
    return ledger_service.linked_entries(
        session,
        principal=principal,
        ticket_id=form.ticket.id if form.ticket else None,
        notice_id=form.notice.id if form.notice else None,
        inspection_id=form.inspection.id if form.inspection else None,
    )


def _new_context(
    session: Session, principal: Principal, form: EntryForm, teams: list[Team]
) -> dict[str, Any]:
    linked_team = next(
        (obj.team_id for obj in (form.ticket, form.notice, form.inspection) if obj is not None),
        None,
    )
    return {
        "principal": principal,
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "teams": teams,
        "linked_team": next((t for t in teams if t.id == linked_team), None),
        "hand_sources": [(s.value, RECTIFICATION_SOURCE_LABELS[s]) for s in HAND_SOURCES],
        "source_label": RECTIFICATION_SOURCE_LABELS[form.source] if form.source else "",
        "already": already_entered(session, principal, form),
        "status_labels": RECTIFICATION_STATUS_LABELS,
    }


@router.get("/ledger/new", name="backoffice.ledger.new")
def new(
    request: Request,
    session: SessionDep,
    principal: Manager,
    ticket: Annotated[str, Query(max_length=30)] = "",
    notice: Annotated[str, Query(max_length=12)] = "",
    inspection: Annotated[str, Query(max_length=12)] = "",
    unit: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The form; ?ticket=NUMBER, ?notice=ID or ?inspection=ID links the entry and fills it in.
    With htmx and `?unit=…` only the units matching the text (#unit-candidates)."""
    teams = creating_teams(session, principal)
    if unit.strip() and is_htmx(request):
        form = EntryForm(values={"unit": unit}, candidates=find_units(session, unit)[:CANDIDATES])
        context = _new_context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["unit_candidates"]))
    form = linked_form(session, principal, ticket=ticket, notice=notice, inspection=inspection)
    prefill(session, form)
    form.values.setdefault("source", RectificationSource.MANUAL.value)
    return no_store(
        render(request, NEW, _new_context(session, principal, form, teams), blocks=["ledger_form"])
    )


@router.post("/ledger/new", name="backoffice.ledger.create")
def create(
    request: Request,
    session: SessionDep,
    principal: Manager,
    team: ShortText = "",
    unit: ShortText = "",
    unit_code: ShortText = "",
    inspection_unit: ShortText = "",
    source: ShortText = "",
    problem: FormText = "",
    responsible_person: ShortText = "",
    measures: FormText = "",
    deadline: ShortText = "",
    ticket: ShortText = "",
    notice: ShortText = "",
    inspection: ShortText = "",
) -> Response:
    """Create the entry through the service that fits its link; 422 keeps the input."""
    teams = creating_teams(session, principal)
    form = linked_form(session, principal, ticket=ticket, notice=notice, inspection=inspection)
    form.values.update(
        team=team,
        unit=unit,
        unit_code=unit_code,
        inspection_unit=inspection_unit,
        source=source,
        problem=problem,
        responsible_person=responsible_person,
        measures=measures,
        deadline=deadline,
    )
    texts = {
        "problem": problem,
        "deadline": deadline,
        "responsible_person": responsible_person,
        "measures": measures,
    }
    try:
        with session.begin_nested():
            entry = _create(session, principal, form, teams, texts)
    except ValidationFailed as exc:
        form.errors = exc.errors or {GENERAL: exc.message}
        if "unit" in form.errors and unit.strip():
            form.candidates = find_units(session, unit)
        context = _new_context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["ledger_form"], status_code=422))
    except (InvalidTransition, Conflict) as exc:
        form.errors = {GENERAL: exc.message}
        context = _new_context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["ledger_form"], status_code=422))
    url = request.url_for("backoffice.ledger.detail", entry_id=entry.id).path
    return redirect(request, f"{url}?done=created")


def _create(
    session: Session,
    principal: Principal,
    form: EntryForm,
    teams: list[Team],
    texts: dict[str, str],
) -> Rectification:
    values = form.values
    # Every message at once: the text fields, then the unit and team, then the service.
    _fields, errors = ledger_service.check_fields(**texts)

    def attempt(pick: Callable[[], Any]) -> Any:
        try:
            return pick()
        except ValidationFailed as exc:
            errors.update(exc.errors)
            return None

    if form.ticket is not None:
        assert form.ticket.id is not None
        target = attempt(lambda: pick_unit(session, values["unit"], values["unit_code"]))
        if errors:
            raise ValidationFailed(errors)
        return ledger_service.create_from_ticket(
            session, principal=principal, ticket_id=form.ticket.id, unit_id=target.id, **texts
        )
    if form.notice is not None:
        assert form.notice.id is not None
        if errors:
            raise ValidationFailed(errors)
        return ledger_service.create_from_notice(
            session, principal=principal, notice_id=form.notice.id, **texts
        )
    if form.inspection is not None:
        assert form.inspection.id is not None
        unit_id = positive_int(values["inspection_unit"])
        if unit_id not in {u.id for u in form.inspection_units}:
            errors["inspection_unit"] = "请选择本次检查涉及的单位"
        if errors:
            raise ValidationFailed(errors)
        assert unit_id is not None
        return ledger_service.create_from_inspection(
            session, principal=principal, inspection_id=form.inspection.id, unit_id=unit_id, **texts
        )
    team_id = attempt(lambda: chosen_team(teams, values["team"]))
    target = attempt(lambda: pick_unit(session, values["unit"], values["unit_code"]))
    chosen = enum_value(RectificationSource, values["source"])
    if chosen not in HAND_SOURCES:
        errors["source"] = "请选择问题来源"
    if errors:
        raise ValidationFailed(errors)
    assert chosen is not None
    return ledger_service.create_rectification(
        session,
        principal=principal,
        team_id=team_id,
        unit_id=target.id,
        source=chosen,
        problem=texts["problem"],
        deadline=texts["deadline"],
        responsible_person=texts["responsible_person"],
        measures=texts["measures"],
    )


# --- An entry's page --------------------------------------------------------------------------


def source_link(
    request: Request, session: Session, principal: Principal, entry: Rectification
) -> str:
    """Where the entry's source lives, for those who may open it ("" otherwise)."""
    teams = policies.team_ids(principal)
    if entry.ticket_id is not None:
        ticket = session.get(Ticket, entry.ticket_id)
        if ticket is not None and ticket.team_id in teams:
            return link_if_route(request, "backoffice.tickets.detail", number=ticket.number)
        return ""
    if entry.notice_id is not None:
        notice = session.get(SupervisionNotice, entry.notice_id)
        if notice is not None and policies.can_read_notice(session, principal, notice):
            return link_if_route(request, "backoffice.notices.detail", notice_id=entry.notice_id)
        return ""
    if entry.inspection_id is not None:
        try:
            policies.readable_inspection(session, principal, entry.inspection_id)
        except NotFound:
            return ""
        return link_if_route(
            request, "backoffice.inspections.detail", inspection_id=entry.inspection_id
        )
    return ""


def detail_context(
    request: Request,
    session: Session,
    principal: Principal,
    entry: Rectification,
    *,
    forms: Forms | None = None,
    done: str = "",
) -> dict[str, Any]:
    today = clock.today_local()
    status = ledger_service.effective_status(entry, today=today)
    notes = ledger_service.progress_notes(session, entry=entry)
    people = {
        user.id: user.display_name or user.username
        for user in session.exec(
            select(User).where(
                col(User.id).in_(
                    sorted(
                        {n.author_id for n in notes if n.author_id}
                        | {u for u in (entry.submitted_by_id, entry.verified_by_id) if u}
                    )
                )
            )
        ).all()
    }
    manage = policies.can_manage_rectification(principal, entry)
    report = policies.can_report_rectification(session, principal, entry)
    open_ = entry.status is not RectificationStatus.VERIFIED
    shown = {
        "progress": report and open_,
        "submit": report and entry.status is RectificationStatus.IN_PROGRESS,
        "verify": manage and entry.status is RectificationStatus.SUBMITTED,
        "reject": manage and entry.status is RectificationStatus.SUBMITTED,
        "edit": manage and open_,
    }
    return {
        "principal": principal,
        "entry": entry,
        "unit": session.get(Unit, entry.unit_id),
        "team": session.get(Team, entry.team_id),
        "status": status,
        "status_label": RECTIFICATION_STATUS_LABELS[status],
        "deadline": deadline_state(entry, today),
        "source_text": ledger_service.source_label_detail(session, entry),
        "source_link": source_link(request, session, principal, entry),
        "notes": notes,
        "people": people,
        "files": ledger_service.entry_files(session, entry=entry),
        "shown": shown,
        "forms": forms or Forms(),
        "notice_text": DONE.get(done, ""),
    }


@router.get("/ledger/{entry_id}", name="backoffice.ledger.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: Reader,
    entry_id: EntryId,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The entry: facts, source, progress notes, evidence, 销号, and the actions allowed."""
    entry = ledger_service.get_rectification(session, principal=principal, entry_id=entry_id)
    context = detail_context(request, session, principal, entry, done=done)
    return no_store(render(request, DETAIL, context, blocks=["ledger_detail"]))


def perform(
    request: Request,
    session: Session,
    principal: Principal,
    entry_id: int,
    form: str,
    values: dict[str, Any],
    act: Callable[[], object],
) -> Response:
    """Run `act` on an entry the user may read; see the module docstring for the answers."""
    entry = ledger_service.get_rectification(session, principal=principal, entry_id=entry_id)
    errors: dict[str, str] = {}
    try:
        with session.begin_nested():
            act()
    except ValidationFailed as exc:
        errors = exc.errors or {GENERAL: exc.message}
    except (Conflict, InvalidTransition) as exc:
        errors = {GENERAL: exc.message}
    if errors:
        session.refresh(entry)
        failed = Forms.failed(form, values, errors)
        context = detail_context(request, session, principal, entry, forms=failed)
        return no_store(render(request, DETAIL, context, blocks=["ledger_detail"], status_code=422))
    if is_htmx(request):
        session.refresh(entry)
        context = detail_context(request, session, principal, entry, done=form)
        return no_store(render(request, DETAIL, context, blocks=["ledger_detail"]))
    url = request.url_for("backoffice.ledger.detail", entry_id=entry_id).path
    return redirect(request, f"{url}?done={form}")


@router.post("/ledger/{entry_id}/progress", name="backoffice.ledger.progress")
def progress(
    request: Request,
    session: SessionDep,
    principal: Reader,
    entry_id: EntryId,
    body: FormText = "",
    files: Uploads = None,
) -> Response:
    """整改进展: a dated note with evidence files (the unit, or the team recording it)."""
    uploads = read_uploads(files)
    return perform(
        request,
        session,
        principal,
        entry_id,
        "progress",
        {"body": body, "files_dropped": bool(uploads)},
        lambda: ledger_service.add_progress(
            session, principal=principal, entry_id=entry_id, body=body, files=uploads
        ),
    )


@router.post("/ledger/{entry_id}/submit", name="backoffice.ledger.submit")
def submit(
    request: Request,
    session: SessionDep,
    principal: Reader,
    entry_id: EntryId,
    completion: FormText = "",
    files: Uploads = None,
) -> Response:
    """报送验收: what was done (完成情况) with evidence; the team then checks it."""
    uploads = read_uploads(files)
    return perform(
        request,
        session,
        principal,
        entry_id,
        "submit",
        {"completion": completion, "files_dropped": bool(uploads)},
        lambda: ledger_service.submit_rectification(
            session, principal=principal, entry_id=entry_id, completion=completion, files=uploads
        ),
    )


@router.post("/ledger/{entry_id}/verify", name="backoffice.ledger.verify")
def verify(
    request: Request,
    session: SessionDep,
    principal: Manager,
    entry_id: EntryId,
    note: FormText = "",
    public_summary: FormText = "",
) -> Response:
    """销号 by the team, with a 公开说明 for the public timeline."""
    return perform(
        request,
        session,
        principal,
        entry_id,
        "verify",
        {"note": note, "public_summary": public_summary},
        lambda: ledger_service.verify_rectification(
            session,
            principal=principal,
            entry_id=entry_id,
            note=note,
            public_summary=public_summary,
        ),
    )


@router.post("/ledger/{entry_id}/reject", name="backoffice.ledger.reject")
def reject(
    request: Request,
    session: SessionDep,
    principal: Manager,
    entry_id: EntryId,
    reason: FormText = "",
) -> Response:
    """退回: not done yet; back to 整改中 with the reasons."""
    return perform(
        request,
        session,
        principal,
        entry_id,
        "reject",
        {"reason": reason},
        lambda: ledger_service.reject_rectification(
            session, principal=principal, entry_id=entry_id, reason=reason
        ),
    )


@router.post("/ledger/{entry_id}/edit", name="backoffice.ledger.update")
def update(
    request: Request,
    session: SessionDep,
    principal: Manager,
    entry_id: EntryId,
    problem: FormText = "",
    responsible_person: ShortText = "",
    measures: FormText = "",
    deadline: ShortText = "",
) -> Response:
    """修改 the problem, responsible person, measures or deadline (the team)."""
    values = {
        "problem": problem,
        "responsible_person": responsible_person,
        "measures": measures,
        "deadline": deadline,
    }
    return perform(
        request,
        session,
        principal,
        entry_id,
        "edit",
        values,
        lambda: ledger_service.update_rectification(
            session, principal=principal, entry_id=entry_id, **values
        ),
    )


@router.get("/ledger/{entry_id}/files/{file_id}", name="backoffice.ledger.file")
def evidence_file(
    session: SessionDep, principal: Reader, entry_id: EntryId, file_id: FileId
) -> Response:
    """An evidence file, as a download, for whoever may read the entry."""
    _entry, row, data = ledger_service.get_file(
        session, principal=principal, entry_id=entry_id, file_id=file_id
    )
    assert row.id is not None
    return download(data, row.content_type, row.original_name, row.id)
