"""A short-lived, in-process cache of the statistics' grouped ticket aggregates.

A county-wide year is most of the ticket table, so each aggregate is a full pass over it. Two
layers keep that to at most one pass per (scope, period, formula) and time bucket:

- within a session (one request), a value is computed once for the same key and `now`, so the
  dashboard, the statistics page and the report share it (`session.info`);
- across requests (STATS_CACHE_SECONDS > 0), a process-wide LRU keyed by the value's key, the
  database, a data version and `now` rounded down to STATS_CACHE_SECONDS. The data version is
  (max(ticket.updated_at), max(ticket.id), max(unit.updated_at)) — index lookups — plus a local
  generation bumped by any flush or DML statement touching tickets or units, and by the commit
  or rollback that ends it; so any change shows at once, and time-dependent figures (overdue,
  due) are at most STATS_CACHE_SECONDS old.

Only ticket aggregates are cached; supervision figures are cheap and always counted live.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.config import get_settings
from app.ticket.models import Ticket
from app.unit.models import Unit

T = TypeVar("T")

MAX_ENTRIES = 256
MEMO_KEY = "stats_memo"
DIRTY_KEY = "stats_dirty"
VERSION_KEY = ("data version",)
WATCHED_TABLES = frozenset({"ticket", "unit"})


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.generation = 0
        self.hits = 0
        self.misses = 0


_state = _State()


def clear() -> None:
    """Forget every cached value (tests, or after loading data behind the app's back)."""
    with _state.lock:
        _state.entries.clear()
        _state.generation += 1


def _bump() -> None:
    with _state.lock:
        _state.generation += 1


def _forget_memo(session: OrmSession) -> None:
    session.info.pop(MEMO_KEY, None)


def _touches_watched(session: OrmSession) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table in WATCHED_TABLES:
            return True
    return False


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _flush_context: UOWTransaction, _instances: object) -> None:
    _forget_memo(session)
    if _touches_watched(session):
        session.info[DIRTY_KEY] = True


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _flush_context: UOWTransaction) -> None:
    if session.info.pop(DIRTY_KEY, False):
        _bump()
        session.connection().info[DIRTY_KEY] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in WATCHED_TABLES:
        return
    _forget_memo(state.session)
    _bump()
    state.session.connection().info[DIRTY_KEY] = True


@event.listens_for(Engine, "commit")
def _on_commit(connection: Connection) -> None:
    if connection.info.pop(DIRTY_KEY, False):
        _bump()


@event.listens_for(Engine, "rollback")
def _on_rollback(connection: Connection) -> None:
    if connection.info.pop(DIRTY_KEY, False):
        _bump()


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    _forget_memo(session)


def _data_version(session: Session) -> tuple[Any, ...]:
    """Cheap: each max() is its own statement so that it is one index lookup (SQLite only
    optimises a lone min()/max()); asked once per session (request)."""
    memo = cast(dict[Hashable, Any], session.info.setdefault(MEMO_KEY, {}))
    if VERSION_KEY not in memo:
        memo[VERSION_KEY] = tuple(
            session.execute(select(func.max(column))).scalar_one()
            for column in (col(Ticket.updated_at), col(Ticket.id), col(Unit.updated_at))
        )
    return cast(tuple[Any, ...], memo[VERSION_KEY])


def cached(session: Session, key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
    """compute() once per (key, now) in this session, and once per (key, data version, time
    bucket) in this process while STATS_CACHE_SECONDS > 0."""
    memo = cast(dict[Hashable, Any], session.info.setdefault(MEMO_KEY, {}))
    if (key, now) in memo:
        return cast(T, memo[(key, now)])
    seconds = get_settings().stats_cache_seconds
    if seconds <= 0:
        value = compute()
        memo[(key, now)] = value
        return value
    generation = _state.generation
    bind = session.get_bind()
    bucket = int(now.timestamp()) // seconds
    full_key = (str(bind.engine.url), key, generation, _data_version(session), bucket)
    with _state.lock:
        if full_key in _state.entries:
            _state.entries.move_to_end(full_key)
            _state.hits += 1
            value = cast(T, _state.entries[full_key])
            memo[(key, now)] = value
            return value
        _state.misses += 1
    value = compute()
    memo[(key, now)] = value
    with _state.lock:
        # A write since we started may have made the value stale: then do not keep it.
        if _state.generation == generation:
            _state.entries[full_key] = value
            _state.entries.move_to_end(full_key)
            while len(_state.entries) > MAX_ENTRIES:
                _state.entries.popitem(last=False)
    return value


def stats() -> tuple[int, int, int]:
    """(entries, hits, misses) — for the benchmark."""
    with _state.lock:
        return len(_state.entries), _state.hits, _state.misses
