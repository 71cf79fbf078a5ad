"""/api/v1/notices — 督办通知书 over the same services, permissions and scoping as the /staff
pages: 404 out of scope, 403 wrong role, 409 impossible in the notice's state, 422 with field
messages."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.supervision import documents, policies
from app.supervision import notices as notice_service
from app.supervision.models import NoticeStatus, SupervisionNotice
from app.unit import service as unit_service
from app.unit.models import Team, Unit
from app.web.api.notice_schemas import (
    AcceptIn,
    NoticeIn,
    NoticeOut,
    NoticePageOut,
    NoticeRowOut,
    RespondIn,
    ReturnIn,
    StepOut,
    row_out,
)
from app.web.api.supervision_schemas import FileOut
from app.web.api.uploads import WithFiles, body_with_files, request_body_doc
from app.web.backoffice.notices import DOCX, download
from app.web.backoffice.ticket_forms import MAX_ID
from app.web.backoffice.tickets import team_ticket
from app.web.deps import SessionDep, require
from app.web.ratelimit import UploadLimitRoute

router = APIRouter(prefix="/notices", tags=["notices"], route_class=UploadLimitRoute)

Reader = Annotated[Principal, Depends(require(Permission.NOTICE_READ))]
Issuer = Annotated[Principal, Depends(require(Permission.NOTICE_ISSUE))]
Responder = Annotated[Principal, Depends(require(Permission.NOTICE_RESPOND))]
NoticeId = Annotated[int, PathParam(ge=1, le=MAX_ID)]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "您无权执行该操作（例如被督办单位不能签发）"},
    404: {"description": "督办通知书不存在或不在您的范围内"},
    409: {"description": "督办通知书当前状态不能执行该操作"},
    422: {"description": "提交的内容有误；errors 按字段给出中文提示"},
}


def row(session: Session, notice: SupervisionNotice, now: datetime) -> NoticeRowOut:
    return row_out(
        notice,
        session.get(Team, notice.team_id),
        session.get(Unit, notice.unit_id),
        notice_service.deadline_progress(session, notice, now=now),
        notice_service.is_overdue(notice, now=now),
    )


def notice_out(session: Session, principal: Principal, notice: SupervisionNotice) -> NoticeOut:
    team_view = principal.is_admin or notice.team_id in policies.team_ids(principal)
    return NoticeOut(
        **dict(row(session, notice, clock.now())),
        problems=notice.problems,
        requirements=notice.requirements,
        deadline_days=notice.deadline_days,
        due_explanation=notice.due_explanation,
        signed_at=notice.signed_at,
        response=notice.response,
        responded_at=notice.responded_at,
        review_note=notice.review_note,
        reviewed_at=notice.reviewed_at,
        return_count=notice.return_count,
        overdue_level=notice.overdue_level,
        tickets=[t.number for t in notice_service.notice_tickets(session, notice=notice)],
        files=[FileOut.of(f) for f in notice_service.notice_files(session, notice=notice)],
        timeline=[
            StepOut.of(step)
            for step in notice_service.timeline(session, notice=notice, team_view=team_view)
        ],
        actions=[
            a.value
            for a in notice_service.allowed_actions(session, principal=principal, notice=notice)
        ],
    )


@router.get("", name="api.notices.index")
def list_notices(
    session: SessionDep,
    principal: Reader,
    status: Annotated[NoticeStatus | None, Query()] = None,
    overdue: Annotated[bool, Query(description="只看已逾期的")] = False,
    team: Annotated[int | None, Query(ge=1, le=MAX_ID, description="监督单位 ID")] = None,
    from_: Annotated[date | None, Query(alias="from", description="签发日期自（含）")] = None,
    to: Annotated[date | None, Query(description="签发日期至（含）")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 25,
) -> NoticePageOut:
    """Notices you may see, newest first: your team's (drafts included), or those issued to
    your unit; with counts per status under the same team and date filters."""
    now = clock.now()
    query = notice_service.NoticeQuery(
        status=status,
        overdue=overdue,
        team_id=team,
        issued_from=from_,
        issued_to=to,
        page=page,
        per_page=per_page,
    )
    result = notice_service.search_notices(session, principal=principal, query=query, now=now)
    items = [row(session, notice, now) for notice in result.items]
    return NoticePageOut(
        items=items,
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        counts=notice_service.status_counts(session, principal=principal, query=query, now=now),
    )


@router.post("", name="api.notices.create", status_code=201, responses=ERRORS)
def create_notice(session: SessionDep, principal: Reader, body: NoticeIn) -> NoticeOut:
    """Draft a notice (a member of the team); with `issue` the team's lead issues it at once."""
    try:
        unit = unit_service.get_unit_by_code(session, code=body.unit_code.strip())
    except NotFound:
        raise ValidationFailed({"unit_code": "未找到该单位代码"}) from None
    ticket_ids = []
    for number in body.ticket_numbers:
        try:
            ticket = team_ticket(session, principal, number)
        except NotFound:
            raise ValidationFailed({"ticket_numbers": f"未找到工单 {number}"}) from None
        assert ticket.id is not None
        ticket_ids.append(ticket.id)
    assert unit.id is not None
    notice = notice_service.create_notice(
        session,
        principal=principal,
        team_id=body.team_id,
        unit_id=unit.id,
        problems=body.problems,
        requirements=body.requirements,
        deadline_days=body.deadline_days,
        title=body.title,
        ticket_ids=ticket_ids,
    )
    assert notice.id is not None
    if body.issue:
        notice = notice_service.issue_notice(session, principal=principal, notice_id=notice.id)
    return notice_out(session, principal, notice)


