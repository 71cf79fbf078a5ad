"""The one source of the current time, so tests can freeze it instead of sleeping."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return _now()


def today_local() -> date:
    """Return today's date in Asia/Shanghai (deadlines and numbering count in local days)."""
    return now().astimezone(LOCAL_TZ).date()


def to_local(moment: datetime) -> datetime:
    """Convert a stored time (UTC; naive values are taken as UTC) to Asia/Shanghai."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Make now() return `moment` inside the block (tests and the demo seeder)."""
    global _now
    previous = _now
    fixed = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    _now = lambda: fixed  # noqa: E731
    try:
        yield
    finally:
        _now = previous
