"""Shared helpers for the staff ticket pages, the ticket API and the permission matrix."""

from typing import Any
from urllib.parse import urlsplit

from app.web import sessions
from tests.html import parse

HTMX = {"HX-Request": "true"}


def fragment_root(response: Any) -> Any:
    """The first element of an htmx fragment, which must not be a whole page."""
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page.find(True)


def local(href: str) -> str:
    """The path and query of a link (url_for writes absolute URLs)."""
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page(number: str) -> str:
    return f"/staff/tickets/{number}"


def bearer(user: Any) -> dict[str, str]:
    """The Authorization header of a real API token for `user`, issued as POST
    /api/v1/auth/token would (without its deliberately slow password check)."""
    access_token, _lifetime = sessions.issue_api_token(user)
    return {"Authorization": f"Bearer {access_token}"}


def post_form(
    client: Any, url: str, csrf: str | None, data: dict[str, Any] | None = None, **kw: Any
) -> Any:
    """POST a form the way the page does: the CSRF token as a hidden field (None: left out)."""
    body = dict(data or {})
    if csrf is not None:
        body["csrf_token"] = csrf
    return client.post(url, data=body, **kw)
