"""app.web.ratelimit — the sliding window, the hashed client key, the proxy header, 429s."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import HTTPException
from starlette.requests import Request

from app.config import get_settings, rate_limit
from app.core import clock
from app.web import ratelimit
from app.web.ratelimit import SlidingWindowLimiter

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def request(host: str = "203.0.113.7", forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request(
        {"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (host, 5000)}
    )


def limiter(maximum: int = 3, window: int = 60) -> SlidingWindowLimiter:
    return SlidingWindowLimiter("test", lambda: (maximum, window))


def test_allows_the_limit_then_says_how_long_to_wait():
    counter = limiter(3, 60)
    with clock.frozen(START):
        assert [counter.hit("a") for _ in range(3)] == [None, None, None]
        assert counter.hit("a") == 60


def test_the_window_slides():
    counter = limiter(2, 60)
    with clock.frozen(START):
        counter.hit("a")
    with clock.frozen(START + timedelta(seconds=30)):
        counter.hit("a")
        assert counter.hit("a") == 30  # the first hit leaves the window in 30 s
    with clock.frozen(START + timedelta(seconds=61)):
        assert counter.hit("a") is None  # the first has left; the second is still in
        assert counter.hit("a") is not None


def test_refused_requests_do_not_extend_the_wait():
    counter = limiter(1, 60)
    with clock.frozen(START):
        counter.hit("a")
        for _ in range(5):
            counter.hit("a")
    with clock.frozen(START + timedelta(seconds=60)):
        assert counter.hit("a") is None


def test_clients_are_counted_separately():
    counter = limiter(1, 60)
    with clock.frozen(START):
        assert counter.hit("a") is None
        assert counter.hit("b") is None
        assert counter.hit("a") is not None


def test_memory_is_bounded_by_forgetting_the_least_recent_clients(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 2)
    counter = limiter(1, 60)
    with clock.frozen(START):
        for key in ("a", "b", "c"):
            counter.hit(key)
        assert counter.hit("a") is None  # "a" was forgotten to make room for "c"
        assert counter.hit("c") is not None


def test_the_client_key_is_a_hash_never_the_address():
    key = ratelimit.client_key(request("203.0.113.7"))

    assert "203.0.113.7" not in key
    assert len(key) == 32
    assert key == ratelimit.client_key(request("203.0.113.7"))
    assert key != ratelimit.client_key(request("203.0.113.8"))


def test_forwarded_header_is_ignored_unless_the_proxy_is_trusted(monkeypatch):
    spoofed = request("10.0.0.1", forwarded="198.51.100.1")

    assert ratelimit.client_address(spoofed) == "10.0.0.1"

    monkeypatch.setattr(get_settings(), "trust_proxy_headers", True)
    behind_proxy = request("10.0.0.1", forwarded="198.51.100.1, 10.0.0.2")
    assert ratelimit.client_address(behind_proxy) == "198.51.100.1"
    assert ratelimit.client_address(request("10.0.0.1")) == "10.0.0.1"


def test_enforce_answers_429_with_retry_after(monkeypatch):
    counter = limiter(1, 3600)
    with clock.frozen(START):
        ratelimit.enforce(counter, request(), "提交")
        with pytest.raises(HTTPException) as caught:
            ratelimit.enforce(counter, request(), "提交")

    assert caught.value.status_code == 429
    assert caught.value.headers == {"Retry-After": "3600"}
    assert "提交过于频繁，请 1 小时后再试" in caught.value.detail


def test_remembered_keys_never_contain_addresses():
    counter = limiter(5, 60)
    ratelimit.enforce(counter, request("192.0.2.44"), "查询")

    assert all("192.0.2.44" not in key for key in counter._hits)


def test_the_complaint_limit_comes_from_settings():
    configured = rate_limit(get_settings().complaint_rate_limit)
    assert ratelimit.COMPLAINTS.limit() == configured
    assert ratelimit.TRACKING.limit() == (10, 3600)


def test_upload_limit_allows_every_file_at_full_size():
    settings = get_settings()
    expected = settings.max_attachments * settings.max_attachment_bytes
    assert ratelimit.upload_limit() == expected + ratelimit.BODY_MARGIN_BYTES
