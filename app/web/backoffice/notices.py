"""/staff/notices — 督办通知书: the list, drafting and issuing, a notice's page with the actions its
state allows (签收, 整改报告 with evidence, 审核通过 / 退回), evidence downloads, print and .docx.

Actions run one service call inside a savepoint. Success: 303 back to the notice without
JavaScript, or (htmx) the actions panel with the changed blocks out of band. A refused or invalid
action re-renders its form with 422 and the zh-CN message; the wrong role answers 403, a notice
out of scope 404.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session, col, select

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
from app.core.workcalendar import DEADLINE_COLOUR_LABELS
from app.supervision import documents, ledger, policies
from app.supervision import notices as notice_service
from app.supervision.labels import (
    NOTICE_STATUS_LABELS,
    OVERDUE_LABEL,
    RECTIFICATION_STATUS_LABELS,
)
from app.supervision.models import NoticeStatus, SupervisionNotice
from app.supervision.workflow import ACTION_LABELS, Action, ActionNotAllowed
from app.ticket.models import Ticket, TicketKind
from app.unit.models import Team, Unit
from app.web.backoffice.ticket_detail import team_context
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

Reader = Annotated[Principal, Depends(require(Permission.NOTICE_READ))]
Issuer = Annotated[Principal, Depends(require(Permission.NOTICE_ISSUE))]
Responder = Annotated[Principal, Depends(require(Permission.NOTICE_RESPOND))]
NoticeId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
FileId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
QueryText = Annotated[str, Query(max_length=100)]

INDEX = "backoffice/notices/index.html"
NEW = "backoffice/notices/new.html"
DETAIL = "backoffice/notices/detail.html"
PRINT = "backoffice/notices/print.html"
PER_PAGE = 25
DEFAULT_DEADLINE_DAYS = 10
TICKETS_MAX = 20
ACTION_BLOCKS = [
    "notice_actions",
    "notice_header",
    "notice_deadline",
    "notice_response",
    "notice_timeline",
]

# What an action said when it worked (after the redirect or the htmx swap).
DONE: dict[str, str] = {
    "drafted": "已保存督办通知书草稿，负责人签发后下达被督办单位。",
    "issue": "已签发督办通知书，被督办单位将收到通知。",
    "edit": "已保存修改。",
    "sign": "已签收，请在期限内报送整改报告。",
    "respond": "已报送整改报告，等待监督单位审核。",
    "accept": "已审核通过，该督办通知书办结。",
    "return": "已退回，被督办单位须重新整改并报送。",
}


# --- The list ---------------------------------------------------------------------------------


def parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def team_options(session: Session, principal: Principal) -> list[Team]:
    """Teams the user may filter by: their own, or every team for an admin."""
    statement = select(Team).order_by(col(Team.id))
    if not principal.is_admin:
        statement = statement.where(col(Team.id).in_(sorted(policies.team_ids(principal))))
    return list(session.exec(statement).all())


def team_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Team).where(col(Team.id).in_(sorted(ids)))).all()
    return {row.id: row.name for row in rows if row.id is not None}


def unit_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Unit).where(col(Unit.id).in_(sorted(ids)))).all()
    return {row.id: row.name for row in rows if row.id is not None}


@dataclass(frozen=True)
class NoticeRow:
    notice: SupervisionNotice
    team: str
    unit: str
    status_label: str
    progress: Any  # core.workcalendar.Progress | None
    overdue: bool


def notice_rows(session: Session, items: list[SupervisionNotice]) -> list[NoticeRow]:
    now = clock.now()
    teams = team_names(session, {n.team_id for n in items})
    units = unit_names(session, {n.unit_id for n in items})
    return [
        NoticeRow(
            notice=n,
            team=teams.get(n.team_id, ""),
            unit=units.get(n.unit_id, ""),
            status_label=NOTICE_STATUS_LABELS[n.status],
            progress=notice_service.deadline_progress(session, n, now=now),
            overdue=notice_service.is_overdue(n, now=now),
        )
        for n in items
    ]


@router.get("/notices", name="backoffice.notices.index")
def index(
    request: Request,
    session: SessionDep,
    principal: Reader,
    status: QueryText = "",
    overdue: QueryText = "",
    team: QueryText = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The notices the user may see (their team's, or those addressed to their unit), newest
    first, with counts per status; filters live with htmx, a GET form without."""
    now = clock.now()
    query = notice_service.NoticeQuery(
        status=enum_value(NoticeStatus, status),
        overdue=overdue.strip() == "1",
        team_id=positive_int(team),
        issued_from=parse_day(from_),
        issued_to=parse_day(to),
        page=page,
        per_page=PER_PAGE,
    )
    results = notice_service.search_notices(session, principal=principal, query=query, now=now)
    filters: list[tuple[str, Any]] = [
        ("team", query.team_id or ""),
        ("from", query.issued_from.isoformat() if query.issued_from else ""),
        ("to", query.issued_to.isoformat() if query.issued_to else ""),
    ]

    def url(status_key: str = "", number: int = 1, *, late: bool = False) -> str:
        params = [("status", status_key), ("overdue", "1" if late else ""), *filters]
        params.append(("page", number))
        encoded = urlencode([(k, v) for k, v in params if v not in ("", None, 1)])
        path = str(request.url_for("backoffice.notices.index").path)
        return path + (f"?{encoded}" if encoded else "")

    current = query.status.value if query.status else ""
    context = {
        "principal": principal,
        "query": query,
        "results": results,
        "rows": notice_rows(session, results.items),
        "counts": notice_service.status_counts(session, principal=principal, query=query, now=now),
        "status_options": list(NOTICE_STATUS_LABELS.items()),
        "team_options": team_options(session, principal),
        "filter_url": url,
        "page_url": lambda number: url(current, number, late=query.overdue),
        "current_status": current,
        "can_draft": bool(policies.team_ids(principal)),
        "overdue_label": OVERDUE_LABEL,
        "colour_labels": DEADLINE_COLOUR_LABELS,
    }
    return no_store(render(request, INDEX, context, blocks=["notice_table"]))


