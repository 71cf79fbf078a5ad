"""/api/v1/ledger — 整改台账 entries: the filtered list with counts, one entry, create (by hand or
from a ticket, notice or inspection), edit, progress, submit, verify (销号), reject, and the .xlsx
export, over the same services, permissions and scoping as /staff/ledger (404 out of scope, 403
wrong role, 409 impossible in the entry's state, 422 with field messages)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import ValidationFailed
from app.supervision import ledger as ledger_service
from app.supervision import ledger_export
from app.supervision.models import Rectification, RectificationSource, RectificationStatus
from app.ticket.models import Ticket
from app.unit.models import Unit
from app.web.api.supervision_schemas import (
    EntryIn,
    EntryOut,
    EntryPageOut,
    EntryPatch,
    ProgressIn,
    RejectIn,
    SubmitIn,
    VerifyIn,
)
from app.web.api.uploads import WithFiles, body_with_files, request_body_doc
from app.web.backoffice.ledger import XLSX, download
from app.web.backoffice.tickets import team_ticket
from app.web.deps import SessionDep, require

router = APIRouter(prefix="/ledger", tags=["ledger"])

Reader = Annotated[Principal, Depends(require(Permission.LEDGER_READ))]
Manager = Annotated[Principal, Depends(require(Permission.LEDGER_MANAGE))]
EntryId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="整改事项 ID")]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "您无权执行该操作（例如责任单位不能销号）"},
    404: {"description": "整改事项不存在或不在您的范围内"},
    409: {"description": "整改事项当前状态不能执行该操作"},
    422: {"description": "提交的内容有误；errors 按字段给出中文提示"},
}


def unit_by_code(session: Session, code: str, field: str = "unit") -> Unit:
    unit = session.exec(select(Unit).where(col(Unit.code) == code.strip())).first()
    if unit is None:
        raise ValidationFailed({field: "单位代码不存在"})
    return unit


def entry_out(session: Session, entry: Rectification, *, full: bool = False) -> EntryOut:
    ticket = session.get(Ticket, entry.ticket_id) if entry.ticket_id else None
    return EntryOut.of(
        entry,
        unit=session.get(Unit, entry.unit_id),
        status=ledger_service.effective_status(entry),
        source_label=ledger_service.source_label_detail(session, entry),
        ticket_number=ticket.number if ticket is not None else None,
        notes=ledger_service.progress_notes(session, entry=entry) if full else None,
        files=ledger_service.entry_files(session, entry=entry) if full else None,
    )


def filters(
    session: Session,
    *,
    status: RectificationStatus | None,
    source: RectificationSource | None,
    unit: str,
    team: int | None,
    from_: date | None,
    to: date | None,
) -> ledger_service.LedgerFilter:
    return ledger_service.LedgerFilter(
        team_id=team,
        unit_id=unit_by_code(session, unit).id if unit.strip() else None,
        include_descendants=True,
        source=source,
        status=status,
        created_from=from_,
        created_to=to,
    )


StatusQuery = Annotated[
    RectificationStatus | None,
    Query(
        description="in_progress 整改中（未逾期）、overdue 逾期、submitted 待验收、verified 已销号"
    ),
]
SourceQuery = Annotated[RectificationSource | None, Query(description="问题来源")]
UnitQuery = Annotated[str, Query(max_length=20, description="责任单位代码（含下级单位）")]
TeamQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647, description="监督单位 ID")]
FromQuery = Annotated[date | None, Query(alias="from", description="登记日期自（含）")]
ToQuery = Annotated[date | None, Query(description="登记日期至（含）")]


@router.get("", name="api.ledger.index", responses={422: ERRORS[422]})
def list_entries(
    session: SessionDep,
    principal: Reader,
    status: StatusQuery = None,
    source: SourceQuery = None,
    unit: UnitQuery = "",
    team: TeamQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EntryPageOut:
    """Entries you may see (your team's, or your unit's and below; admins all), by deadline."""
    today = clock.today_local()
    chosen = filters(
        session, status=status, source=source, unit=unit, team=team, from_=from_, to=to
    )
    result = ledger_service.search_rectifications(
        session, principal=principal, filters=chosen, page=page, per_page=per_page, today=today
    )

    def counts(by: Any) -> dict[str, int]:
        found = ledger_service.count_rectifications(
            session,
            principal=principal,
            by=by,
            filters=chosen,
            today=today,
            ignore_own_filter=True,
        )
        return {str(key.value): number for key, number in found.items()}

    return EntryPageOut(
        items=[entry_out(session, entry) for entry in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        counts_by_status=counts("status"),
        counts_by_source=counts("source"),
    )


@router.get("/export.xlsx", name="api.ledger.export", response_class=Response)
def export(
    session: SessionDep,
    principal: Reader,
    status: StatusQuery = None,
    source: SourceQuery = None,
    unit: UnitQuery = "",
    team: TeamQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> Response:
    """The filtered ledger as .xlsx (序号, 问题来源, 问题描述, 责任单位, 责任人, 整改措施, 整改时限,
    整改进展, 完成情况, 销号情况)."""
    today = clock.today_local()
    chosen = filters(
        session, status=status, source=source, unit=unit, team=team, from_=from_, to=to
    )
    entries = ledger_service.list_rectifications(
        session, principal=principal, filters=chosen, today=today
    )
    data = ledger_export.ledger_xlsx(session, entries, today=today)
    return download(data, XLSX, f"整改台账-{today:%Y%m%d}.xlsx", 0)


@router.get("/{entry_id}", name="api.ledger.detail", responses={404: ERRORS[404]})
def get_entry(session: SessionDep, principal: Reader, entry_id: EntryId) -> EntryOut:
    """One entry with its progress notes and evidence files."""
    entry = ledger_service.get_rectification(session, principal=principal, entry_id=entry_id)
    return entry_out(session, entry, full=True)


@router.post("", name="api.ledger.create", status_code=201, responses=ERRORS)
def create_entry(session: SessionDep, principal: Manager, body: EntryIn) -> EntryOut:
    """Record a problem in the ledger (members of the team)."""
    links = [body.ticket_number.strip(), body.notice_id, body.inspection_id]
    if sum(1 for link in links if link) > 1:
        raise ValidationFailed({"source": "只能关联一个来源（工单、督办通知书或监督检查）"})
    texts: dict[str, Any] = {
        "problem": body.problem,
        "deadline": body.deadline,
        "responsible_person": body.responsible_person,
        "measures": body.measures,
    }
    entry: Rectification
    if body.ticket_number.strip():
        ticket = team_ticket(session, principal, body.ticket_number)
        assert ticket.id is not None
        unit_id = unit_by_code(session, body.unit_code, "unit_code").id if body.unit_code else None
        entry = ledger_service.create_from_ticket(
            session, principal=principal, ticket_id=ticket.id, unit_id=unit_id, **texts
        )
    elif body.notice_id is not None:
        # The notice's problems and due date unless the body says otherwise.
        texts["problem"] = body.problem or None
        entry = ledger_service.create_from_notice(
            session, principal=principal, notice_id=body.notice_id, **texts
        )
    elif body.inspection_id is not None:
        unit = unit_by_code(session, body.unit_code, "unit_code")
        assert unit.id is not None
        entry = ledger_service.create_from_inspection(
            session,
            principal=principal,
            inspection_id=body.inspection_id,
            unit_id=unit.id,
            **texts,
        )
    else:
        if body.source not in (RectificationSource.MANUAL, RectificationSource.AUDIT):
            raise ValidationFailed({"source": "手工登记的来源只能是 manual 或 audit"})
        if body.team_id is None:
            raise ValidationFailed({"team_id": "请选择监督单位"})
        unit = unit_by_code(session, body.unit_code, "unit_code")
        assert unit.id is not None
        entry = ledger_service.create_rectification(
            session,
            principal=principal,
            team_id=body.team_id,
            unit_id=unit.id,
            source=body.source,
            **texts,
        )
    return entry_out(session, entry, full=True)


@router.put("/{entry_id}", name="api.ledger.update", responses=ERRORS)
def update_entry(
    session: SessionDep, principal: Manager, entry_id: EntryId, body: EntryPatch
) -> EntryOut:
    """Correct the problem, responsible person, measures or deadline (the team)."""
    entry = ledger_service.update_rectification(
        session, principal=principal, entry_id=entry_id, **body.model_dump()
    )
    return entry_out(session, entry, full=True)


@router.post(
    "/{entry_id}/progress",
    name="api.ledger.progress",
    responses=ERRORS,
    openapi_extra=request_body_doc(ProgressIn),
)
def add_progress(
    session: SessionDep,
    principal: Reader,
    entry_id: EntryId,
    payload: Annotated[WithFiles[ProgressIn], Depends(body_with_files(ProgressIn))],
) -> EntryOut:
    """整改进展 (the unit, or the team recording it) as JSON — or as multipart/form-data with
    evidence files (`files`: images or PDF, checked by content)."""
    ledger_service.add_progress(
        session,
        principal=principal,
        entry_id=entry_id,
        body=payload.body.body,
        files=payload.files,
    )
    return get_entry(session, principal, entry_id)


@router.post("/{entry_id}/submit", name="api.ledger.submit", responses=ERRORS)
def submit(session: SessionDep, principal: Reader, entry_id: EntryId, body: SubmitIn) -> EntryOut:
    """报送验收 with 完成情况."""
    ledger_service.submit_rectification(
        session, principal=principal, entry_id=entry_id, completion=body.completion
    )
    return get_entry(session, principal, entry_id)


@router.post("/{entry_id}/verify", name="api.ledger.verify", responses=ERRORS)
def verify(session: SessionDep, principal: Manager, entry_id: EntryId, body: VerifyIn) -> EntryOut:
    """销号 by the team, with the 公开说明 for the public timeline."""
    ledger_service.verify_rectification(
        session,
        principal=principal,
        entry_id=entry_id,
        note=body.note,
        public_summary=body.public_summary,
    )
    return get_entry(session, principal, entry_id)


@router.post("/{entry_id}/reject", name="api.ledger.reject", responses=ERRORS)
def reject(session: SessionDep, principal: Manager, entry_id: EntryId, body: RejectIn) -> EntryOut:
    """退回: back to 整改中 with the reasons."""
    ledger_service.reject_rectification(
        session, principal=principal, entry_id=entry_id, reason=body.reason
    )
    return get_entry(session, principal, entry_id)
