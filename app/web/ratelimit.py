"""Limits on the public submission routes: per-client sliding-window rate limits, body size.

Rate limits count requests per client in memory, PER PROCESS: with N uvicorn workers a client
may get up to N times the limit, and a restart forgets every count. That is enough to slow
down a script filing complaints or guessing receipt codes; a shared store (Redis …) would be
the next step if a county ever needs exact limits across workers.

The client is identified by a keyed hash of its network address only. The key is random and
lives in this process's memory, so the address itself is never stored anywhere (§9) and the
hashes cannot be turned back into addresses by hashing the whole IPv4 space.
"""

import hashlib
import hmac
import math
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.types import Message

from app.config import get_settings, rate_limit
from app.core import clock

# Re-generated on every start: hashes from one process mean nothing to another or to anyone
# reading a memory dump later.
_HASH_KEY = secrets.token_bytes(32)
# Memory stays bounded however many addresses a flood uses: the least recently seen clients
# are forgotten first (they are the least likely to be near their limit).
MAX_CLIENTS = 50_000


def client_address(request: Request) -> str:
    """The address to count a request against.

    With TRUST_PROXY_HEADERS the first hop of X-Forwarded-For (the client as the reverse proxy
    saw it); the proxy must SET that header (nginx: `proxy_set_header X-Forwarded-For
    $remote_addr;`), not append to one the client sent, or a client could pick its own bucket.
    """
    if get_settings().trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",", 1)[0].strip()
        if first:
            return first
    return request.client.host if request.client is not None else "unknown"


def client_key(request: Request) -> str:
    """A keyed hash of the client's address: what the limiters remember instead of it."""
    address = client_address(request).encode()
    return hmac.new(_HASH_KEY, address, hashlib.sha256).hexdigest()[:32]


@dataclass
class SlidingWindowLimiter:
    """At most `limit()[0]` hits per client in any `limit()[1]` seconds.

    `limit` is a callable so the setting is read when used (tests replace it with
    monkeypatch.setattr(limiter, "limit", lambda: (2, 3600)) instead of touching the cached
    settings).
    """

    name: str
    limit: Callable[[], tuple[int, int]]
    _hits: "OrderedDict[str, deque[float]]" = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hit(self, key: str) -> int | None:
        """Count one request; None when allowed, else the seconds until the next is allowed."""
        maximum, window = self.limit()
        now = clock.now().timestamp()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - window:
                hits.popleft()
            self._hits[key] = hits  # (re)inserted last: most recently seen
            if len(hits) >= maximum:
                return max(1, math.ceil(hits[0] + window - now))
            hits.append(now)
            while len(self._hits) > MAX_CLIENTS:
                self._hits.popitem(last=False)
            return None

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


def _complaint_limit() -> tuple[int, int]:
    return rate_limit(get_settings().complaint_rate_limit)


# Receipt codes have 10^16 values; 10 guesses an hour per client makes guessing hopeless while
# a citizen who mistypes a few times is never stopped.
TRACK_RATE_LIMIT = "10/hour"

COMPLAINTS = SlidingWindowLimiter("complaints", _complaint_limit)
TRACKING = SlidingWindowLimiter("tracking", lambda: rate_limit(TRACK_RATE_LIMIT))
LIMITERS = (COMPLAINTS, TRACKING)


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)} 分钟"
    return f"{math.ceil(seconds / 3600)} 小时"


def enforce(limiter: SlidingWindowLimiter, request: Request, what: str) -> None:
    """Count this request; 429 (zh-CN page, or JSON under /api) with Retry-After when over."""
    retry_after = limiter.hit(client_key(request))
    if retry_after is not None:
        raise HTTPException(
            status_code=429,
            detail=(
                f"{what}过于频繁，请 {_wait_text(retry_after)}后再试。"
                "情况紧急的，请直接拨打单位页面公布的监督电话。"
            ),
            headers={"Retry-After": str(retry_after)},
        )


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def rate_limited(limiter: SlidingWindowLimiter, what: str) -> Callable[[Endpoint], Endpoint]:
    """Mark an endpoint of an UploadLimitRoute router as counted by `limiter` (`what` names the
    action in the 429 message: 提交, 查询 …). Place it below the @router.post decorator."""

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.rate_limit = (limiter, what)  # type: ignore[attr-defined]
        return endpoint

    return mark


# --- Request body size ------------------------------------------------------------------------

# Room for the text fields and multipart boundaries next to the largest allowed files.
BODY_MARGIN_BYTES = 512 * 1024


def upload_limit() -> int:
    """The largest request body an upload route accepts: every allowed file at full size."""
    settings = get_settings()
    return settings.max_attachments * settings.max_attachment_bytes + BODY_MARGIN_BYTES


def too_large_message() -> str:
    settings = get_settings()
    size = settings.max_attachment_bytes / (1024 * 1024)
    return (
        f"提交的内容过大：最多 {settings.max_attachments} 个附件，每个不超过 {size:g} MB。"
        "请减少或压缩附件后重新提交（已选择的附件需要重新选择）。"
    )


class UploadLimitRoute(APIRoute):
    """An APIRoute that counts the endpoint's rate limit (see rate_limited) and refuses an
    oversized body with 413, both before anything reads the body.

    It has to act here, ahead of every dependency: the app-wide CSRF check and FastAPI's form
    parameters parse the whole multipart body (spooling uploads to disk) before a route's own
    code or its dependencies run, so a limit checked there would come after the cost. A
    declared Content-Length over the limit is refused at once; a chunked body is counted as it
    arrives.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        rate_limit_of: tuple[SlidingWindowLimiter, str] | None = getattr(
            self.endpoint, "rate_limit", None
        )

        async def limited(request: Request) -> Response:
            if rate_limit_of is not None:
                enforce(rate_limit_of[0], request, rate_limit_of[1])
            limit = upload_limit()
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise HTTPException(status_code=413, detail=too_large_message())
            # Starlette reads the body through request._receive; count what passes.
            request._receive = _counting(request.receive, limit)
            return await handler(request)

        return limited


def _counting(receive: Callable[[], Awaitable[Message]], limit: int) -> Callable[[], Any]:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(status_code=413, detail=too_large_message())
        return message

    return counted