# --- Drafting and issuing ---------------------------------------------------------------------


@dataclass
class DraftForm:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    candidates: list[Unit] = field(default_factory=list)


def drafting_teams(session: Session, principal: Principal) -> list[Team]:
    """The teams the user drafts for; nobody else drafts notices (403)."""
    ids = policies.team_ids(principal)
    if not ids:
        raise PermissionDenied("只有监督单位的工作人员可以拟制督办通知书")
    return list(session.exec(select(Team).where(col(Team.id).in_(sorted(ids)))).all())


def ticket_problem(ticket: Ticket) -> str:
    """The problem as the notice states it: the team's summary, or a complaint's own text —
    never the text of a 检举控告 (the unit must not read the report)."""
    text = ticket.forward_summary or (ticket.content if ticket.kind != TicketKind.REPORT else "")
    return f"工单 {ticket.number}：{text}".rstrip("：") if text else f"工单 {ticket.number}："


def prefill(session: Session, principal: Principal, number: str, team_ids: set[int]) -> DraftForm:
    """The new-notice form filled from `?ticket=NUMBER` (unit, problem, team, link)."""
    form = DraftForm(values={"deadline_days": DEFAULT_DEADLINE_DAYS})
    if not number.strip():
        return form
    try:
        ticket = team_ticket(session, principal, number)
    except NotFound:
        form.errors["tickets"] = "未找到该受理编号的工单"
        return form
    unit = session.get(Unit, ticket.handling_unit_id or ticket.unit_id)
    if ticket.team_id in team_ids:
        form.values["team"] = str(ticket.team_id)
    if unit is not None:
        form.values["unit"] = unit.name
        form.values["unit_code"] = unit.code
        form.candidates = [unit]
    form.values["problems"] = ticket_problem(ticket)
    form.values["tickets"] = ticket.number
    return form


