"""The unit page and item page cost a constant number of queries, whatever the item count."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from app.powerlist import service
from app.powerlist.specs import ListKind
from app.unit.models import Unit
from tests.factories import World, make_unit
from tests.powerlist.factories import (
    cadre_content,
    duty_content,
    make_published,
    negative_content,
)


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def publish_all(session: Session, world: World, unit: Unit, items: int) -> None:
    for content in (
        duty_content(items, steps=5, risks=2),
        cadre_content(items),
        negative_content(items),
    ):
        make_published(session, unit=unit, editor=world.admin, lead=world.admin, content=content)


def overview_statements(session: Session, unit: Unit) -> list[str]:
    session.expire_all()
    session.refresh(unit)  # the page has its unit already
    with counted(session) as statements:
        overview = service.unit_lists_overview(session, unit=unit)
    assert set(overview) == set(ListKind)
    return statements


def test_unit_overview_query_count_does_not_grow_with_items(session: Session, world: World) -> None:
    small = make_unit(session, parent=world.township)
    large = make_unit(session, parent=world.township)
    publish_all(session, world, small, 3)
    publish_all(session, world, large, 30)
    few = overview_statements(session, small)
    many = overview_statements(session, large)
    assert len(few) == len(many)
    assert len(many) <= 6  # lists+versions, items, steps, risks, cadre duties, negatives
    overview = service.unit_lists_overview(session, unit=large)
    assert len(overview[ListKind.DUTY].content.items) == 30
    assert all(len(i.steps) == 5 for i in overview[ListKind.DUTY].content.items)


def test_item_page_query_count_does_not_grow_with_steps(session: Session, world: World) -> None:
    short = make_published(
        session,
        unit=world.village,
        editor=world.admin,
        lead=world.admin,
        content=duty_content(1, steps=1),
    )
    long = make_published(
        session,
        unit=world.other_village,
        editor=world.admin,
        lead=world.admin,
        content=duty_content(1, steps=12, risks=6),
    )
    counts = []
    for version in (short, long):
        key = service.content_of(session, version=version).items[0].key or ""
        session.expire_all()
        with counted(session) as statements:
            service.get_item_by_key(session, key=key)
        counts.append(len(statements))
    assert counts[0] == counts[1]
