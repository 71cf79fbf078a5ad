"""Lists, drafts, content, review and publication, public reads."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.powerlist import service
from app.powerlist.models import PowerItem, VersionSource, VersionStatus
from app.powerlist.specs import ItemSpec, ListContent, ListKind, TimeUnit
from tests.factories import World
from tests.powerlist.factories import (
    cadre_content,
    duty_content,
    list_of,
    make_draft,
    make_item,
    make_published,
    make_step,
    negative_content,
)


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def without_keys(content: ListContent) -> dict[str, object]:
    data = content.model_dump()
    for item in data["items"]:
        item["key"] = None
    return data


# --- lists and drafts ------------------------------------------------------------------------


def test_get_or_create_list_creates_once(session: Session, world: World) -> None:
    first = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    again = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    assert first.id == again.id
    assert first.title == "甲村职责清单（权力事项）"
    assert len(events(session, "powerlist.list_created")) == 1


def test_create_empty_draft_is_audited(session: Session, world: World) -> None:
    power_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    draft = service.create_draft(session, power_list=power_list, actor=world.editor)
    assert (draft.number, draft.status, draft.source) == (
        1,
        VersionStatus.DRAFT,
        VersionSource.EMPTY,
    )
    assert service.content_of(session, version=draft).items == []
    [event] = events(session, "powerlist.draft_created")
    assert event.actor_id == world.editor.id
    assert event.data["source"] == "empty"


def test_only_one_open_draft_per_list(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    power_list = list_of(session, draft)
    with pytest.raises(Conflict, match="已有未发布的草稿"):
        service.create_draft(session, power_list=power_list, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    with pytest.raises(Conflict, match="已有未发布的草稿"):
        service.create_draft(session, power_list=power_list, actor=world.editor)


def test_copying_needs_a_published_version(session: Session, world: World) -> None:
    power_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    with pytest.raises(Conflict, match="还没有已发布的版本"):
        service.create_draft(
            session, power_list=power_list, actor=world.editor, source=VersionSource.COPY
        )


def test_discarding_a_draft_removes_it(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    power_list = list_of(session, draft)
    service.discard_draft(session, version=draft, actor=world.editor)
    assert service.list_versions(session, power_list=power_list) == []
    assert events(session, "powerlist.draft_discarded")[0].data == {"version": 1}
    # A new draft may start again.
    service.create_draft(session, power_list=power_list, actor=world.editor)


# --- content -----------------------------------------------------------------------------------


def test_save_content_round_trips_every_field(session: Session, world: World) -> None:
    content = duty_content(3, steps=4, risks=2)
    draft = make_draft(session, unit=world.village, actor=world.editor, content=content)
    stored = service.content_of(session, version=draft)
    assert without_keys(stored) == without_keys(content)
    assert all(item.key for item in stored.items)
    event = events(session, "powerlist.draft_saved")[-1]
    assert event.data == {"version": 1, "items": 3, "cadre_duties": 0, "negative_items": 0}


@pytest.mark.parametrize("content", [cadre_content(3), negative_content(3)])
def test_cadre_and_negative_lists_round_trip(
    session: Session, world: World, content: ListContent
) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor, content=content)
    assert service.content_of(session, version=draft) == content


def test_save_content_keeps_keys_and_gives_new_items_new_ones(
    session: Session, world: World
) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    stored = service.content_of(session, version=draft)
    keys = [item.key for item in stored.items]
    edited = stored.model_copy(update={"items": [*stored.items[1:], make_item("9", "新增事项")]})
    service.save_content(session, version=draft, content=edited, actor=world.editor)
    again = service.content_of(session, version=draft)
    assert [item.key for item in again.items[:2]] == keys[1:]
    assert again.items[2].key not in keys
    assert again.items[2].name == "新增事项"


def test_save_content_refuses_a_different_kind(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    with pytest.raises(ValidationFailed):
        service.save_content(session, version=draft, content=cadre_content(), actor=world.editor)


def test_published_versions_are_immutable(session: Session, world: World) -> None:
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    with pytest.raises(Conflict, match="已发布的版本不可修改"):
        service.save_content(session, version=version, content=duty_content(1), actor=world.editor)
    with pytest.raises(Conflict, match="已发布的版本不可修改"):
        service.discard_draft(session, version=version, actor=world.editor)


# --- validation --------------------------------------------------------------------------------


def test_empty_list_cannot_be_submitted(session: Session, world: World) -> None:
    power_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    draft = service.create_draft(session, power_list=power_list, actor=world.editor)
    with pytest.raises(ValidationFailed) as caught:
        service.submit(session, version=draft, actor=world.editor)
    assert caught.value.errors == {"items": "清单中还没有任何权力事项"}
    assert draft.status == VersionStatus.DRAFT


def test_validation_names_the_item_with_the_problem(session: Session, world: World) -> None:
    good = make_item("1", "宅基地审批")
    # Content that slipped past the specs (e.g. written before a rule existed) is still caught.
    bad_step = make_step().model_copy(update={"time_limit": 0})
    bad = ItemSpec.model_construct(
        **{**make_item("2", "困难补助申请").__dict__, "steps": [bad_step], "responsible": ""}
    )
    content = ListContent.model_construct(
        kind=ListKind.DUTY, items=[good, bad], cadre_duties=[], negative_items=[]
    )
    draft = make_draft(session, unit=world.village, actor=world.editor, content=content)
    errors = service.validate_for_submit(session, version=draft)
    assert errors == {
        "items[1].responsible": "事项 2「困难补助申请」：请填写责任主体",
        "items[1].steps[0].time_limit": "事项 2「困难补助申请」：必须是正整数",
    }


def test_step_limits_beyond_the_overall_limit_only_warn(session: Session, world: World) -> None:
    item = make_item("1", "村级工程", time_limit=5, steps=3)  # 3 steps × 2 working days
    draft = make_draft(
        session,
        unit=world.village,
        actor=world.editor,
        content=ListContent(kind=ListKind.DUTY, items=[item]),
    )
    assert service.validate_for_submit(session, version=draft) == {}
    assert service.review_warnings(session, version=draft) == {
        "items[0].time_limit": (
            "事项 1「村级工程」：各步骤时限合计 6 个工作日，超过了事项总时限 5 个工作日"
        )
    }
    calendar = make_item("1", "村级工程", time_limit=5, time_unit=TimeUnit.CALENDAR)
    service.save_content(
        session,
        version=draft,
        content=ListContent(kind=ListKind.DUTY, items=[calendar]),
        actor=world.editor,
    )
    assert service.review_warnings(session, version=draft) == {}


def test_references_to_the_other_list_are_checked(session: Session, world: World) -> None:
    item = make_item("1", "宅基地审批", negative_refs=["1", "7"])
    content = ListContent(kind=ListKind.DUTY, items=[item])
    draft = make_draft(session, unit=world.village, actor=world.editor, content=content)
    # Without a negative list there is nothing to check against.
    assert service.review_warnings(session, version=draft) == {}
    make_draft(session, unit=world.village, actor=world.editor, content=negative_content(2))
    assert service.review_warnings(session, version=draft) == {
        "items[0].negative_refs": "事项 1「宅基地审批」：负面清单中没有编号为 7 的条目"
    }


# --- review and publication --------------------------------------------------------------------


def test_submit_then_edits_wait_for_withdrawal(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    assert draft.status == VersionStatus.SUBMITTED
    assert draft.submitted_by_id == world.editor.id
    assert draft.submitted_at is not None
    with pytest.raises(Conflict, match="请先撤回"):
        service.save_content(session, version=draft, content=duty_content(1), actor=world.editor)
    service.withdraw(session, version=draft, actor=world.editor)
    assert draft.status == VersionStatus.DRAFT
    service.save_content(session, version=draft, content=duty_content(1), actor=world.editor)
    assert [e.data["status"] for e in events(session, "powerlist.submitted")] == ["submitted"]
    assert len(events(session, "powerlist.withdrawn")) == 1


def test_return_needs_a_comment_and_keeps_it_on_the_draft(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    with pytest.raises(ValidationFailed) as caught:
        service.return_for_changes(session, version=draft, actor=world.member, comment=" ")
    assert caught.value.errors == {"comment": "退回修改时必须填写退回意见"}
    service.return_for_changes(
        session, version=draft, actor=world.member, comment="请补充法律依据条款"
    )
    assert draft.status == VersionStatus.DRAFT
    assert draft.was_returned
    assert draft.review_comment == "请补充法律依据条款"
    assert draft.reviewed_by_id == world.member.id
    [event] = events(session, "powerlist.returned")
    assert event.data["comment"] == "请补充法律依据条款"
    # The returned draft is edited and resubmitted.
    service.save_content(session, version=draft, content=duty_content(2), actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)


def test_only_submissions_can_be_returned_or_approved(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    with pytest.raises(InvalidTransition, match="草稿状态的清单不能审核通过并发布"):
        service.approve(session, version=draft, actor=world.lead)
    with pytest.raises(InvalidTransition):
        service.return_for_changes(session, version=draft, actor=world.lead, comment="x")


def test_approve_publishes(session: Session, world: World) -> None:
    with clock.frozen(datetime(2026, 3, 1, 2, 0, tzinfo=UTC)):
        version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    power_list = list_of(session, version)
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert version.published_by_id == world.lead.id
    assert version.reviewed_by_id == world.lead.id
    assert power_list.current_version_id == version.id
    [event] = events(session, "powerlist.published")
    assert event.object_id == str(power_list.id)
    assert event.data == {"version": 1, "status": "published", "superseded_version": None}


def test_publishing_supersedes_the_previous_version_and_keeps_keys(
    session: Session, world: World
) -> None:
    first = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    power_list = list_of(session, first)
    keys = [i.key for i in service.content_of(session, version=first).items]
    second = service.create_draft(
        session, power_list=power_list, actor=world.editor, source=VersionSource.COPY
    )
    assert second.based_on_version_id == first.id
    copied = service.content_of(session, version=second)
    assert [i.key for i in copied.items] == keys
    service.save_content(
        session,
        version=second,
        content=copied.model_copy(update={"items": copied.items[:2]}),
        actor=world.editor,
    )
    service.submit(session, version=second, actor=world.editor)
    service.approve(session, version=second, actor=world.lead)
    assert first.status == VersionStatus.SUPERSEDED
    assert first.superseded_at is not None
    assert power_list.current_version_id == second.id
    assert events(session, "powerlist.published")[-1].data["superseded_version"] == 1
    # The old version's content is untouched: history shows what was published then.
    assert len(service.content_of(session, version=first).items) == 3
    versions = service.list_versions(session, power_list=power_list, published_only=True)
    assert [v.number for v in versions] == [2, 1]


def test_copy_keeps_cadre_keys(session: Session, world: World) -> None:
    first = make_published(
        session,
        unit=world.village,
        editor=world.editor,
        lead=world.lead,
        content=cadre_content(2),
    )
    second = service.create_draft(
        session,
        power_list=list_of(session, first),
        actor=world.editor,
        source=VersionSource.COPY,
    )
    assert (
        service.load_content(session, version=second).entry_keys
        == service.load_content(session, version=first).entry_keys
    )


def test_unit_lists_cannot_skip_review(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    with pytest.raises(InvalidTransition, match="须经监督单位审核"):
        service.publish_directly(session, version=draft, actor=world.admin)


# --- public reads ------------------------------------------------------------------------------


def test_current_published_and_overview(session: Session, world: World) -> None:
    assert service.current_published(session, unit=world.village, kind=ListKind.DUTY) is None
    make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    make_published(
        session,
        unit=world.village,
        editor=world.editor,
        lead=world.lead,
        content=negative_content(2),
    )
    # A draft is not public.
    make_draft(session, unit=world.village, actor=world.editor, content=cadre_content())
    published = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert published is not None
    assert len(published.content.items) == 3
    overview = service.unit_lists_overview(session, unit=world.village)
    assert list(overview) == [ListKind.DUTY, ListKind.NEGATIVE]
    assert len(overview[ListKind.NEGATIVE].content.negative_items) == 2
    assert service.unit_lists_overview(session, unit=world.other_village) == {}


def test_published_version_by_number(session: Session, world: World) -> None:
    first = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    power_list = list_of(session, first)
    shown = service.published_version(session, power_list=power_list, number=1)
    assert len(shown.content.items) == 3
    service.create_draft(session, power_list=power_list, actor=world.editor)
    with pytest.raises(NotFound):
        service.published_version(session, power_list=power_list, number=2)


def test_item_by_key_follows_the_current_version(session: Session, world: World) -> None:
    first = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    items = service.content_of(session, version=first).items
    view = service.get_item_by_key(session, key=items[0].key or "")
    assert view.item.name == items[0].name
    assert len(view.item.steps) == 3
    assert len(view.item.risks) == 1
    assert view.unit is not None
    assert view.unit.id == world.village.id
    assert view.version.id == first.id
    assert view.team_override is None

    second = service.create_draft(
        session,
        power_list=list_of(session, first),
        actor=world.editor,
        source=VersionSource.COPY,
    )
    renamed = items[0].model_copy(update={"name": "改名后的事项"})
    service.save_content(
        session,
        version=second,
        content=ListContent(kind=ListKind.DUTY, items=[renamed]),
        actor=world.editor,
    )
    service.submit(session, version=second, actor=world.editor)
    service.approve(session, version=second, actor=world.lead)
    assert service.get_item_by_key(session, key=items[0].key or "").item.name == "改名后的事项"
    with pytest.raises(NotFound, match="已不在当前清单中"):
        service.get_item_by_key(session, key=items[1].key or "")
    with pytest.raises(NotFound):
        service.get_item_by_key(session, key="nosuchkey")


def test_team_override_survives_saves_and_copies(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    item = session.exec(select(PowerItem).where(PowerItem.version_id == draft.id)).first()
    assert item is not None
    item.team_override_id = world.other_team.id
    session.add(item)
    session.flush()
    content = service.content_of(session, version=draft)
    service.save_content(session, version=draft, content=content, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    service.approve(session, version=draft, actor=world.lead)
    view = service.get_item_by_key(session, key=item.key)
    assert view.team_override is not None
    assert view.team_override.id == world.other_team.id
    copy = service.create_draft(
        session,
        power_list=list_of(session, draft),
        actor=world.editor,
        source=VersionSource.COPY,
    )
    assert service.load_content(session, version=copy).team_overrides == {
        item.key: world.other_team.id
    }


def test_staleness_after_a_configurable_age(session: Session, world: World) -> None:
    published_at = datetime(2025, 1, 10, tzinfo=UTC)
    with clock.frozen(published_at):
        version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    published = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert published is not None
    assert published.last_updated == published_at
    assert not published.is_stale(now=published_at + timedelta(days=365))
    assert published.is_stale(now=published_at + timedelta(days=366))
    assert published.is_stale(now=published_at + timedelta(days=31), max_age_days=30)
    assert service.stale_before(published_at + timedelta(days=366)) > published_at
    version.status = VersionStatus.SUPERSEDED  # superseded versions are history, never stale
    assert not service.is_stale(version, now=published_at + timedelta(days=999))


def test_compare_versions(session: Session, world: World) -> None:
    first = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    power_list = list_of(session, first)
    draft = service.create_draft(
        session, power_list=power_list, actor=world.editor, source=VersionSource.COPY
    )
    content = service.content_of(session, version=draft)
    service.save_content(
        session,
        version=draft,
        content=content.model_copy(update={"items": content.items[1:]}),
        actor=world.editor,
    )
    result = service.compare_versions(session, power_list=power_list, old_number=1, new_number=2)
    assert result.summary == "删除 1 项"
    assert result.items[0].name == "事项1"


def test_stale_lists_statement(session: Session, world: World) -> None:
    old = datetime(2024, 1, 1, tzinfo=UTC)
    with clock.frozen(old):
        make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    with clock.frozen(old + timedelta(days=300)):
        make_published(session, unit=world.other_village, editor=world.admin, lead=world.admin)
    now = old + timedelta(days=400)
    rows = session.exec(service.stale_lists_statement(now=now)).all()
    assert [unit.id for _, _, unit in rows] == [world.village.id]
    rows = session.exec(service.stale_lists_statement(now=now, max_age_days=30)).all()
    assert [unit.id for _, _, unit in rows] == [world.village.id, world.other_village.id]


def test_import_drafts_record_their_source(session: Session, world: World) -> None:
    power_list = service.get_or_create_list(session, unit=world.village, kind=ListKind.DUTY)
    draft = service.create_draft(
        session, power_list=power_list, actor=world.editor, source=VersionSource.IMPORT
    )
    assert draft.source == VersionSource.IMPORT
    assert service.content_of(session, version=draft).items == []
