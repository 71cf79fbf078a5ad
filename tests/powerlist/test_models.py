"""Tables and their safety nets: immutability of published content, cascades, uniqueness."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.errors import Conflict
from app.powerlist import service
from app.powerlist.models import (
    ListVersion,
    PowerItem,
    PowerList,
    ProcessStep,
    RiskPoint,
    VersionStatus,
)
from app.powerlist.specs import ListKind
from app.unit.models import UnitKind
from tests.factories import World
from tests.powerlist.factories import make_draft, make_published


def test_published_item_cannot_be_changed_through_the_orm(session: Session, world: World) -> None:
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    item = session.exec(select(PowerItem).where(PowerItem.version_id == version.id)).first()
    assert item is not None
    item.name = "偷偷改名"
    session.add(item)
    with pytest.raises(Conflict, match="已发布的版本不可修改"):
        session.flush()
    session.rollback()


def test_published_steps_cannot_be_added_or_deleted(session: Session, world: World) -> None:
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    step = session.exec(select(ProcessStep).where(ProcessStep.version_id == version.id)).first()
    assert step is not None
    session.delete(step)
    with pytest.raises(Conflict):
        session.flush()
    session.rollback()


def test_published_version_fields_are_frozen_except_superseding(
    session: Session, world: World
) -> None:
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    version.review_comment = "事后补写"
    session.add(version)
    with pytest.raises(Conflict):
        session.flush()
    session.rollback()


def test_draft_rows_can_change(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = session.exec(select(PowerItem).where(PowerItem.version_id == draft.id)).first()
    assert item is not None
    item.name = "改名"
    session.add(item)
    session.flush()


def test_deleting_a_draft_cascades_to_items_steps_and_risks(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.discard_draft(session, version=draft, actor=world.editor)
    for model in (PowerItem, ProcessStep, RiskPoint):
        assert session.exec(select(model).where(model.version_id == draft.id)).all() == []


def test_one_unit_list_per_kind(session: Session, world: World) -> None:
    service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    session.add(PowerList(unit_id=world.village.id, kind=ListKind.DUTY, title="重复"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_several_standard_lists_may_share_a_kind(session: Session) -> None:
    for title in ("村级标准一", "村级标准二"):
        session.add(PowerList(kind=ListKind.DUTY, standard_for_kind=UnitKind.VILLAGE, title=title))
    session.flush()


def test_database_refuses_a_second_open_draft(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    session.add(ListVersion(list_id=draft.list_id, number=99, status=VersionStatus.SUBMITTED))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_item_keys_are_unique_within_a_version(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = session.exec(
        select(PowerItem).where(PowerItem.version_id == draft.id).order_by(col(PowerItem.id))
    ).first()
    assert item is not None
    session.add(PowerItem(version_id=draft.id, key=item.key, position=9, number="9", name="x"))  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
