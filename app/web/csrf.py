"""CSRF protection: a random token in a cookie, echoed in a form field or an htmx header."""

import secrets

from fastapi import Request

from app.core.errors import PermissionDenied

CSRF_COOKIE = "xw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def csrf_token(request: Request) -> str:
    """The token for this client, creating one (the middleware sets the cookie) when absent."""
    token: str | None = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return token


def is_csrf_exempt(request: Request) -> bool:
    # The JSON API authenticates with bearer tokens, never with cookies, so a forged
    # cross-site request has no credentials to ride on.
    return request.url.path.startswith("/api/")


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request whose token does not match the cookie."""
    if request.method in SAFE_METHODS or is_csrf_exempt(request):
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if not sent and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise PermissionDenied("页面已过期或请求来源无效，请刷新页面后重试")
