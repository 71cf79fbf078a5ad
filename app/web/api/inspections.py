"""/api/v1/inspections and /api/v1/talks — 监督检查 with their findings (each a ledger entry, all
or nothing) and 谈心谈话 / 廉政谈话 records, with the same permissions and scoping as the pages:
talks only ever for members of the talk's own team (an admin gets 404)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import PermissionDenied, ValidationFailed
from app.supervision import inspections as service
from app.supervision import policies
from app.supervision.inspections import Finding
from app.supervision.models import Inspection, TalkKind
from app.web.api.ledger import unit_by_code
from app.web.api.supervision_schemas import (
    InspectionIn,
    InspectionOut,
    InspectionPageOut,
    TalkIn,
    TalkOut,
    TalkPageOut,
)
from app.web.deps import SessionDep, require

router = APIRouter()

Inspector = Annotated[Principal, Depends(require(Permission.INSPECTION_MANAGE))]
TalkReader = Annotated[Principal, Depends(require(Permission.TALK_READ))]
TalkRecorder = Annotated[Principal, Depends(require(Permission.TALK_MANAGE))]
ObjectId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
KindQuery = Annotated[TalkKind | None, Query(description="heart 谈心谈话；integrity 廉政谈话")]
TeamQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647, description="监督单位 ID")]
FromQuery = Annotated[date | None, Query(alias="from", description="日期自（含）")]
ToQuery = Annotated[date | None, Query(description="日期至（含）")]
PageQuery = Annotated[int, Query(ge=1, le=100_000)]
PerPageQuery = Annotated[int, Query(ge=1, le=200)]

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "您无权执行该操作"},
    404: {"description": "记录不存在或不在您的范围内"},
    422: {"description": "提交的内容有误；errors 按字段给出中文提示"},
}


def own_team(principal: Principal, team_id: int | None) -> int:
    """The team named, or the user's only team; 422 when it has to be named."""
    if team_id is not None:
        return team_id
    teams = sorted(policies.team_ids(principal))
    if not teams:
        raise PermissionDenied("只有监督单位的工作人员可以登记")
    if len(teams) != 1:
        raise ValidationFailed({"team_id": "请选择监督单位"})
    return teams[0]


def inspection_out(session: Session, inspection: Inspection) -> InspectionOut:
    entries = service.inspection_entries(session, inspection=inspection)
    return InspectionOut.of(
        inspection,
        service.inspection_units(session, inspection=inspection),
        [e.id for e in entries if e.id is not None],
    )


@router.get("/inspections", name="api.inspections.index", tags=["inspections"])
def list_inspections(
    session: SessionDep,
    principal: Inspector,
    team: TeamQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 50,
) -> InspectionPageOut:
    """Inspections of your teams (every team for an admin), newest first."""
    result = service.search_inspections(
        session,
        principal=principal,
        team_id=team,
        held_from=from_,
        held_to=to,
        page=page,
        per_page=per_page,
    )
    return InspectionPageOut(
        items=[inspection_out(session, i) for i in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get(
    "/inspections/{inspection_id}",
    name="api.inspections.detail",
    tags=["inspections"],
    responses={404: ERRORS[404]},
)
def get_inspection(
    session: SessionDep, principal: Inspector, inspection_id: ObjectId
) -> InspectionOut:
    inspection = service.get_inspection(session, principal=principal, inspection_id=inspection_id)
    return inspection_out(session, inspection)


@router.post(
    "/inspections",
    name="api.inspections.create",
    tags=["inspections"],
    status_code=201,
    responses=ERRORS,
)
def create_inspection(
    session: SessionDep, principal: Inspector, body: InspectionIn
) -> InspectionOut:
    """Record an inspection; each finding becomes a ledger entry (all or nothing)."""
    errors: dict[str, str] = {}
    codes: dict[str, int] = {}
    for code in body.unit_codes:
        try:
            unit = unit_by_code(session, code, "unit_codes")
        except ValidationFailed:
            errors["unit_codes"] = f"单位代码 {code} 不存在"
            continue
        assert unit.id is not None
        codes[code.strip()] = unit.id
    findings = []
    for number, finding in enumerate(body.findings, start=1):
        unit_id = codes.get(finding.unit_code.strip())
        if unit_id is None:
            errors[f"findings-{number}-unit"] = f"第 {number} 条问题：责任单位须是被检查单位之一"
            continue
        findings.append(
            Finding(
                unit_id=unit_id,
                problem=finding.problem,
                deadline=finding.deadline,
                responsible_person=finding.responsible_person,
                measures=finding.measures,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    with session.begin_nested():
        inspection, _entries = service.record_inspection(
            session,
            principal=principal,
            team_id=own_team(principal, body.team_id),
            held_on=body.held_on,
            subject=body.subject,
            unit_ids=list(codes.values()),
            people=body.people,
            summary=body.summary,
            findings=findings,
        )
    return inspection_out(session, inspection)


@router.get("/talks", name="api.talks.index", tags=["talks"])
def list_talks(
    session: SessionDep,
    principal: TalkReader,
    kind: Annotated[
        TalkKind | None, Query(description="heart 谈心谈话，integrity 廉政谈话")
    ] = None,
    team: TeamQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    page: PageQuery = 1,
    per_page: PerPageQuery = 50,
) -> TalkPageOut:
    """Talks of your own teams only (an admin without a team sees none), with the 人次."""
    result, persons = service.search_talks(
        session,
        principal=principal,
        team_id=team,
        kind=kind,
        held_from=from_,
        held_to=to,
        page=page,
        per_page=per_page,
    )
    return TalkPageOut(
        items=[TalkOut.of(t) for t in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        persons=persons,
    )


@router.get(
    "/talks/{talk_id}", name="api.talks.detail", tags=["talks"], responses={404: ERRORS[404]}
)
def get_talk(session: SessionDep, principal: TalkReader, talk_id: ObjectId) -> TalkOut:
    return TalkOut.of(service.get_talk(session, principal=principal, talk_id=talk_id))


@router.post("/talks", name="api.talks.create", tags=["talks"], status_code=201, responses=ERRORS)
def create_talk(session: SessionDep, principal: TalkRecorder, body: TalkIn) -> TalkOut:
    """Record a talk; `person_count` defaults to the lines of `interviewees`."""
    unit_id = unit_by_code(session, body.unit_code, "unit_code").id if body.unit_code else None
    talk = service.record_talk(
        session,
        principal=principal,
        team_id=own_team(principal, body.team_id),
        kind=body.kind,
        held_on=body.held_on,
        interviewees=body.interviewees,
        person_count=body.person_count,
        interviewers=body.interviewers,
        summary=body.summary,
        unit_id=unit_id,
    )
    return TalkOut.of(talk)
