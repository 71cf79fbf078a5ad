"""Revision 0501_stats backfills ticket.return_count from the timeline's 退单 entries."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, Table, insert
from sqlalchemy.engine import Connection

from app.db import make_engine
from tests.conftest import drop_database, new_database_url
from tests.test_migrations import alembic_config

BEFORE = "0401_supervision"
AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def fresh_url() -> Iterator[str]:
    url = new_database_url()
    try:
        yield url
    finally:
        drop_database(url)


def _filler(column: Any) -> Any:
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, Integer):
        return 0
    if isinstance(column.type, DateTime):
        return AT.replace(tzinfo=None)
    if isinstance(column.type, JSON):
        return []
    return ""


def add(connection: Connection, table: Table, **values: Any) -> int:
    """Insert a row with `values` and a plain value for every other required column."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if column.server_default is not None:
            continue
        row[column.name] = _filler(column)
    result = connection.execute(insert(table).values(**row).returning(table.c.id))
    return int(result.scalar_one())


def test_return_count_is_backfilled_from_unit_return_entries(fresh_url):
    config = alembic_config(fresh_url)
    command.upgrade(config, BEFORE)
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as connection:
            tables = MetaData()
            tables.reflect(connection, only=["unit", "team", "ticket", "ticket_entry"])
            unit_id = add(connection, tables.tables["unit"], code="U1", name="甲村", kind="village")
            team_id = add(connection, tables.tables["team"], name="甲镇纪委", kind="township")
            # The categories come seeded with revision 0201.
            category = connection.exec_driver_sql(
                "SELECT id FROM ticket_category WHERE code = 'delay'"
            ).scalar_one()
            ticket = tables.tables["ticket"]
            entry = tables.tables["ticket_entry"]

            def make(number: str, returns: int) -> int:
                ticket_id = add(
                    connection,
                    ticket,
                    number=number,
                    kind="complaint",
                    channel="web",
                    status="in_progress",
                    category_id=category,
                    unit_id=unit_id,
                    team_id=team_id,
                )
                for _ in range(returns):
                    add(
                        connection,
                        entry,
                        ticket_id=ticket_id,
                        kind="unit_return",
                        actor_role="unit",
                        visibility="unit",
                    )
                add(
                    connection,
                    entry,
                    ticket_id=ticket_id,
                    kind="forward",
                    actor_role="team",
                    visibility="unit",
                )
                return ticket_id

            ids = {make("T-0", 0): 0, make("T-1", 1): 1, make("T-2", 2): 2}
        command.upgrade(config, "head")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, return_count, handling_days FROM ticket"
            ).all()
        assert {row[0]: row[1] for row in rows} == ids
        assert {row[2] for row in rows} == {None}
    finally:
        engine.dispose()
