"""Render a page or, for htmx requests, only the named blocks; redirect for both."""

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.web.templating import templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    blocks: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """Render the full page, or only `blocks` when the request comes from htmx.

    Fragment blocks are named after the DOM id they replace (`unit_table` → `#unit-table`).
    """
    partial = is_htmx(request) and bool(blocks)
    response = templates.TemplateResponse(
        request,
        template,
        context or {},
        status_code=status_code,
        block_names=list(blocks or []) if partial else [],
    )
    response.headers["Vary"] = "HX-Request"
    return response


def redirect(request: Request, url: str) -> Response:
    """303 for plain forms; HX-Redirect for htmx so the whole page navigates."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
