"""Inline editing of drafts: items, steps, risks, cadre duties and negative items."""

import pytest
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.powerlist import editing, service
from app.powerlist.editing import Direction
from app.powerlist.models import ListVersion
from app.powerlist.specs import (
    CadreDutySpec,
    ListKind,
    NegativeSpec,
    RiskLevel,
    RiskSpec,
    StepKind,
)
from tests.factories import World
from tests.powerlist.factories import (
    cadre_content,
    make_draft,
    make_item,
    make_published,
    make_step,
    negative_content,
)


def last_event(session: Session, action: str) -> AuditEvent:
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id).desc())
    ).first()
    assert event is not None
    return event


def names(session: Session, draft: ListVersion) -> list[str]:
    return [i.name for i in service.content_of(session, version=draft).items]


def keys(session: Session, draft: ListVersion) -> list[str]:
    return [i.key or "" for i in service.content_of(session, version=draft).items]


def test_add_update_delete_item(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = editing.add_item(
        session, version=draft, spec=make_item("4", "出具证明"), actor=world.editor
    )
    assert names(session, draft) == ["事项1", "事项2", "事项3", "出具证明"]
    assert last_event(session, "powerlist.item_added").data["key"] == key

    editing.update_item(
        session,
        version=draft,
        key=key,
        spec=make_item("4", "出具证明或加盖印章", steps=1),
        actor=world.editor,
    )
    item = editing.get_item(session, version=draft, key=key)
    assert item.name == "出具证明或加盖印章"
    assert len(item.steps) == 1
    assert item.key == key
    assert last_event(session, "powerlist.item_updated").data["fields"] == ["name", "steps"]

    first = keys(session, draft)[0]
    editing.delete_item(session, version=draft, key=first, actor=world.editor)
    assert names(session, draft) == ["事项2", "事项3", "出具证明或加盖印章"]
    assert last_event(session, "powerlist.item_deleted").data["number"] == "1"
    # Positions close up, so moving still finds neighbours.
    editing.move_item(session, version=draft, key=key, direction=Direction.UP, actor=world.editor)
    assert names(session, draft) == ["事项2", "出具证明或加盖印章", "事项3"]


def test_item_numbers_stay_unique(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    with pytest.raises(ValidationFailed) as caught:
        editing.add_item(session, version=draft, spec=make_item("2"), actor=world.editor)
    assert caught.value.errors == {"number": "编号「2」在清单中重复"}
    second = keys(session, draft)[1]
    # Saving an item under its own number is fine.
    editing.update_item(
        session, version=draft, key=second, spec=make_item("2", "改名"), actor=world.editor
    )


def test_move_item_at_the_edge_changes_nothing(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    first = keys(session, draft)[0]
    editing.move_item(session, version=draft, key=first, direction=Direction.UP, actor=world.editor)
    editing.move_item(
        session, version=draft, key=first, direction=Direction.DOWN, actor=world.editor
    )
    assert names(session, draft) == ["事项2", "事项1", "事项3"]
    assert last_event(session, "powerlist.item_moved").data["position"] == 2


def test_unknown_item_is_not_found(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    with pytest.raises(NotFound):
        editing.delete_item(session, version=draft, key="missing", actor=world.editor)


def test_steps_add_move_and_keep_reject_targets(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = keys(session, draft)[0]
    decision = make_step("村委会审核", kind=StepKind.DECISION, reject_to=1)
    editing.add_step(session, version=draft, key=key, spec=decision, actor=world.editor)
    steps = editing.get_item(session, version=draft, key=key).steps
    assert [s.name for s in steps] == ["步骤1", "步骤2", "步骤3", "村委会审核"]
    assert last_event(session, "powerlist.item_updated").data["change"] == "step_added"

    # Moving 步骤2 up swaps it with 步骤1: the decision must still return to 步骤1 (now 2nd).
    editing.move_step(
        session, version=draft, key=key, position=2, direction=Direction.UP, actor=world.editor
    )
    steps = editing.get_item(session, version=draft, key=key).steps
    assert [s.name for s in steps] == ["步骤2", "步骤1", "步骤3", "村委会审核"]
    assert steps[3].reject_to == 2

    with pytest.raises(ValidationFailed) as caught:
        editing.delete_step(session, version=draft, key=key, position=2, actor=world.editor)
    assert caught.value.errors == {"steps": "第 4 步不通过时退回到此步骤，请先修改第 4 步"}

    editing.delete_step(session, version=draft, key=key, position=1, actor=world.editor)
    steps = editing.get_item(session, version=draft, key=key).steps
    assert [s.name for s in steps] == ["步骤1", "步骤3", "村委会审核"]
    assert steps[2].reject_to == 1


def test_step_changes_are_validated(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = keys(session, draft)[0]
    decision = make_step("审核", kind=StepKind.DECISION, reject_to=1)
    editing.update_step(
        session, version=draft, key=key, position=2, spec=decision, actor=world.editor
    )
    # Moving the decision above its target would make it return forwards.
    with pytest.raises(ValidationFailed) as caught:
        editing.move_step(
            session, version=draft, key=key, position=2, direction=Direction.UP, actor=world.editor
        )
    assert caught.value.errors == {"steps[0].reject_to": "第一个步骤不能设置退回步骤"}
    with pytest.raises(NotFound, match="步骤不存在"):
        editing.update_step(
            session, version=draft, key=key, position=9, spec=make_step(), actor=world.editor
        )


def test_last_step_cannot_be_deleted(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = keys(session, draft)[0]
    editing.update_item(
        session, version=draft, key=key, spec=make_item("1", steps=1), actor=world.editor
    )
    with pytest.raises(ValidationFailed) as caught:
        editing.delete_step(session, version=draft, key=key, position=1, actor=world.editor)
    assert caught.value.errors == {"steps": "事项至少需要一个办理步骤"}


def test_risks(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = keys(session, draft)[0]
    risk = RiskSpec(description="优亲厚友", level=RiskLevel.HIGH, measure="村务监督委员会全程监督")
    editing.add_risk(session, version=draft, key=key, spec=risk, actor=world.editor)
    editing.update_risk(
        session,
        version=draft,
        key=key,
        position=1,
        spec=risk.model_copy(update={"level": RiskLevel.LOW}),
        actor=world.editor,
    )
    editing.delete_risk(session, version=draft, key=key, position=2, actor=world.editor)
    risks = editing.get_item(session, version=draft, key=key).risks
    assert [(r.description, r.level) for r in risks] == [("优亲厚友", RiskLevel.LOW)]
    assert last_event(session, "powerlist.item_updated").data["change"] == "risk_deleted"


def test_team_override(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor)
    key = keys(session, draft)[0]
    editing.set_item_team(
        session, version=draft, key=key, team=world.other_team, actor=world.editor
    )
    assert service.load_content(session, version=draft).team_overrides == {key: world.other_team.id}
    assert last_event(session, "powerlist.item_updated").data["fields"] == ["team_override"]


def test_editing_is_refused_unless_draft(session: Session, world: World) -> None:
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    key = keys(session, published)[0]
    with pytest.raises(Conflict, match="已发布的版本不可修改"):
        editing.update_item(
            session, version=published, key=key, spec=make_item("1"), actor=world.editor
        )
    with pytest.raises(Conflict, match="已发布的版本不可修改"):
        editing.add_step(session, version=published, key=key, spec=make_step(), actor=world.editor)


def test_item_edits_need_a_duty_list(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor, content=cadre_content())
    with pytest.raises(Conflict, match="不支持"):
        editing.add_item(session, version=draft, spec=make_item("1"), actor=world.editor)


def test_cadre_duty_entries(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor, content=cadre_content(2))
    key = editing.add_entry(
        session,
        version=draft,
        spec=CadreDutySpec(post="村报账员", person="王五", duties=["村级财务报账"]),
        actor=world.editor,
    )
    editing.update_entry(
        session,
        version=draft,
        key=key,
        spec=CadreDutySpec(post="村报账员", person="王六", duties=["村级财务报账"]),
        actor=world.editor,
    )
    assert last_event(session, "powerlist.entry_updated").data["fields"] == ["person"]
    editing.move_entry(
        session,
        version=draft,
        kind=ListKind.CADRE,
        key=key,
        direction=Direction.UP,
        actor=world.editor,
    )
    rows = editing.entries(session, version=draft)
    assert [(k, spec.person) for k, spec in rows][1] == (key, "王六")  # type: ignore[union-attr]
    first_key = rows[0][0]
    editing.delete_entry(
        session, version=draft, kind=ListKind.CADRE, key=first_key, actor=world.editor
    )
    assert [k for k, _ in editing.entries(session, version=draft)][0] == key
    assert last_event(session, "powerlist.entry_deleted").data["kind"] == "cadre"


def test_negative_entries_keep_numbers_unique(session: Session, world: World) -> None:
    draft = make_draft(session, unit=world.village, actor=world.editor, content=negative_content(2))
    with pytest.raises(ValidationFailed):
        editing.add_entry(
            session,
            version=draft,
            spec=NegativeSpec(number="1", act="不得重复"),
            actor=world.editor,
        )
    with pytest.raises(Conflict, match="不支持"):
        editing.add_entry(
            session,
            version=draft,
            spec=CadreDutySpec(post="主任", person="李四", duties=["主持工作"]),
            actor=world.editor,
        )
