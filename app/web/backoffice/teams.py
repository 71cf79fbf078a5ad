"""/staff/teams — supervising bodies: list, create, edit, and which units each supervises."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.supervision import numbering
from app.unit import policies
from app.unit import service as unit_service
from app.unit.models import TEAM_KIND_LABELS, Team, TeamKind
from app.web.backoffice.units import form_id
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

TeamId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
UnitId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
TeamReader = Annotated[Principal, Depends(require(Permission.TEAM_READ))]
TeamCreator = Annotated[Principal, Depends(require(Permission.TEAM_CREATE))]
TeamEditor = Annotated[Principal, Depends(require(Permission.TEAM_UPDATE))]
UnitEditor = Annotated[Principal, Depends(require(Permission.UNIT_UPDATE))]
FormText = Annotated[str, Form(max_length=1000)]

KIND_OPTIONS = [(kind.value, text) for kind, text in TEAM_KIND_LABELS.items()]
EMPTY_TEAM_FORM: dict[str, Any] = {
    "name": "",
    "kind": TeamKind.DISPATCHED.value,
    "parent_id": "",
    "phone": "",
    "home_unit_code": "",
    "is_active": True,
}


def _parent_options(session: Session, team: Team | None = None) -> list[tuple[int | None, str]]:
    return [
        (t.id, t.name if t.is_active else f"{t.name}（已停用）")
        for t in unit_service.list_teams(session)
        if team is None or t.id != team.id
    ]


def _index_context(
    session: Session,
    principal: Principal,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    teams = unit_service.list_teams(session, principal=principal)
    can_create = policies.can_create_team(principal)
    return {
        "principal": principal,
        "summaries": unit_service.summarise_teams(session, teams=teams),
        "can_create": can_create,
        "form": form or EMPTY_TEAM_FORM,
        "errors": errors or {},
        "kind_options": KIND_OPTIONS,
        "parent_options": _parent_options(session) if can_create else [],
    }


@router.get("/teams", name="backoffice.teams.index")
def index(request: Request, session: SessionDep, principal: TeamReader) -> Response:
    """Teams with their parent and counts; admins also get the "新建监督单位" form."""
    context = _index_context(session, principal)
    return render(request, "backoffice/teams/index.html", context, blocks=["team_table"])


@router.post("/teams", name="backoffice.teams.create")
def create(
    request: Request,
    session: SessionDep,
    principal: TeamCreator,
    name: FormText = "",
    kind: FormText = "",
    parent_id: FormText = "",
    phone: FormText = "",
    home_unit_code: FormText = "",
) -> Response:
    if not policies.can_create_team(principal):
        raise PermissionDenied("您没有新建监督单位的权限")
    form = {
        "name": name,
        "kind": kind,
        "parent_id": parent_id,
        "phone": phone,
        "home_unit_code": home_unit_code,
        "is_active": True,
    }
    try:
        team = unit_service.create_team(
            session,
            actor=principal.user,
            name=name,
            kind=kind,
            parent_id=form_id(parent_id),
            phone=phone,
            home_unit_code=home_unit_code,
        )
    except ValidationFailed as exc:
        context = _index_context(session, principal, form=form, errors=exc.errors)
        return render(
            request,
            "backoffice/teams/index.html",
            context,
            blocks=["team_create_form"],
            status_code=422,
        )
    return redirect(request, request.url_for("backoffice.teams.detail", team_id=team.id).path)


def _team_form(session: Session, team: Team) -> dict[str, Any]:
    home = (
        unit_service.get_unit(session, unit_id=team.home_unit_id)
        if team.home_unit_id is not None
        else None
    )
    return {
        "name": team.name,
        "kind": team.kind.value,
        "parent_id": str(team.parent_id or ""),
        "phone": team.phone,
        "home_unit_code": home.code if home else "",
        "is_active": team.is_active,
    }


def _detail_context(
    session: Session,
    principal: Principal,
    team: Team,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    assign_code: str = "",
    assign_errors: dict[str, str] | None = None,
    units_notice: str = "",
    prefix: str | None = None,
    prefix_errors: dict[str, str] | None = None,
    prefix_saved: bool = False,
) -> dict[str, Any]:
    can_update = policies.can_update_team(principal, team)
    assert team.id is not None
    next_number = numbering.next_number(session, team_id=team.id)
    return {
        "principal": principal,
        "team": team,
        "summary": unit_service.summarise_teams(session, teams=[team])[0],
        "can_update": can_update,
        "can_assign": principal.can(Permission.UNIT_UPDATE) and principal.is_admin,
        "can_see_users": principal.can(Permission.USER_READ),
        "form": form or _team_form(session, team),
        "errors": errors or {},
        "saved": saved,
        "kind_options": KIND_OPTIONS,
        "parent_options": _parent_options(session, team) if can_update else [],
        "units": unit_service.units_supervised(session, team=team),
        "inheriting": unit_service.count_units_inheriting(session, team=team),
        "members": unit_service.team_members(session, team=team),
        "assign_code": assign_code,
        "assign_errors": assign_errors or {},
        "units_notice": units_notice,
        "next_number": next_number,
        "prefix": next_number.prefix if prefix is None else prefix,
        "prefix_errors": prefix_errors or {},
        "prefix_saved": prefix_saved,
        "prefix_max": numbering.PREFIX_MAX,
    }


def _visible_team(session: Session, principal: Principal, team_id: int) -> Team:
    team = unit_service.get_team(session, team_id=team_id)
    return policies.ensure_can_read_team(principal, team)


def _detail_url(request: Request, team: Team, query: str = "") -> str:
    url = request.url_for("backoffice.teams.detail", team_id=team.id).path
    return f"{url}?{query}" if query else url


NOTICES = {"assigned": "已分配单位。", "removed": "该单位已改为继承上级的监督单位。"}


@router.get("/teams/{team_id}", name="backoffice.teams.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: TeamReader,
    team_id: TeamId,
    saved: Annotated[bool, Query()] = False,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Edit form, 文号 prefix, units supervised (with assignment by code) and the team's staff."""
    team = _visible_team(session, principal, team_id)
    context = _detail_context(
        session,
        principal,
        team,
        saved=saved,
        units_notice=NOTICES.get(done, ""),
        prefix_saved=done == "prefix",
    )
    return render(request, "backoffice/teams/detail.html", context, blocks=["team_form"])