def _new_context(
    session: Session, principal: Principal, form: DraftForm, teams: list[Team]
) -> dict[str, Any]:
    return {
        "principal": principal,
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "teams": teams,
        "led_team_ids": principal.led_team_ids if principal.can(Permission.NOTICE_ISSUE) else [],
    }


@router.get("/notices/new", name="backoffice.notices.new")
def new(
    request: Request,
    session: SessionDep,
    principal: Reader,
    ticket: Annotated[str, Query(max_length=30)] = "",
    unit: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The drafting form; `?ticket=NUMBER` fills in the unit and the problem from a ticket.
    With htmx and `?unit=…` only the units matching the text (#unit-candidates)."""
    teams = drafting_teams(session, principal)
    if unit.strip() and is_htmx(request):
        form = DraftForm(values={"unit": unit}, candidates=find_units(session, unit)[:CANDIDATES])
        context = _new_context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["unit_candidates"]))
    form = prefill(session, principal, ticket, {t.id for t in teams if t.id is not None})
    context = _new_context(session, principal, form, teams)
    return no_store(render(request, NEW, context, blocks=["notice_form"]))


TICKET_SPLIT = re.compile(r"[\s,，、;；]+")


def linked_tickets(session: Session, principal: Principal, raw: str) -> list[int]:
    numbers = [n for n in TICKET_SPLIT.split(raw.strip()) if n]
    if len(numbers) > TICKETS_MAX:
        raise ValidationFailed({"tickets": f"一份通知书最多关联 {TICKETS_MAX} 件工单"})
    ids = []
    for number in numbers:
        try:
            ticket = team_ticket(session, principal, number)
        except NotFound:
            raise ValidationFailed({"tickets": f"未找到工单 {number}"}) from None
        assert ticket.id is not None
        ids.append(ticket.id)
    return ids


def chosen_unit(session: Session, unit_text: str, unit_code: str, matches: list[Unit]) -> Unit:
    """The unit picked (radio by code) or typed (exact code, or a name with one match)."""
    if unit_code.strip():
        picked = find_units(session, unit_code)
        if len(picked) == 1 and picked[0].code == unit_code.strip():
            return picked[0]
    if len(matches) == 1:
        return matches[0]
    if not unit_text.strip():
        raise ValidationFailed({"unit": "请选择被督办单位"})
    if not matches:
        raise ValidationFailed({"unit": "未找到该单位，请输入单位名称或代码"})
    raise ValidationFailed({"unit": "有多个单位符合，请在下方选择"})


@router.post("/notices/new", name="backoffice.notices.create")
def create(
    request: Request,
    session: SessionDep,
    principal: Reader,
    team: ShortText = "",
    unit: ShortText = "",
    unit_code: ShortText = "",
    title: ShortText = "",
    problems: FormText = "",
    requirements: FormText = "",
    deadline_days: ShortText = "",
    tickets: FormText = "",
    submit: ShortText = "draft",
) -> Response:
    """Save a draft (members) or, with submit=issue, draft and issue at once (the lead)."""
    teams = drafting_teams(session, principal)
    values = {
        "team": team,
        "unit": unit,
        "unit_code": unit_code,
        "title": title,
        "problems": problems,
        "requirements": requirements,
        "deadline_days": deadline_days,
        "tickets": tickets,
    }
    form = DraftForm(values=values)
    team_id = positive_int(team) or (teams[0].id if len(teams) == 1 else None)
    try:
        with session.begin_nested():
            if team_id is None or team_id not in {t.id for t in teams}:
                raise ValidationFailed({"team": "请选择监督单位"})
            form.candidates = find_units(session, unit)
            target = chosen_unit(session, unit, unit_code, form.candidates)
            assert target.id is not None
            notice = notice_service.create_notice(
                session,
                principal=principal,
                team_id=team_id,
                unit_id=target.id,
                problems=problems,
                requirements=requirements,
                deadline_days=deadline_days,
                title=title,
                ticket_ids=linked_tickets(session, principal, tickets),
            )
            assert notice.id is not None
            if submit == "issue":
                notice_service.issue_notice(session, principal=principal, notice_id=notice.id)
    except (ValidationFailed, Conflict) as exc:  # Conflict: the 文号 is taken (see numbering)
        form.errors = _errors(exc)
        context = _new_context(session, principal, form, teams)
        return no_store(render(request, NEW, context, blocks=["notice_form"], status_code=422))
    done = "issue" if notice.status is NoticeStatus.ISSUED else "drafted"
    url = request.url_for("backoffice.notices.detail", notice_id=notice.id).path
    return redirect(request, f"{url}?done={done}")


