"""Alembic: one head, a full upgrade → downgrade → upgrade cycle, and no drift from the models.

Runs on the database kind of this test run (SQLite, or PostgreSQL via TEST_DATABASE_URL) in a
fresh database of its own, so it never disturbs the shared test database.
"""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import app.models  # noqa: F401  (registers every table on the metadata)
from app.config import PROJECT_ROOT
from app.db import make_engine, metadata
from tests.conftest import drop_database, new_database_url


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@pytest.fixture
def fresh_url() -> Iterator[str]:
    url = new_database_url()
    try:
        yield url
    finally:
        drop_database(url)


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def drift(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_migrations_have_a_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"merge the branches: {heads}"


def test_upgrade_downgrade_upgrade_and_no_drift(fresh_url):
    config = alembic_config(fresh_url)

    command.upgrade(config, "head")
    assert table_names(fresh_url) == set(metadata.tables)
    assert drift(fresh_url) == [], "models and migrations differ; write a revision"

    command.downgrade(config, "base")
    assert table_names(fresh_url) == set(), "downgrade() must remove everything upgrade() made"

    command.upgrade(config, "head")
    assert table_names(fresh_url) == set(metadata.tables)
    # The same check `alembic check` makes, through the project's env.py.
    command.check(config)


def test_each_revision_downgrades_one_step(fresh_url):
    """Walk down one revision at a time, so every downgrade() is exercised on its own."""
    config = alembic_config(fresh_url)
    command.upgrade(config, "head")
    script = ScriptDirectory.from_config(config)
    revisions = list(script.walk_revisions())  # newest first
    for _ in revisions:
        command.downgrade(config, "-1")
    assert table_names(fresh_url) == set()
