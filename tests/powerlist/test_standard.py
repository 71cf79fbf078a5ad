"""Standard (template) lists: publish, adopt into a unit draft, publish to many units at once."""

import pytest
from sqlmodel import Session, col, func, select

from app.account.models import User
from app.audit.models import AuditEvent
from app.audit.service import verify_chain
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.powerlist import service, standard, standard_content
from app.powerlist.models import (
    ListVersion,
    PowerItem,
    PowerList,
    ProcessStep,
    RiskPoint,
    VersionSource,
    VersionStatus,
)
from app.powerlist.specs import ListContent, ListKind
from app.unit.models import UnitKind
from tests.factories import World, make_unit
from tests.powerlist.factories import duty_content, make_draft, make_published


def without_keys(content: ListContent) -> dict[str, object]:
    return content.model_dump(exclude={"items": {"__all__": {"key"}}})


def published_standard(
    session: Session, actor: User, content: ListContent | None = None
) -> PowerList:
    content = content or duty_content(4)
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=content.kind, actor=actor
    )
    draft = service.create_draft(session, power_list=standard_list, actor=actor)
    service.save_content(session, version=draft, content=content, actor=actor)
    service.publish_directly(session, version=draft, actor=actor)
    return standard_list


def test_standard_list_is_published_by_the_admin(session: Session, world: World) -> None:
    standard_list = published_standard(session, world.admin)
    assert standard_list.unit_id is None
    assert standard_list.title == "村级标准职责清单（权力事项）"
    version = service.current_version(session, power_list=standard_list)
    assert version is not None
    assert version.status == VersionStatus.PUBLISHED
    assert standard.standard_lists(session, unit_kind=UnitKind.VILLAGE) == [standard_list]
    assert standard.standard_lists(session, kind=ListKind.CADRE) == []


def test_adopting_a_standard_gives_the_unit_its_own_keys(session: Session, world: World) -> None:
    standard_list = published_standard(session, world.admin)
    source = service.current_version(session, power_list=standard_list)
    assert source is not None
    draft = standard.adopt_standard(
        session, unit=world.village, standard_list=standard_list, actor=world.editor
    )
    assert draft.source == VersionSource.STANDARD
    assert draft.based_on_version_id == source.id
    theirs = service.content_of(session, version=source)
    ours = service.content_of(session, version=draft)
    assert [i.name for i in ours.items] == [i.name for i in theirs.items]
    assert not {i.key for i in ours.items} & {i.key for i in theirs.items}
    # The unit adapts it and goes through review as usual.
    service.save_content(
        session,
        version=draft,
        content=ours.model_copy(update={"items": ours.items[:2]}),
        actor=world.editor,
    )
    service.submit(session, version=draft, actor=world.editor)


def test_adoption_needs_a_published_standard_of_the_same_kind(
    session: Session, world: World
) -> None:
    unpublished = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    with pytest.raises(Conflict, match="尚未发布"):
        standard.adopt_standard(
            session, unit=world.village, standard_list=unpublished, actor=world.editor
        )
    cadre_standard = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.CADRE, actor=world.admin
    )
    duty_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    with pytest.raises(ValidationFailed):
        service.create_draft(
            session,
            power_list=duty_list,
            actor=world.editor,
            source=VersionSource.STANDARD,
            standard_list=cadre_standard,
        )


