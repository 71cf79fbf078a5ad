"""Test wiring: a migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a rolled-back transaction per test, a client, and signed-in clients per role."""

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Settings must be in place before anything imports the app.
_VAR_DIR = Path(tempfile.mkdtemp(prefix="xiaowei-test-"))
os.environ["ENVIRONMENT"] = "test"
os.environ["VAR_DIR"] = str(_VAR_DIR)
os.environ["SECRET_KEY"] = "test-secret-key-that-is-long-enough-0123456789"
os.environ.pop("DATABASE_URL", None)

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.config import get_settings  # noqa: E402
from app.db import get_session, make_engine  # noqa: E402
from tests import factories  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _create_postgres_database(url: str) -> str:
    """Create a fresh database next to the one named in TEST_DATABASE_URL and return its URL."""
    base = make_url(url)
    name = f"xiaowei_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def new_database_url() -> str:
    """A fresh, empty database of the kind this run tests (used by the suite and e2e tests)."""
    if TEST_DATABASE_URL:
        return _create_postgres_database(TEST_DATABASE_URL)
    return f"sqlite:///{_VAR_DIR / f'test-{uuid.uuid4().hex[:8]}.db'}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        _drop_postgres_database(url)


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from app.config import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@contextmanager
def own_database() -> Iterator[Engine]:
    """An engine on a new migrated database of its own, for tests whose sessions commit for
    real (concurrency); dropped afterwards."""
    from app.db import make_engine

    url = new_database_url()
    migrate(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = new_database_url()
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    migrate(url)
    yield url
    from app.db import get_engine

    get_engine().dispose()
    drop_database(url)
    shutil.rmtree(_VAR_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    The app's own commits become SAVEPOINT releases, so nothing leaks between tests.
    """
    connection = engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def app(session: Session):  # type: ignore[no-untyped-def]
    from app.main import app as application

    def _test_session() -> Iterator[Session]:
        # Keep what the test prepared (inside the outer transaction), so a request that fails
        # and rolls back undoes only its own work, as it would against a real database.
        session.commit()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    application.dependency_overrides[get_session] = _test_session
    yield application
    application.dependency_overrides.clear()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def login_as(client: TestClient):  # type: ignore[no-untyped-def]
    """Sign the test client in as `user` by setting a real signed session cookie."""
    from app.web import sessions

    def _login(user):  # type: ignore[no-untyped-def]
        token = sessions._serializer().dumps({"uid": user.id, "ver": user.session_version})
        client.cookies.set(sessions.SESSION_COOKIE, token)
        return client

    return _login


@pytest.fixture
def csrf(client: TestClient) -> str:
    """A CSRF token the client's cookie jar matches; send it as a form field or header."""
    from app.web.csrf import CSRF_COOKIE

    token = "test-csrf-token-0123456789abcdef"
    client.cookies.set(CSRF_COOKIE, token)
    return token


@pytest.fixture
def world(session: Session) -> "factories.World":
    """A small county: two townships, villages, teams and one user of every role."""
    return factories.make_world(session)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if IN_CI:
        return
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        skip = pytest.mark.skip(
            reason="需要 Chromium：apt-get install -y chromium fonts-noto-cjk 后再运行浏览器测试"
        )
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every test starts with empty per-client counters (they live in process memory)."""
    from app.web import ratelimit

    for limiter in ratelimit.LIMITERS:
        limiter.reset()


@pytest.fixture(autouse=True)
def _audit_codes_have_labels(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a test makes the services record must have a zh-CN action (and object type)
    label, so the audit log never shows a raw code; catches codes built with f-strings, which
    the source scan in tests/audit/test_labels_complete.py cannot see."""
    from app.audit import labels
    from app.audit import service as audit_service

    if request.node.path.parent.name == "audit":
        return  # the audit log's own tests record made-up codes on purpose
    record = audit_service.record

    def checked(session: Session, **kwargs: object) -> object:
        action = str(kwargs["action"])
        assert action in labels.ACTION_LABELS, f"审计动作 {action} 缺少中文名称"
        object_type = str(kwargs.get("object_type") or "")
        assert not object_type or object_type in labels.OBJECT_TYPE_LABELS, (
            f"审计对象类型 {object_type} 缺少中文名称"
        )
        return record(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit_service, "record", checked)