def _errors(exc: ValidationFailed | Conflict) -> dict[str, str]:
    """Field messages, or the one message of a refusal shown above the form."""
    if isinstance(exc, ValidationFailed) and exc.errors:
        return dict(exc.errors)
    return {GENERAL: exc.message}


@router.post("/tickets/{number}/notice", name="backoffice.notices.issue_for_ticket")
def issue_for_ticket(
    request: Request,
    session: SessionDep,
    principal: Issuer,
    number: Annotated[str, PathParam(max_length=30)],
    title: ShortText = "",
    problems: FormText = "",
    requirements: FormText = "",
    deadline_days: ShortText = "",
) -> Response:
    """签发督办通知书 in one step from an overdue ticket (the team's lead): drafted, numbered and
    sent to the unit handling the ticket; lands on the issued notice."""
    ticket = team_ticket(session, principal, number)
    assert ticket.id is not None
    values = {
        "title": title,
        "problems": problems,
        "requirements": requirements,
        "deadline_days": deadline_days,
    }
    try:
        with session.begin_nested():
            notice = notice_service.issue_notice_for_ticket(
                session,
                principal=principal,
                ticket_id=ticket.id,
                problems=problems,
                requirements=requirements,
                deadline_days=deadline_days,
                title=title,
            )
    except (ValidationFailed, Conflict) as exc:
        session.refresh(ticket)
        context = team_context(
            session,
            principal,
            ticket,
            notice_form=Forms.failed("notice", values, _errors(exc)),
        )
        return no_store(
            render(
                request,
                "backoffice/tickets/detail.html",
                context,
                blocks=["ticket_supervision"],
                status_code=422,
            )
        )
    url = request.url_for("backoffice.notices.detail", notice_id=notice.id).path
    return redirect(request, f"{url}?done=issue")


# --- A notice's page --------------------------------------------------------------------------


def detail_context(
    session: Session,
    principal: Principal,
    notice: SupervisionNotice,
    *,
    forms: Forms | None = None,
    done: str = "",
    oob: bool = False,
) -> dict[str, Any]:
    now = clock.now()
    roles = policies.roles_on_notice(session, principal, notice)
    team_view = principal.is_admin or notice.team_id in policies.team_ids(principal)
    actions = notice_service.allowed_actions(session, principal=principal, notice=notice)
    shown = [a.value for a in actions if _permitted(principal, a)]
    tickets = notice_service.notice_tickets(session, notice=notice)
    forms = forms or Forms()
    if Action.EDIT.value in shown and "edit" not in forms.values:
        forms.values["edit"] = {
            "title": notice.title,
            "problems": notice.problems,
            "requirements": notice.requirements,
            "deadline_days": notice.deadline_days,
        }
    return {
        "principal": principal,
        "notice": notice,
        "team": session.get(Team, notice.team_id),
        "unit": session.get(Unit, notice.unit_id),
        "status_label": NOTICE_STATUS_LABELS[notice.status],
        "overdue": notice_service.is_overdue(notice, now=now),
        "overdue_label": OVERDUE_LABEL,
        "progress": notice_service.deadline_progress(session, notice, now=now),
        "tickets": tickets,
        # Entries made with 列入整改台账, so the notice leads on to its rectification.
        "ledger_entries": [
            (entry, RECTIFICATION_STATUS_LABELS[ledger.effective_status(entry)])
            for entry in ledger.entries_for_notice(
                session, principal=principal, notice_id=notice.id or 0
            )
        ],
        "team_view": team_view,
        # 列入整改台账: the issuing team records the notice's problems in the ledger.
        "can_ledger": notice.issued_at is not None
        and notice.team_id in policies.team_ids(principal)
        and principal.can(Permission.LEDGER_MANAGE),
        "roles": roles,
        "files": notice_service.notice_files(session, notice=notice),
        "timeline": notice_service.timeline(session, notice=notice, team_view=team_view),
        "shown_forms": shown,
        "action_labels": {a.value: text for a, text in ACTION_LABELS.items()},
        "forms": forms,
        "notice_text": DONE.get(done, ""),
        "oob": oob,
        "is_draft": notice.status is NoticeStatus.DRAFT,
        "chinese_date": documents.chinese_date,
        "issued_day": clock.to_local(notice.issued_at).date() if notice.issued_at else None,
        "due_day": clock.to_local(notice.due_at).date() if notice.due_at else None,
    }


