"""Turn domain errors and HTTP errors into zh-CN pages, fragments or JSON."""

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.config import get_settings
from app.core.errors import DomainError, ValidationFailed
from app.web.deps import NotAuthenticated
from app.web.htmx import is_htmx, redirect
from app.web.middleware import security_headers
from app.web.templating import templates

logger = logging.getLogger("xiaowei.web")

TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限",
    404: "页面不存在",
    405: "请求方式不被允许",
    409: "操作无法完成",
    422: "提交的内容有误",
    429: "操作过于频繁",
    500: "系统出错了",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status_code: int, message: str = "") -> Response:
    """A JSON error for the API; otherwise the zh-CN error page (or just its box for htmx)."""
    title = TITLES.get(status_code, "出错了")
    if _is_api(request):
        return JSONResponse({"detail": message or title}, status_code=status_code)
    response = templates.TemplateResponse(
        request,
        "errors/error.html",
        {"status_code": status_code, "title": title, "message": message},
        status_code=status_code,
        block_names=["error_box"] if is_htmx(request) else [],
    )
    response.headers["Vary"] = "HX-Request"
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": "未登录或令牌已失效"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"/login?next={quote(target)}")

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        if _is_api(request) and isinstance(exc, ValidationFailed):
            return JSONResponse(
                {"detail": exc.message, "errors": exc.errors}, status_code=exc.status_code
            )
        return error_response(request, exc.status_code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
        response = error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": "请求参数有误", "errors": jsonable_errors(exc)}, status_code=422
            )
        return error_response(request, 422, "请求参数有误，请检查后重试")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        response = error_response(request, 500, "请稍后再试；如果问题持续，请联系系统管理员。")
        # Starlette sends this response from outside every middleware, so add the headers here.
        secure = get_settings().secure_cookies or request.url.scheme == "https"
        response.headers.update(security_headers(secure=secure))
        return response


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    return [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]
