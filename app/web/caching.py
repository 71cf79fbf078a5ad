"""ETags and Cache-Control for public pages: answer 304 before rendering when nothing changed."""

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache

from fastapi import Request
from fastapi.responses import Response

from app.config import PROJECT_ROOT
from app.web.csrf import csrf_token
from app.web.htmx import is_htmx

# HTML pages carry the visitor's CSRF token (the text-size form and htmx headers of the
# layout), so a shared cache must never hand one visitor's page to another: `private` lets the
# browser keep and revalidate its own copy. Images carry nothing personal and may be shared.
PAGE_CACHE = "private, max-age=60"
# Flowcharts change only when a new version is published; the ETag catches that on revalidation.
IMAGE_CACHE = "public, max-age=3600"
# A QR code depends only on the page address and the unit's name.
QR_CACHE = "public, max-age=86400"

TEXT_SIZE_COOKIE = "xw_text"

# What a deploy may change in the output without any data changing: templates, styles, code.
_BUILD_SOURCES = ("templates", "static/css", "app/web", "app/powerlist", "app/stats")


@cache
def build_id() -> str:
    """A digest of the templates and rendering code, so a deploy never answers 304 with a page
    (or a flowchart) made by the previous release. Computed once per process."""
    digest = hashlib.sha256()
    for folder in _BUILD_SOURCES:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".css", ".py"}:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def fingerprint(*parts: object) -> str:
    """A short, stable digest of everything a response depends on."""
    data = json.dumps(_plain(list(parts)), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def page_etag(request: Request, *parts: object) -> str:
    """A weak ETag for an HTML page or fragment.

    Besides the data (`parts`) it covers what the layout adds per visitor: the CSRF token the
    page embeds (hashed; a visitor whose cookie changed must get a page with the new token),
    the large-text preference, and whether htmx asked for a fragment.
    """
    token_digest = hashlib.sha256(csrf_token(request).encode()).hexdigest()[:16]
    client = [token_digest, request.cookies.get(TEXT_SIZE_COOKIE, ""), is_htmx(request)]
    return f'W/"{fingerprint(build_id(), "page", client, *parts)}"'


def asset_etag(*parts: object) -> str:
    """A strong ETag for an image whose bytes depend only on `parts` and the build."""
    return f'"{fingerprint(build_id(), "asset", *parts)}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches(request: Request, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    return _opaque(etag) in {_opaque(tag) for tag in header.split(",")}


def _vary(existing: str | None, names: Iterable[str]) -> str:
    values = [v.strip() for v in (existing or "").split(",") if v.strip()]
    for name in names:
        if name.lower() not in {v.lower() for v in values}:
            values.append(name)
    return ", ".join(values)


def with_validators(response: Response, *, etag: str, cache_control: str) -> Response:
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = _vary(response.headers.get("Vary"), ["HX-Request"])
    return response


def conditional(
    request: Request, *, etag: str, cache_control: str, build: Callable[[], Response]
) -> Response:
    """304 when the client already has this version; otherwise build the response (only
    then is the rest loaded and the template rendered) and label it with the validators."""
    if matches(request, etag):
        return with_validators(Response(status_code=304), etag=etag, cache_control=cache_control)
    response = build()
    if response.status_code == 200:
        with_validators(response, etag=etag, cache_control=cache_control)
    return response
