"""Suggested duplicates, and the category list admins maintain."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core import clock
from app.core.errors import ValidationFailed
from app.ticket import service
from app.ticket.categories import DEFAULT_CATEGORIES
from app.ticket.duplicates import similarity
from app.ticket.models import TicketKind
from tests.ticket.factories import COMPLAINT_TEXT, events, submission, submit

RETOLD = "到村里去办证明，工作人员连着三次叫我改天再来，一直拖着不给办，耽误我很多时间！"


def test_similar_text_same_unit_and_category_within_30_days(session, world):
    start = datetime(2026, 9, 1, 2, tzinfo=UTC)
    with clock.frozen(start):
        original = submit(session, world).ticket
    with clock.frozen(start + timedelta(days=10)):
        retold = submit(session, world, submission(world, content=RETOLD)).ticket
        unrelated = submit(
            session,
            world,
            submission(world, content="村里的路灯坏了很久没人修，晚上走路很不方便。"),
        ).ticket
        other_category = submit(
            session, world, submission(world, category_code="attitude", content=RETOLD)
        ).ticket
        other_unit = submit(
            session, world, submission(world, unit_code=world.other_village.code, content=RETOLD)
        ).ticket
    with clock.frozen(start + timedelta(days=45)):
        late = submit(session, world, submission(world, content=COMPLAINT_TEXT)).ticket

    found = service.suspected_duplicates(session, ticket=retold)

    assert [d.ticket.number for d in found] == [original.number]
    assert found[0].percent >= 60
    numbers = {d.ticket.number for d in service.suspected_duplicates(session, ticket=original)}
    assert retold.number in numbers
    for absent in (unrelated, other_category, other_unit, late):
        assert absent.number not in numbers
    assert similarity(COMPLAINT_TEXT, RETOLD) >= 0.6
    assert similarity(COMPLAINT_TEXT, "完全不同的一件事情") < 0.6


def test_default_categories_are_seeded(session):
    categories = service.list_categories(session)
    assert [(c.code, c.name, c.kind) for c in categories] == [
        (code, name, kind) for code, name, kind in DEFAULT_CATEGORIES
    ]
    assert {c.kind for c in categories} == set(TicketKind)


def test_admin_adds_and_changes_a_category(session, world):
    created = service.create_category(
        session, actor=world.admin, code="land", name="土地征收", kind="complaint"
    )
    assert created.position > 90
    [event] = events(session, "category.created")
    assert event.data["code"] == "land"
    service.update_category(session, category=created, actor=world.admin, name="征地补偿")
    [event] = events(session, "category.updated")
    assert event.data == {"name": {"from": "土地征收", "to": "征地补偿"}}
    service.update_category(session, category=created, actor=world.admin, is_active=False)
    assert "land" not in {c.code for c in service.list_categories(session)}
    assert "land" in {c.code for c in service.list_categories(session, active_only=False)}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"code": "delay"}, "code"),
        ({"name": "办事拖延"}, "name"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_category_validation(session, world, fields, field):
    values = {"code": "newcat", "name": "新类别", "kind": "complaint"} | fields
    with pytest.raises(ValidationFailed) as raised:
        service.create_category(session, actor=world.admin, **values)
    assert field in raised.value.errors
