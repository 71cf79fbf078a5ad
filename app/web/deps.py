"""Dependencies: the database session, the signed-in principal, and permission guards."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.account import service as account_service
from app.account.models import User
from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import PermissionDenied
from app.db import get_session
from app.web import sessions

# scope="function": the commit happens before the response is sent, so a failed commit can
# never follow a page that already said "saved".
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class NotAuthenticated(Exception):
    """No valid session cookie (pages) or bearer token (API)."""


# Declared as an OAuth2 scheme so /openapi.json documents how API clients authenticate and the
# "Authorize" button on /docs works; auto_error=False because pages authenticate by cookie.
api_bearer = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    scheme_name="staffToken",
    description="员工用户名和密码换取的 Bearer 令牌（POST /api/v1/auth/token）",
    auto_error=False,
)


def _credentials(request: Request, bearer: str | None) -> tuple[int, int] | None:
    # /api accepts only bearer tokens and pages only the cookie: a cookie riding along on a
    # cross-site request can never authenticate an API call (the API has no CSRF check).
    if request.url.path.startswith("/api/"):
        return sessions.read_api_token(bearer) if bearer else None
    return sessions.read_session(request)


def get_optional_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(api_bearer)],
) -> Principal | None:
    """The signed-in staff member, or None; a stale session version counts as signed out."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    credentials = _credentials(request, bearer)
    if credentials is None:
        return None
    user_id, version = credentials
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    principal = account_service.load_principal(session, user=user)
    request.state.principal = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def get_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    """Guard a route with one permission: 401 when signed out, 403 when not granted.

    The returned dependency carries `required_permission`, which the architecture test uses to
    prove that every /staff and /api route is guarded.
    """

    def guard(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            raise PermissionDenied("您没有执行此操作的权限")
        return principal

    guard.required_permission = permission  # type: ignore[attr-defined]
    guard.__name__ = f"require_{permission.value.replace(':', '_')}"
    return guard


def public_route() -> None:
    """Marks an /api route as deliberately open to citizens (checked by the architecture test)."""


public_route.is_public = True  # type: ignore[attr-defined]

PublicRoute = Depends(public_route)
