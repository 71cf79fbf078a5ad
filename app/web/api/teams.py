"""/api/v1/teams — supervising bodies: list for their staff, create and change for admins."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import PermissionDenied
from app.supervision import numbering
from app.unit import policies
from app.unit import service as unit_service
from app.unit.models import Team
from app.unit.schemas import TeamCreate, TeamOut, TeamPatch
from app.web.deps import SessionDep, require

router = APIRouter(prefix="/teams", tags=["teams"])

TeamId = Annotated[int, PathParam(ge=1, le=2_147_483_647, description="监督单位 ID")]


def _out(session: Session, team: Team) -> TeamOut:
    return TeamOut.from_summary(unit_service.summarise_teams(session, teams=[team])[0])


@router.get("", name="api.teams.index")
def list_teams(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.TEAM_READ))],
) -> list[TeamOut]:
    """Admins get every team; team staff get the teams they belong to."""
    teams = unit_service.list_teams(session, principal=principal)
    return [TeamOut.from_summary(s) for s in unit_service.summarise_teams(session, teams=teams)]


@router.get("/{team_id}", name="api.teams.detail")
def get_team(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.TEAM_READ))],
    team_id: TeamId,
) -> TeamOut:
    team = policies.ensure_can_read_team(principal, unit_service.get_team(session, team_id=team_id))
    return _out(session, team)


@router.post("", name="api.teams.create", status_code=201)
def create_team(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.TEAM_CREATE))],
    body: TeamCreate,
) -> TeamOut:
    """Add a supervising body; `home_unit_code` names the unit it sits in."""
    if not policies.can_create_team(principal):
        raise PermissionDenied("您没有新建监督单位的权限")
    team = unit_service.create_team(session, actor=principal.user, **body.model_dump())
    return _out(session, team)


@router.patch("/{team_id}", name="api.teams.update")
def update_team(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.TEAM_UPDATE))],
    team_id: TeamId,
    body: TeamPatch,
) -> TeamOut:
    """Change the fields sent; a parent that would make a loop is refused with 422."""
    team = policies.ensure_can_read_team(principal, unit_service.get_team(session, team_id=team_id))
    if not policies.can_update_team(principal, team):
        raise PermissionDenied("您没有修改该监督单位的权限")
    unit_service.update_team(
        session, team=team, actor=principal.user, **body.model_dump(include=body.model_fields_set)
    )
    return _out(session, team)


class NoticePrefixOut(BaseModel):
    """The 文号 prefix the team's notices get this year, and the next number it would issue."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"prefix": "跃龙纪督", "year": 2026, "next_number": "跃龙纪督〔2026〕4号"}]
        }
    )

    prefix: str
    year: int
    next_number: str


class NoticePrefixIn(BaseModel):
    """A new prefix from this year on: 1–20 Chinese characters, letters or digits, not one
    another team uses this year (422 otherwise)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"prefix": "宁纪派一督"}]}
    )

    prefix: str = Field(max_length=100)


def _prefix_out(session: Session, team: Team) -> NoticePrefixOut:
    assert team.id is not None
    number = numbering.next_number(session, team_id=team.id)
    return NoticePrefixOut(prefix=number.prefix, year=number.year, next_number=str(number))


@router.get("/{team_id}/notice-prefix", name="api.teams.notice_prefix")
def get_notice_prefix(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.TEAM_READ))],
    team_id: TeamId,
) -> NoticePrefixOut:
    """督办文号前缀: the team's own, or the default derived from its kind and name."""
    team = policies.ensure_can_read_team(principal, unit_service.get_team(session, team_id=team_id))
    return _prefix_out(session, team)


@router.put("/{team_id}/notice-prefix", name="api.teams.set_notice_prefix")
def set_notice_prefix(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.TEAM_UPDATE))],
    team_id: TeamId,
    body: NoticePrefixIn,
) -> NoticePrefixOut:
    """Set the prefix from this year on (admins); numbers already issued keep theirs."""
    team = policies.ensure_can_read_team(principal, unit_service.get_team(session, team_id=team_id))
    if not policies.can_update_team(principal, team):
        raise PermissionDenied("您没有修改该监督单位的权限")
    assert team.id is not None
    numbering.set_prefix(session, team_id=team.id, prefix=body.prefix, actor=principal.user)
    return _prefix_out(session, team)