@router.post("/teams/{team_id}", name="backoffice.teams.update")
def update(
    request: Request,
    session: SessionDep,
    principal: TeamEditor,
    team_id: TeamId,
    name: FormText = "",
    kind: FormText = "",
    parent_id: FormText = "",
    phone: FormText = "",
    home_unit_code: FormText = "",
    is_active: FormText = "",
) -> Response:
    team = _visible_team(session, principal, team_id)
    if not policies.can_update_team(principal, team):
        raise PermissionDenied("您没有修改该监督单位的权限")
    form = {
        "name": name,
        "kind": kind,
        "parent_id": parent_id,
        "phone": phone,
        "home_unit_code": home_unit_code,
        "is_active": bool(is_active),
    }
    try:
        unit_service.update_team(
            session,
            team=team,
            actor=principal.user,
            name=name,
            kind=kind,
            parent_id=form_id(parent_id),
            phone=phone,
            home_unit_code=home_unit_code,
            is_active=bool(is_active),
        )
    except ValidationFailed as exc:
        context = _detail_context(session, principal, team, form=form, errors=exc.errors)
        return render(
            request, "backoffice/teams/detail.html", context, blocks=["team_form"], status_code=422
        )
    if is_htmx(request):
        context = _detail_context(session, principal, team, saved=True)
        return render(request, "backoffice/teams/detail.html", context, blocks=["team_form"])
    return redirect(request, _detail_url(request, team, "saved=1"))


@router.post("/teams/{team_id}/prefix", name="backoffice.teams.prefix")
def set_prefix(
    request: Request,
    session: SessionDep,
    principal: TeamEditor,
    team_id: TeamId,
    prefix: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """督办文号前缀 from this year on (admins); one another team uses is refused with 422."""
    team = _visible_team(session, principal, team_id)
    if not policies.can_update_team(principal, team):
        raise PermissionDenied("您没有修改该监督单位的权限")
    assert team.id is not None
    try:
        numbering.set_prefix(session, team_id=team.id, prefix=prefix, actor=principal.user)
    except ValidationFailed as exc:
        context = _detail_context(session, principal, team, prefix=prefix, prefix_errors=exc.errors)
        return render(
            request,
            "backoffice/teams/detail.html",
            context,
            blocks=["team_prefix"],
            status_code=422,
        )
    if is_htmx(request):
        context = _detail_context(session, principal, team, prefix_saved=True)
        return render(request, "backoffice/teams/detail.html", context, blocks=["team_prefix"])
    return redirect(request, _detail_url(request, team, "done=prefix"))


@router.post("/teams/{team_id}/units", name="backoffice.teams.assign_unit")
def assign_unit(
    request: Request,
    session: SessionDep,
    principal: UnitEditor,
    team_id: TeamId,
    code: FormText = "",
) -> Response:
    """Make this team the supervising team of the unit with the code typed in."""
    team = _visible_team(session, principal, team_id)
    try:
        unit = unit_service.get_unit_by_code(session, code=code.strip())
    except NotFound:
        unit = None  # reported as a form error by assign_unit below
    if unit is not None and not policies.can_update_unit(principal, unit):
        raise PermissionDenied("您没有修改该单位的权限")
    try:
        unit_service.assign_unit(session, team=team, code=code, actor=principal.user)
    except ValidationFailed as exc:
        context = _detail_context(
            session, principal, team, assign_code=code, assign_errors=exc.errors
        )
        return render(
            request, "backoffice/teams/detail.html", context, blocks=["team_units"], status_code=422
        )
    if is_htmx(request):
        context = _detail_context(session, principal, team, units_notice=NOTICES["assigned"])
        return render(request, "backoffice/teams/detail.html", context, blocks=["team_units"])
    return redirect(request, _detail_url(request, team, "done=assigned"))


@router.post("/teams/{team_id}/units/{unit_id}/remove", name="backoffice.teams.unassign_unit")
def unassign_unit(
    request: Request,
    session: SessionDep,
    principal: UnitEditor,
    team_id: TeamId,
    unit_id: UnitId,
) -> Response:
    """Let a unit inherit its parent's team again (it leaves this team's list)."""
    team = _visible_team(session, principal, team_id)
    unit = policies.ensure_can_read_unit(principal, unit_service.get_unit(session, unit_id=unit_id))
    if not policies.can_update_unit(principal, unit):
        raise PermissionDenied("您没有修改该单位的权限")
    unit_service.unassign_unit(session, team=team, unit=unit, actor=principal.user)
    if is_htmx(request):
        context = _detail_context(session, principal, team, units_notice=NOTICES["removed"])
        return render(request, "backoffice/teams/detail.html", context, blocks=["team_units"])
    return redirect(request, _detail_url(request, team, "done=removed"))
