"""GET /docs — the API reference (Swagger UI) from vendored files: no CDN, no inline script."""

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import PublicRoute

router = APIRouter(tags=["docs"])

SWAGGER_UI_DIR = "vendor/swagger-ui-5.35.0"


@router.get(
    "/docs",
    name="docs.swagger_ui",
    include_in_schema=False,
    dependencies=[PublicRoute],
    response_class=HTMLResponse,
)
def api_docs(request: Request) -> HTMLResponse:
    """The interactive API reference; the spec comes from /openapi.json on this server."""
    title = escape(f"{request.app.title} · 接口文档")

    def static(path: str) -> str:
        return escape(request.app.url_path_for("static", path=path))

    spec_url = escape(request.app.openapi_url or "/openapi.json")
    page = f"""<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">
  <link rel="stylesheet" href="{static(f"{SWAGGER_UI_DIR}/swagger-ui.css")}">
</head>
<body>
  <noscript>
    <p>接口文档需要启用 JavaScript；机器可读的接口说明见 <a href="{spec_url}">{spec_url}</a>。</p>
  </noscript>
  <div id="swagger-ui" data-spec-url="{spec_url}"></div>
  <script src="{static(f"{SWAGGER_UI_DIR}/swagger-ui-bundle.js")}" defer></script>
  <script src="{static("js/api-docs.js")}" defer></script>
</body>
</html>
"""
    # The app-wide CSP (no inline script or style) applies here too; Swagger UI works under it.
    return HTMLResponse(page)
