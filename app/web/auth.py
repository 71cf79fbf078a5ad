"""Staff sign-in and sign-out pages."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.account import service as account_service
from app.core.errors import AuthenticationFailed
from app.web import sessions
from app.web.deps import OptionalPrincipal, SessionDep
from app.web.htmx import redirect, render

router = APIRouter(tags=["auth"])


def safe_next(target: str | None) -> str:
    """Only same-site absolute paths; anything else goes to the dashboard (no open redirect).

    Browsers treat `//host`, `/\\host` and paths with control characters or whitespace
    (which they strip) as other sites, so all of those are refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/staff"
    if "\\" in target or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/staff"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/staff"
    return target


@router.get("/login", name="auth.login_form")
def login_form(request: Request, principal: OptionalPrincipal, next: str = "") -> Response:
    if principal is not None:
        return redirect(request, safe_next(next))
    return render(
        request, "auth/login.html", {"next": safe_next(next), "error": "", "username": ""}
    )


@router.post("/login", name="auth.login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=50)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        user = account_service.authenticate(session, username=username, password=password)
    except AuthenticationFailed as exc:
        # Commit the failure count even though the answer is an error page.
        session.commit()
        return render(
            request,
            "auth/login.html",
            {"next": safe_next(next), "error": exc.message, "username": username},
            blocks=["login_form"],
            status_code=422,
        )
    response = redirect(request, safe_next(next))
    sessions.start_session(request, response, user)
    return response


@router.post("/logout", name="auth.logout")
def logout(request: Request, session: SessionDep, principal: OptionalPrincipal) -> Response:
    if principal is not None:
        account_service.log_out(session, user=principal.user)
    response = redirect(request, "/login")
    sessions.end_session(response)
    return response
