"""Security headers on pages, static files and errors; templates and static files that the CSP
and an offline intranet can live with (no inline script or style, no external URLs)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
STATIC = PROJECT_ROOT / "static"


def assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers["content-security-policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/search?q=%E4%BA%94%E4%B8%B0", 200),
        ("/login", 200),
        ("/static/css/app.css", 200),
        ("/static/js/app.js", 200),
        ("/static/img/favicon.svg", 200),
        ("/no-such-page", 404),
        ("/units/000000000000", 404),
        ("/search?page=x", 422),
    ],
)
def test_headers_on_pages_static_files_and_errors(client, path, status):
    response = client.get(path)

    assert response.status_code == status
    assert_security_headers(response)


def test_headers_on_a_refused_post(client):
    response = client.post("/prefs/text-size", data={"size": "large"})

    assert response.status_code == 403
    assert_security_headers(response)


@pytest.fixture
def broken_client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-only/explode-headers", explode, methods=["GET"])
    route = app.router.routes[-1]
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        app.router.routes.remove(route)


def test_headers_on_a_server_error(broken_client):
    response = broken_client.get("/test-only/explode-headers")

    assert response.status_code == 500
    assert_security_headers(response)


# --- what the CSP and an offline intranet require of the files themselves ---------------------


def _files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    # static/vendor holds third-party bundles as released; the CSP's connect-src 'self' is what
    # keeps them from calling out, and our own files are checked here.
    return sorted(p for p in root.rglob("*") if p.suffix in suffixes and "vendor" not in p.parts)


TEMPLATE_FILES = _files(TEMPLATES, (".html",))
STATIC_FILES = _files(STATIC, (".css", ".js", ".svg", ".html"))

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
EXTERNAL_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[/\w.-]*", re.IGNORECASE)
# XML namespace names are identifiers, not addresses anything fetches.
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


def test_there_are_templates_and_static_files_to_check():
    assert len(TEMPLATE_FILES) >= 8
    assert STATIC / "css" / "app.css" in STATIC_FILES


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_inline_script_or_style(path):
    source = path.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(source), "inline <script> (CSP: script-src 'self')"
    assert not STYLE_ELEMENT.search(source), "<style> element (CSP: style-src 'self')"
    assert not STYLE_ATTRIBUTE.search(source), "style=\"\" attribute (CSP: style-src 'self')"
    assert not EVENT_HANDLER.search(source), "inline event handler (CSP forbids it)"
    assert not JAVASCRIPT_URL.search(source), "javascript: URL"


@pytest.mark.parametrize(
    "path",
    TEMPLATE_FILES + STATIC_FILES,
    ids=lambda p: str(p.relative_to(PROJECT_ROOT)),
)
def test_no_external_urls(path):
    source = path.read_text(encoding="utf-8")
    for namespace in NAMESPACES:
        source = source.replace(namespace, "")

    found = EXTERNAL_URL.findall(source)

    assert found == [], "government intranets have no internet: vendor it instead"


def test_the_scan_catches_what_it_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert STYLE_ATTRIBUTE.search('<p style="color:red">')
    assert EVENT_HANDLER.search('<a onclick="x()">')
    assert EVENT_HANDLER.search('<a hx-on:click="x()">')
    assert EXTERNAL_URL.search('<link href="https://cdn.example.com/x.css">')
    assert EXTERNAL_URL.search("url(//fonts.example.org/a.woff2)")
    assert not EXTERNAL_URL.search("<p>请拨打 0574-12388</p>")
