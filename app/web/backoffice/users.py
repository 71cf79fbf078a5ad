"""/staff/users — staff accounts and roles (admin only); /staff/account — own password."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account import service as account_service
from app.account.models import User
from app.account.permissions import ROLE_LABELS, Permission, Role
from app.account.service import Principal
from app.core import clock
from app.core.errors import Conflict, ValidationFailed
from app.web import sessions
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

CanRead = Annotated[Principal, Depends(require(Permission.USER_READ))]
CanCreate = Annotated[Principal, Depends(require(Permission.USER_CREATE))]
CanUpdate = Annotated[Principal, Depends(require(Permission.USER_UPDATE))]
CanChangeOwn = Annotated[Principal, Depends(require(Permission.ACCOUNT_SELF))]
# Bounds the request body; the services give the precise zh-CN limits.
Text = Annotated[str, Form(max_length=200)]

STATUS_FILTERS = {"active", "inactive", "locked"}


def _role_options() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS[role]) for role in Role]


def _team_options(session: Session) -> list[tuple[int, str]]:
    return [
        (team.id, team.name)
        for team in account_service.assignable_teams(session)
        if team.id is not None
    ]


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


# --- List ------------------------------------------------------------------------------------


@router.get("/users", name="backoffice.users.index")
def index(
    request: Request,
    session: SessionDep,
    principal: CanRead,
    q: str = "",
    role: str = "",
    status: str = "",
    page: int = 1,
) -> Response:
    role_filter = Role(role) if role in {r.value for r in Role} else None
    status = status if status in STATUS_FILTERS else ""
    active: bool | None = None
    locked: bool | None = None
    if status == "active":
        active, locked = True, False
    elif status == "inactive":
        active = False
    elif status == "locked":
        active, locked = True, True
    users = account_service.list_users(
        session,
        visible_to=principal,
        query=q[:50],
        role=role_filter,
        active=active,
        locked=locked,
        page=page,
    )
    filters = {"q": q, "role": role_filter.value if role_filter else "", "status": status}
    context = {
        "principal": principal,
        "users": users,
        "memberships": account_service.memberships_by_user(
            session, user_ids=[user.id for user in users.items if user.id is not None]
        ),
        "filters": filters,
        "pager_params": "&" + urlencode({k: v for k, v in filters.items() if v})
        if any(filters.values())
        else "",
        "role_options": _role_options(),
        "now": clock.now(),
    }
    return render(request, "backoffice/users/index.html", context, blocks=["user_table"])


# --- Create ----------------------------------------------------------------------------------


def _new_form(
    request: Request,
    session: SessionDep,
    principal: Principal,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "principal": principal,
        "form": form,
        "errors": errors,
        "role_options": _role_options(),
        "team_options": _team_options(session),
    }
    return render(
        request, "backoffice/users/new.html", context, blocks=["user_form"], status_code=status_code
    )


@router.get("/users/new", name="backoffice.users.new")
def new(request: Request, session: SessionDep, principal: CanCreate) -> Response:
    form = {"role": Role.UNIT_EDITOR.value, "include_descendants": False}
    return _new_form(request, session, principal, form, {})


@router.post("/users/new", name="backoffice.users.create")
def create(
    request: Request,
    session: SessionDep,
    principal: CanCreate,
    username: Text = "",
    display_name: Text = "",
    phone: Text = "",
    password: Text = "",
    role: Text = "",
    unit_code: Text = "",
    team_id: Text = "",
    include_descendants: Text = "",
) -> Response:
    try:
        user = account_service.create_user_with_role(
            session,
            username=username,
            password=password,
            display_name=display_name,
            phone=phone,
            role=role,
            unit_code=unit_code,
            team_id=_int_or_none(team_id),
            include_descendants=bool(include_descendants),
            actor=principal.user,
        )
    except ValidationFailed as exc:
        # The password is not echoed back: the browser would keep it in the page source.
        form = {
            "username": username,
            "display_name": display_name,
            "phone": phone,
            "role": role,
            "unit_code": unit_code,
            "team_id": team_id,
            "include_descendants": bool(include_descendants),
        }
        return _new_form(request, session, principal, form, exc.errors, status_code=422)
    return redirect(request, _detail_url(request, user, done="created"))


# --- Detail and changes ----------------------------------------------------------------------


def _detail_url(request: Request, user: User, *, done: str = "") -> str:
    url = str(request.url_for("backoffice.users.detail", user_id=user.id).path)
    return f"{url}?done={done}" if done else url


def _detail(
    request: Request,
    session: Session,
    principal: Principal,
    user: User,
    *,
    blocks: list[str] | None = None,
    status_code: int = 200,
    **overrides: Any,
) -> Response:
    assert user.id is not None
    context: dict[str, Any] = {
        "principal": principal,
        "user": user,
        "locked": account_service.is_locked(user),
        "memberships": account_service.memberships_by_user(session, user_ids=[user.id])[user.id],
        "role_options": _role_options(),
        "team_options": _team_options(session),
        "profile": {"display_name": user.display_name, "phone": user.phone},
        "profile_errors": {},
        "profile_saved": False,
        "grant": {"role": Role.UNIT_EDITOR.value, "include_descendants": False},
        "grant_errors": {},
        "membership_error": "",
        "membership_notice": "",
        "password_errors": {},
        "status_error": "",
        "done": request.query_params.get("done", ""),
        "is_self": user.id == principal.user.id,
        "can_update": principal.can(Permission.USER_UPDATE),
    }
    context.update(overrides)
    return render(
        request,
        "backoffice/users/detail.html",
        context,
        blocks=blocks,
        status_code=status_code,
    )


@router.get("/users/{user_id}", name="backoffice.users.detail")
def detail(request: Request, session: SessionDep, principal: CanRead, user_id: int) -> Response:
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    return _detail(request, session, principal, user, blocks=["user_memberships"])


@router.post("/users/{user_id}/profile", name="backoffice.users.update")
def update(
    request: Request,
    session: SessionDep,
    principal: CanUpdate,
    user_id: int,
    display_name: Text = "",
    phone: Text = "",
) -> Response:
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    try:
        account_service.update_user(
            session, user=user, display_name=display_name, phone=phone, actor=principal.user
        )
    except ValidationFailed as exc:
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_profile"],
            status_code=422,
            profile={"display_name": display_name, "phone": phone},
            profile_errors=exc.errors,
        )
    if is_htmx(request):
        return _detail(
            request, session, principal, user, blocks=["user_profile"], profile_saved=True
        )
    return redirect(request, _detail_url(request, user, done="saved"))


@router.post("/users/{user_id}/memberships", name="backoffice.users.add_membership")
def add_membership(
    request: Request,
    session: SessionDep,
    principal: CanUpdate,
    user_id: int,
    role: Text = "",
    unit_code: Text = "",
    team_id: Text = "",
    include_descendants: Text = "",
) -> Response:
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    try:
        account_service.grant_role(
            session,
            user=user,
            role=role,
            unit_code=unit_code,
            team_id=_int_or_none(team_id),
            include_descendants=bool(include_descendants),
            actor=principal.user,
        )
    except ValidationFailed as exc:
        grant = {
            "role": role,
            "unit_code": unit_code,
            "team_id": team_id,
            "include_descendants": bool(include_descendants),
        }
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_memberships"],
            status_code=422,
            grant=grant,
            grant_errors=exc.errors,
        )
    if is_htmx(request):
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_memberships"],
            membership_notice="已添加角色",
        )
    return redirect(request, _detail_url(request, user, done="role_granted"))


@router.post(
    "/users/{user_id}/memberships/{membership_id}/delete",
    name="backoffice.users.remove_membership",
)
def remove_membership(
    request: Request, session: SessionDep, principal: CanUpdate, user_id: int, membership_id: int
) -> Response:
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    membership = account_service.get_membership(session, user=user, membership_id=membership_id)
    try:
        account_service.remove_membership(session, membership=membership, actor=principal.user)
    except Conflict as exc:
        # 422, not 409, so htmx swaps the list in and the message is seen where it was asked.
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_memberships"],
            status_code=422,
            membership_error=exc.message,
        )
    if is_htmx(request):
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_memberships"],
            membership_notice="已撤销角色",
        )
    return redirect(request, _detail_url(request, user, done="role_revoked"))


@router.post("/users/{user_id}/password", name="backoffice.users.reset_password")
def reset_password(
    request: Request,
    session: SessionDep,
    principal: CanUpdate,
    user_id: int,
    new_password: Text = "",
) -> Response:
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    try:
        account_service.reset_password(
            session, user=user, new_password=new_password, actor=principal.user
        )
    except ValidationFailed as exc:
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_password"],
            status_code=422,
            password_errors=exc.errors,
        )
    response = redirect(request, _detail_url(request, user, done="password_reset"))
    if user.id == principal.user.id:
        # Resetting one's own password should not sign oneself out mid-task.
        sessions.start_session(request, response, user)
    return response


def _status_change(
    request: Request, session: Session, principal: Principal, user_id: int, action: str
) -> Response:
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    change = {
        "deactivated": account_service.deactivate_user,
        "reactivated": account_service.reactivate_user,
        "unlocked": account_service.unlock_user,
    }[action]
    try:
        change(session, user=user, actor=principal.user)
    except Conflict as exc:
        return _detail(
            request,
            session,
            principal,
            user,
            blocks=["user_status"],
            status_code=422,
            status_error=exc.message,
        )
    return redirect(request, _detail_url(request, user, done=action))


@router.post("/users/{user_id}/deactivate", name="backoffice.users.deactivate")
def deactivate(
    request: Request, session: SessionDep, principal: CanUpdate, user_id: int
) -> Response:
    return _status_change(request, session, principal, user_id, "deactivated")


@router.post("/users/{user_id}/reactivate", name="backoffice.users.reactivate")
def reactivate(
    request: Request, session: SessionDep, principal: CanUpdate, user_id: int
) -> Response:
    return _status_change(request, session, principal, user_id, "reactivated")


@router.post("/users/{user_id}/unlock", name="backoffice.users.unlock")
def unlock(request: Request, session: SessionDep, principal: CanUpdate, user_id: int) -> Response:
    return _status_change(request, session, principal, user_id, "unlocked")


# --- One's own password ----------------------------------------------------------------------


@router.get("/account/password", name="backoffice.account.password")
def own_password_form(request: Request, principal: CanChangeOwn) -> Response:
    context = {"principal": principal, "errors": {}, "done": request.query_params.get("done")}
    return render(request, "backoffice/users/own_password.html", context, blocks=["password_form"])


@router.post("/account/password", name="backoffice.account.change_password")
def change_own_password(
    request: Request,
    session: SessionDep,
    principal: CanChangeOwn,
    current_password: Text = "",
    new_password: Text = "",
    confirm: Text = "",
) -> Response:
    try:
        account_service.change_own_password(
            session,
            user=principal.user,
            current_password=current_password,
            new_password=new_password,
            confirm=confirm,
        )
    except ValidationFailed as exc:
        context = {"principal": principal, "errors": exc.errors, "done": None}
        return render(
            request,
            "backoffice/users/own_password.html",
            context,
            blocks=["password_form"],
            status_code=422,
        )
    url = str(request.url_for("backoffice.account.password").path) + "?done=1"
    response = redirect(request, url)
    # The version bump signed out every other browser; this one gets a fresh cookie.
    sessions.start_session(request, response, principal.user)
    return response
