"""Database engine (SQLite in WAL mode or PostgreSQL), naming convention, sessions."""

from collections.abc import Iterator
from functools import cache
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

import app.core.dbtypes  # noqa: F401  (sets the naming convention before any table exists)
from app.config import get_settings

metadata: MetaData = SQLModel.metadata


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection,
    PostgreSQL connections run without JIT compilation."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No JIT: compiling the statistics' many CASE expressions took ~0.1 s per query, more than
    # the query itself once the tally keeps every query short (app.stats.tally).
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        connect_args={"options": "-c jit=off"},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINTs and transactional DDL work (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


@cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured DATABASE_URL."""
    settings = get_settings()
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


def get_session() -> Iterator[Session]:
    """Yield a session; commit when the caller finishes cleanly, roll back otherwise."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
