"""Signed session cookie for staff, and bearer tokens for the staff API."""

from datetime import timedelta
from typing import Any

import jwt
from fastapi import Request, Response
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from app.account.models import User
from app.config import get_settings
from app.core import clock

SESSION_COOKIE = "xw_session"
_SALT = "xiaowei.session"


class _ClockSigner(TimestampSigner):
    """Timestamps from app.core.clock, so session expiry follows a frozen clock in tests."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=_SALT, signer=_ClockSigner)


def cookie_is_secure(request: Request) -> bool:
    return get_settings().secure_cookies or request.url.scheme == "https"


def start_session(request: Request, response: Response, user: User) -> None:
    """Set the session cookie (HttpOnly, SameSite=Lax, Secure behind HTTPS)."""
    settings = get_settings()
    token = _serializer().dumps({"uid": user.id, "ver": user.session_version})
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
        path="/",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def read_session(request: Request) -> tuple[int, int] | None:
    """Return (user id, session version) from a valid, unexpired cookie."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data: dict[str, Any] = _serializer().loads(
            raw, max_age=get_settings().session_max_age_seconds
        )
        return int(data["uid"]), int(data["ver"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def issue_api_token(user: User) -> tuple[str, int]:
    """A signed bearer token; returns it with its lifetime in seconds."""
    settings = get_settings()
    lifetime = timedelta(minutes=settings.api_token_minutes)
    now = clock.now()
    payload = {
        "sub": str(user.id),
        "ver": user.session_version,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "aud": "xiaowei-api",
    }
    return jwt.encode(payload, settings.secret_key, algorithm="HS256"), int(
        lifetime.total_seconds()
    )


def read_api_token(token: str) -> tuple[int, int] | None:
    """Return (user id, session version) from a valid token that has not expired."""
    try:
        data = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=["HS256"],
            audience="xiaowei-api",
            # Expiry is checked against app.core.clock below, not PyJWT's wall clock.
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "ver"]},
        )
        if int(data["exp"]) <= clock.now().timestamp():
            return None
        return int(data["sub"]), int(data["ver"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
