"""Fixtures for the outbox tests: sessions the worker can commit in, fake gateways."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import get_settings
from app.db import get_engine
from app.notify.senders import SendError
from tests.conftest import drop_database, migrate, new_database_url


@pytest.fixture
def session_factory(session: Session) -> Callable[[], Session]:
    """Sessions on the test's own connection: the worker's commits become savepoints, so
    everything still rolls back after the test."""
    connection = session.connection()

    def factory() -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return factory


@pytest.fixture
def fresh_db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A new migrated database that the app (and the CLI) use for real, dropped afterwards."""
    url = new_database_url()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    inspector = create_engine(url)
    try:
        yield inspector
    finally:
        inspector.dispose()
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
        drop_database(url)


@dataclass
class Delivered:
    to: str
    subject: str
    body: str
    message_id: int


@dataclass
class RecordingSender:
    """A gateway that accepts everything (test double for an external service)."""

    sent: list[Delivered] = field(default_factory=list)

    def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
        self.sent.append(Delivered(to, subject, body, message_id))


@dataclass
class FailingSender:
    """A gateway that is down (or, with permanent=True, refuses the recipient)."""

    error: str = "网关超时"
    permanent: bool = False
    calls: int = 0

    def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
        self.calls += 1
        raise SendError(self.error, permanent=self.permanent)