def test_publish_to_fifty_villages(session: Session, world: World) -> None:
    standard_list = published_standard(session, world.admin, duty_content(5, steps=4, risks=2))
    villages = [make_unit(session, parent=world.township) for _ in range(50)]
    result = standard.publish_standard_to_units(
        session, standard_list=standard_list, units=villages, actor=world.admin
    )
    assert len(result.published) == 50
    assert result.skipped == {}
    version_ids = list(result.published.values())
    versions = session.exec(select(ListVersion).where(col(ListVersion.id).in_(version_ids))).all()
    assert {(v.status, v.number, v.source) for v in versions} == {
        (VersionStatus.PUBLISHED, 1, VersionSource.STANDARD)
    }
    per_version = dict(
        session.exec(
            select(PowerItem.version_id, func.count())
            .where(col(PowerItem.version_id).in_(version_ids))
            .group_by(col(PowerItem.version_id))
        ).all()
    )
    assert set(per_version.values()) == {5}
    assert len(per_version) == 50
    for model, expected in ((ProcessStep, 50 * 5 * 4), (RiskPoint, 50 * 5 * 2)):
        count = session.exec(
            select(func.count()).select_from(model).where(col(model.version_id).in_(version_ids))
        ).one()
        assert count == expected
    keys = session.exec(
        select(PowerItem.key).where(col(PowerItem.version_id).in_(version_ids))
    ).all()
    assert len(set(keys)) == 250

    village = villages[7]
    published = service.current_published(session, unit=village, kind=ListKind.DUTY)
    assert published is not None
    assert published.power_list.title == f"{village.name}职责清单（权力事项）"
    assert [i.name for i in published.content.items] == [f"事项{i}" for i in range(1, 6)]
    assert service.get_item_by_key(session, key=published.content.items[0].key or "").unit == (
        village
    )

    published_events = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "powerlist.published")
    ).one()
    assert published_events == 51  # the standard list itself + one per village
    summary = session.exec(
        select(AuditEvent).where(AuditEvent.action == "standardlist.published_to_units")
    ).one()
    assert summary.data["published"] == 50
    assert verify_chain(session).ok


def test_republishing_supersedes_and_skips_open_drafts(session: Session, world: World) -> None:
    standard_list = published_standard(session, world.admin)
    earlier = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    busy = make_unit(session, parent=world.township)
    make_draft(session, unit=busy, actor=world.admin)
    fresh = make_unit(session, parent=world.township)
    result = standard.publish_standard_to_units(
        session,
        standard_list=standard_list,
        units=[world.village, busy, fresh, fresh],
        actor=world.admin,
    )
    assert set(result.published) == {world.village.id, fresh.id}
    assert result.skipped == {busy.id: "该单位有未发布的草稿，未覆盖"}
    session.refresh(earlier)
    assert earlier.status == VersionStatus.SUPERSEDED
    assert earlier.superseded_at is not None
    village_list = service.find_list(session, unit=world.village, kind=ListKind.DUTY)
    assert village_list is not None
    assert village_list.current_version_id == result.published[world.village.id]
    current = service.current_version(session, power_list=village_list)
    assert current is not None
    assert current.number == 2


def test_only_published_standard_lists_are_bulk_published(session: Session, world: World) -> None:
    unit_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    with pytest.raises(Conflict, match="只能批量发布标准清单"):
        standard.publish_standard_to_units(
            session, standard_list=unit_list, units=[world.village], actor=world.admin
        )
    empty = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    with pytest.raises(Conflict, match="尚未发布"):
        standard.publish_standard_to_units(
            session, standard_list=empty, units=[world.village], actor=world.admin
        )


def test_the_county_village_lists_publish_to_villages(session: Session, world: World) -> None:
    """The shipped 宁海-style standard lists go through the whole path without a complaint."""
    villages = [world.village, make_unit(session, parent=world.township)]
    for content in (
        standard_content.county_village_duty_list(),
        standard_content.county_village_cadre_list(),
        standard_content.county_village_negative_list(),
    ):
        standard_list = published_standard(session, world.admin, content)
        result = standard.publish_standard_to_units(
            session, standard_list=standard_list, units=villages, actor=world.admin
        )
        assert set(result.published) == {v.id for v in villages}
        published = service.current_published(session, unit=villages[1], kind=content.kind)
        assert published is not None
        assert without_keys(published.content) == without_keys(content)


def test_bulk_publish_works_in_chunks(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(standard, "_CHUNK", 7)
    standard_list = published_standard(session, world.admin)
    villages = [make_unit(session, parent=world.township) for _ in range(20)]
    result = standard.publish_standard_to_units(
        session, standard_list=standard_list, units=villages, actor=world.admin
    )
    assert set(result.published) == {v.id for v in villages}
    items = session.exec(
        select(func.count())
        .select_from(PowerItem)
        .where(col(PowerItem.version_id).in_(list(result.published.values())))
    ).one()
    assert items == 20 * 4


def test_standard_items_have_no_public_item_page(session: Session, world: World) -> None:
    standard_list = published_standard(session, world.admin)
    version = service.current_version(session, power_list=standard_list)
    assert version is not None
    key = service.content_of(session, version=version).items[0].key or ""
    with pytest.raises(NotFound):
        service.get_item_by_key(session, key=key)