@router.get("/{notice_id}", name="api.notices.detail", responses={404: ERRORS[404]})
def get_notice(session: SessionDep, principal: Reader, notice_id: NoticeId) -> NoticeOut:
    """The notice with its report, evidence files, timeline and the actions open to you."""
    notice = notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    return notice_out(session, principal, notice)


def act(
    session: Session,
    principal: Principal,
    notice_id: int,
    action: Callable[[], SupervisionNotice],
) -> NoticeOut:
    notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    return notice_out(session, principal, action())


@router.post("/{notice_id}/actions/issue", name="api.notices.issue", responses=ERRORS)
def issue(session: SessionDep, principal: Issuer, notice_id: NoticeId) -> NoticeOut:
    """签发: the team's lead numbers the draft (宁纪督〔2026〕12号); the unit's clock starts."""
    return act(
        session,
        principal,
        notice_id,
        lambda: notice_service.issue_notice(session, principal=principal, notice_id=notice_id),
    )


@router.post("/{notice_id}/actions/sign", name="api.notices.sign", responses=ERRORS)
def sign(session: SessionDep, principal: Responder, notice_id: NoticeId) -> NoticeOut:
    """签收 by an editor of the addressed unit."""
    return act(
        session,
        principal,
        notice_id,
        lambda: notice_service.sign_notice(session, principal=principal, notice_id=notice_id),
    )


@router.post(
    "/{notice_id}/actions/respond",
    name="api.notices.respond",
    responses=ERRORS,
    openapi_extra=request_body_doc(RespondIn),
)
def respond(
    session: SessionDep,
    principal: Responder,
    notice_id: NoticeId,
    payload: Annotated[WithFiles[RespondIn], Depends(body_with_files(RespondIn))],
) -> NoticeOut:
    """报送整改报告 (after signing, or again after a return), as JSON — or as multipart/form-data
    with the evidence files (`files`: images or PDF, checked by content)."""
    return act(
        session,
        principal,
        notice_id,
        lambda: notice_service.respond_notice(
            session,
            principal=principal,
            notice_id=notice_id,
            report=payload.body.report,
            files=payload.files,
        ),
    )


@router.post("/{notice_id}/actions/accept", name="api.notices.accept", responses=ERRORS)
def accept(
    session: SessionDep, principal: Issuer, notice_id: NoticeId, body: AcceptIn
) -> NoticeOut:
    """审核通过: the team's lead accepts the report; the notice is done."""
    return act(
        session,
        principal,
        notice_id,
        lambda: notice_service.accept_notice(
            session, principal=principal, notice_id=notice_id, note=body.note
        ),
    )


@router.post("/{notice_id}/actions/return", name="api.notices.return", responses=ERRORS)
def return_(
    session: SessionDep, principal: Issuer, notice_id: NoticeId, body: ReturnIn
) -> NoticeOut:
    """退回 with reasons (and optionally a fresh deadline); the unit answers again."""
    return act(
        session,
        principal,
        notice_id,
        lambda: notice_service.return_notice(
            session,
            principal=principal,
            notice_id=notice_id,
            reason=body.reason,
            deadline_days=body.deadline_days,
        ),
    )


@router.get(
    "/{notice_id}/files/{file_id}",
    name="api.notices.file",
    responses={404: ERRORS[404]},
    response_class=Response,
)
def evidence_file(
    session: SessionDep,
    principal: Reader,
    notice_id: NoticeId,
    file_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
) -> Response:
    """An evidence file of the notice, as a download."""
    _notice, row, data = notice_service.get_file(
        session, principal=principal, notice_id=notice_id, file_id=file_id
    )
    assert row.id is not None
    return download(data, row.content_type, row.original_name, row.id)


@router.get(
    "/{notice_id}/docx",
    name="api.notices.docx",
    responses={200: {"content": {DOCX: {}}}, 404: ERRORS[404]},
    response_class=Response,
)
def docx(session: SessionDep, principal: Reader, notice_id: NoticeId) -> Response:
    """The notice as a Word document in official-document layout."""
    notice = notice_service.get_notice(session, principal=principal, notice_id=notice_id)
    assert notice.id is not None
    return download(
        documents.notice_docx(session, notice), DOCX, documents.notice_filename(notice), notice.id
    )
