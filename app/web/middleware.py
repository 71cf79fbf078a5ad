"""Security headers on every response, and the CSRF cookie for clients that lack one."""

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.web.csrf import CSRF_COOKIE

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(*, secure: bool) -> dict[str, str]:
    """The headers every response carries; also for handlers that answer outside the middleware
    (Starlette's ServerErrorMiddleware sends 500s from outside every user middleware)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


class SecurityMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware) so streaming responses stay streaming."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        secure = get_settings().secure_cookies or request.url.scheme == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(secure=secure).items():
                    # A route may set a stricter or different CSP of its own.
                    if name == "Content-Security-Policy":
                        headers.setdefault(name, value)
                    else:
                        headers[name] = value
                token = scope.get("state", {}).get("csrf_token")
                if token and request.cookies.get(CSRF_COOKIE) != token:
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
                    headers.append("Set-Cookie", cookie + ("; Secure" if secure else ""))
            await send(message)

        await self.app(scope, receive, send_with_headers)