ACTION_PERMISSIONS = {
    Action.EDIT: Permission.NOTICE_READ,
    Action.ISSUE: Permission.NOTICE_ISSUE,
    Action.SIGN: Permission.NOTICE_RESPOND,
    Action.RESPOND: Permission.NOTICE_RESPOND,
    Action.ACCEPT: Permission.NOTICE_ISSUE,
    Action.RETURN: Permission.NOTICE_ISSUE,
}


def _permitted(principal: Principal, action: Action) -> bool:
    return principal.can(ACTION_PERMISSIONS[action])


@router.get("/notices/{notice_id}", name="backoffice.notices.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: Reader,
    notice_id: NoticeId,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The document, its deadline, linked tickets, the unit's report with evidence, the
    timeline, and the actions this user may take; htmx GETs get the block named in HX-Target."""
    notice = notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    context = detail_context(session, principal, notice, done=done)
    target = request.headers.get("HX-Target", "").replace("-", "_")
    block = target if target in ACTION_BLOCKS else "notice_actions"
    return no_store(render(request, DETAIL, context, blocks=[block]))


def perform(
    request: Request,
    session: Session,
    principal: Principal,
    notice_id: int,
    form: str,
    values: dict[str, Any],
    act: Callable[[], object],
) -> Response:
    """Run `act` on a notice the user may read; see the module docstring for the answers."""
    notice = notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    errors: dict[str, str] = {}
    try:
        with session.begin_nested():
            act()
    except ValidationFailed as exc:
        errors = exc.errors or {GENERAL: exc.message}
    except ActionNotAllowed:
        raise
    except (Conflict, InvalidTransition) as exc:
        errors = {GENERAL: exc.message}
    if errors:
        session.refresh(notice)
        failed = Forms.failed(form, values, errors)
        context = detail_context(session, principal, notice, forms=failed, oob=is_htmx(request))
        return no_store(
            render(request, DETAIL, context, blocks=["notice_actions"], status_code=422)
        )
    if is_htmx(request):
        session.refresh(notice)
        context = detail_context(session, principal, notice, done=form, oob=True)
        return no_store(render(request, DETAIL, context, blocks=ACTION_BLOCKS))
    url = request.url_for("backoffice.notices.detail", notice_id=notice_id).path
    return redirect(request, f"{url}?done={form}#notice-actions")


@router.post("/notices/{notice_id}/edit", name="backoffice.notices.update")
def update(
    request: Request,
    session: SessionDep,
    principal: Reader,
    notice_id: NoticeId,
    title: ShortText = "",
    problems: FormText = "",
    requirements: FormText = "",
    deadline_days: ShortText = "",
) -> Response:
    """Change a draft (members and the lead of the issuing team)."""
    values = {
        "title": title,
        "problems": problems,
        "requirements": requirements,
        "deadline_days": deadline_days,
    }
    return perform(
        request,
        session,
        principal,
        notice_id,
        "edit",
        values,
        lambda: notice_service.update_draft(
            session,
            principal=principal,
            notice_id=notice_id,
            problems=problems,
            requirements=requirements,
            deadline_days=deadline_days,
            title=title,
        ),
    )


@router.post("/notices/{notice_id}/issue", name="backoffice.notices.issue")
def issue(
    request: Request, session: SessionDep, principal: Issuer, notice_id: NoticeId
) -> Response:
    """签发: the lead numbers the draft and starts the unit's clock."""
    return perform(
        request,
        session,
        principal,
        notice_id,
        "issue",
        {},
        lambda: notice_service.issue_notice(session, principal=principal, notice_id=notice_id),
    )


@router.post("/notices/{notice_id}/sign", name="backoffice.notices.sign")
def sign(
    request: Request, session: SessionDep, principal: Responder, notice_id: NoticeId
) -> Response:
    """签收 by the addressed unit."""
    return perform(
        request,
        session,
        principal,
        notice_id,
        "sign",
        {},
        lambda: notice_service.sign_notice(session, principal=principal, notice_id=notice_id),
    )


@router.post("/notices/{notice_id}/respond", name="backoffice.notices.respond")
def respond(
    request: Request,
    session: SessionDep,
    principal: Responder,
    notice_id: NoticeId,
    report: FormText = "",
    files: Uploads = None,
) -> Response:
    """The unit's 整改报告 with evidence files (images, PDF; checked by content)."""
    uploads = read_uploads(files)
    return perform(
        request,
        session,
        principal,
        notice_id,
        "respond",
        {"report": report, "files_dropped": bool(uploads)},
        lambda: notice_service.respond_notice(
            session, principal=principal, notice_id=notice_id, report=report, files=uploads
        ),
    )


@router.post("/notices/{notice_id}/accept", name="backoffice.notices.accept")
def accept(
    request: Request,
    session: SessionDep,
    principal: Issuer,
    notice_id: NoticeId,
    note: FormText = "",
) -> Response:
    """审核通过: the lead accepts the unit's report; the notice is done."""
    return perform(
        request,
        session,
        principal,
        notice_id,
        "accept",
        {"note": note},
        lambda: notice_service.accept_notice(
            session, principal=principal, notice_id=notice_id, note=note
        ),
    )


@router.post("/notices/{notice_id}/return", name="backoffice.notices.return")
def return_(
    request: Request,
    session: SessionDep,
    principal: Issuer,
    notice_id: NoticeId,
    reason: FormText = "",
    deadline_days: ShortText = "",
) -> Response:
    """退回 with reasons, optionally with a fresh deadline counted from now."""
    return perform(
        request,
        session,
        principal,
        notice_id,
        "return",
        {"reason": reason, "deadline_days": deadline_days},
        lambda: notice_service.return_notice(
            session,
            principal=principal,
            notice_id=notice_id,
            reason=reason,
            deadline_days=deadline_days or None,
        ),
    )


# --- Files and documents ----------------------------------------------------------------------


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


@router.get("/notices/{notice_id}/files/{file_id}", name="backoffice.notices.file")
def evidence_file(
    session: SessionDep, principal: Reader, notice_id: NoticeId, file_id: FileId
) -> Response:
    """An evidence file, as a download, for whoever may read the notice."""
    _notice, row, data = notice_service.get_file(
        session, principal=principal, notice_id=notice_id, file_id=file_id
    )
    assert row.id is not None
    return download(data, row.content_type, row.original_name, row.id)


@router.get("/notices/{notice_id}/print", name="backoffice.notices.print")
def print_view(
    request: Request, session: SessionDep, principal: Reader, notice_id: NoticeId
) -> Response:
    """The notice in official-document layout (A4 print CSS), readable on screen too."""
    notice = notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    context = detail_context(session, principal, notice)
    return no_store(render(request, PRINT, context))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/notices/{notice_id}/docx", name="backoffice.notices.docx")
def docx(session: SessionDep, principal: Reader, notice_id: NoticeId) -> Response:
    """The notice as a Word document (GB/T 9704 layout)."""
    notice = notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    assert notice.id is not None
    data = documents.notice_docx(session, notice)
    return download(data, DOCX, documents.notice_filename(notice), notice.id)
