"""Inline editing of a draft: one item, step, risk, cadre duty or negative item at a time."""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, func, select

from app.account.models import User
from app.audit import service as audit_service
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.powerlist import content as content_rows
from app.powerlist import diff
from app.powerlist.models import (
    CadreDuty,
    ListVersion,
    NegativeItem,
    PowerItem,
    PowerList,
    ProcessStep,
    RiskPoint,
)
from app.powerlist.service import OBJECT_TYPE, load_content, require_draft, touch
from app.powerlist.specs import (
    CadreDutySpec,
    ItemSpec,
    ListKind,
    NegativeSpec,
    RiskSpec,
    StepSpec,
    spec_errors,
)
from app.unit.models import Team


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


def _editable(session: Session, version: ListVersion, kind: ListKind) -> None:
    require_draft(version)
    power_list = session.get(PowerList, version.list_id)
    assert power_list is not None
    if power_list.kind != kind:
        raise Conflict("该清单类型不支持此操作")


def _record(
    session: Session, actor: User, action: str, version: ListVersion, data: dict[str, Any]
) -> None:
    touch(version)
    session.add(version)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=version.list_id,
        data={"version": version.number, **data},
    )


# ---------------------------------------------------------------------------------------------
# Power items


def _item_row(session: Session, version: ListVersion, key: str) -> PowerItem:
    item = session.exec(
        select(PowerItem).where(PowerItem.version_id == version.id, PowerItem.key == key)
    ).first()
    if item is None:
        raise NotFound("事项不存在")
    return item


def _spec_of(session: Session, item: PowerItem) -> ItemSpec:
    steps = session.exec(
        select(ProcessStep)
        .where(ProcessStep.item_id == item.id)
        .order_by(col(ProcessStep.position))
    ).all()
    risks = session.exec(
        select(RiskPoint).where(RiskPoint.item_id == item.id).order_by(col(RiskPoint.position))
    ).all()
    return content_rows.item_spec(item, steps, risks)


def get_item(session: Session, *, version: ListVersion, key: str) -> ItemSpec:
    """An item of any version by key, for edit forms and ?version=N pages."""
    return _spec_of(session, _item_row(session, version, key))


def _check_number(session: Session, version: ListVersion, number: str, key: str | None) -> None:
    clash = session.exec(
        select(PowerItem.key).where(
            PowerItem.version_id == version.id, PowerItem.number == number, PowerItem.key != key
        )
    ).first()
    if clash is not None:
        raise ValidationFailed({"number": f"编号「{number}」在清单中重复"})


def _count(session: Session, model: type[SQLModel], version: ListVersion) -> int:
    return session.exec(
        select(func.count()).select_from(model).where(model.version_id == version.id)  # type: ignore[attr-defined]
    ).one()


def add_item(session: Session, *, version: ListVersion, spec: ItemSpec, actor: User) -> str:
    """Append an item to a draft; returns its new key."""
    _editable(session, version, ListKind.DUTY)
    _check_number(session, version, spec.number, None)
    assert version.id is not None
    key = content_rows.new_key()
    position = _count(session, PowerItem, version) + 1
    item = PowerItem(
        **content_rows.item_values(spec, version_id=version.id, key=key, position=position)
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    content_rows.insert_item_children(session, items=[(item.id, version.id, spec)])
    _record(
        session,
        actor,
        "powerlist.item_added",
        version,
        {"key": key, "number": spec.number, "name": spec.name},
    )
    return key


def update_item(
    session: Session,
    *,
    version: ListVersion,
    key: str,
    spec: ItemSpec,
    actor: User,
    change: str = "",
) -> None:
    """Replace one item's fields, steps and risks; its key and place stay."""
    _editable(session, version, ListKind.DUTY)
    item = _item_row(session, version, key)
    _check_number(session, version, spec.number, key)
    old = _spec_of(session, item)
    for name, value in content_rows.item_values(
        spec, version_id=item.version_id, key=key, position=item.position
    ).items():
        setattr(item, name, value)
    session.add(item)
    for model in (ProcessStep, RiskPoint):
        session.execute(delete(model).where(col(model.item_id) == item.id))
    assert item.id is not None
    content_rows.insert_item_children(session, items=[(item.id, item.version_id, spec)])
    changes = diff.item_diff(old, spec)
    data: dict[str, Any] = {
        "key": key,
        "number": spec.number,
        "fields": changes.changed_fields if changes else [],
    }
    if change:
        data["change"] = change
    _record(session, actor, "powerlist.item_updated", version, data)


def delete_item(session: Session, *, version: ListVersion, key: str, actor: User) -> None:
    _editable(session, version, ListKind.DUTY)
    item = _item_row(session, version, key)
    number, name, position = item.number, item.name, item.position
    session.delete(item)
    session.flush()
    _close_gap(session, PowerItem, version, position)
    _record(
        session,
        actor,
        "powerlist.item_deleted",
        version,
        {"key": key, "number": number, "name": name},
    )


def move_item(
    session: Session, *, version: ListVersion, key: str, direction: Direction, actor: User
) -> None:
    """Swap an item with its neighbour; moving past either end changes nothing."""
    _editable(session, version, ListKind.DUTY)
    item = _item_row(session, version, key)
    if _swap(session, PowerItem, version, item, direction):
        _record(
            session,
            actor,
            "powerlist.item_moved",
            version,
            {"key": key, "direction": direction.value, "position": item.position},
        )


def set_item_team(
    session: Session, *, version: ListVersion, key: str, team: Team | None, actor: User
) -> None:
    """Route complaints about this item to `team` instead of the unit's team (None: default)."""
    _editable(session, version, ListKind.DUTY)
    item = _item_row(session, version, key)
    item.team_override_id = team.id if team is not None else None
    session.add(item)
    _record(
        session,
        actor,
        "powerlist.item_updated",
        version,
        {
            "key": key,
            "number": item.number,
            "fields": ["team_override"],
            "team_id": item.team_override_id,
        },
    )


def _close_gap(
    session: Session, model: type[SQLModel], version: ListVersion, position: int
) -> None:
    session.execute(
        update(model)
        .where(model.version_id == version.id, model.position > position)  # type: ignore[attr-defined]
        .values(position=model.position - 1)  # type: ignore[attr-defined]
    )


def _swap(
    session: Session, model: type[SQLModel], version: ListVersion, row: Any, direction: Direction
) -> bool:
    target = row.position - 1 if direction == Direction.UP else row.position + 1
    neighbour: Any = session.exec(
        select(model).where(model.version_id == version.id, model.position == target)  # type: ignore[attr-defined]
    ).first()
    if neighbour is None:
        return False
    neighbour.position, row.position = row.position, target
    session.add_all([neighbour, row])
    return True


# ---------------------------------------------------------------------------------------------
# Steps and risks: rewrite their item, so ItemSpec's checks (reject targets …) always hold


def _rewrite(
    session: Session,
    *,
    version: ListVersion,
    key: str,
    actor: User,
    change: str,
    mutate: Callable[[dict[str, Any]], None],
) -> None:
    _editable(session, version, ListKind.DUTY)
    data = _spec_of(session, _item_row(session, version, key)).model_dump()
    mutate(data)
    try:
        spec = ItemSpec.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(spec_errors(exc)) from exc
    update_item(session, version=version, key=key, spec=spec, actor=actor, change=change)


def _at(rows: list[Any], position: int, what: str) -> int:
    if not 1 <= position <= len(rows):
        raise NotFound(f"{what}不存在")
    return position - 1


def add_step(
    session: Session, *, version: ListVersion, key: str, spec: StepSpec, actor: User
) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["steps"].append(spec.model_dump())

    _rewrite(session, version=version, key=key, actor=actor, change="step_added", mutate=mutate)


def update_step(
    session: Session,
    *,
    version: ListVersion,
    key: str,
    position: int,
    spec: StepSpec,
    actor: User,
) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["steps"][_at(data["steps"], position, "步骤")] = spec.model_dump()

    _rewrite(session, version=version, key=key, actor=actor, change="step_updated", mutate=mutate)


def delete_step(
    session: Session, *, version: ListVersion, key: str, position: int, actor: User
) -> None:
    """Remove a step; steps that return to it must be changed first."""

    def mutate(data: dict[str, Any]) -> None:
        steps = data["steps"]
        index = _at(steps, position, "步骤")
        if len(steps) == 1:
            raise ValidationFailed({"steps": "事项至少需要一个办理步骤"})
        for number, step in enumerate(steps, start=1):
            if step["reject_to"] == position and number != position:
                raise ValidationFailed(
                    {"steps": f"第 {number} 步不通过时退回到此步骤，请先修改第 {number} 步"}
                )
        del steps[index]
        for step in steps:
            if step["reject_to"] is not None and step["reject_to"] > position:
                step["reject_to"] -= 1

    _rewrite(session, version=version, key=key, actor=actor, change="step_deleted", mutate=mutate)


def move_step(
    session: Session,
    *,
    version: ListVersion,
    key: str,
    position: int,
    direction: Direction,
    actor: User,
) -> None:
    """Swap a step with its neighbour, keeping "退回第 N 步" pointing at the same step."""

    def mutate(data: dict[str, Any]) -> None:
        steps = data["steps"]
        index = _at(steps, position, "步骤")
        other = index - 1 if direction == Direction.UP else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        renumber = {index + 1: other + 1, other + 1: index + 1}
        for step in steps:
            if step["reject_to"] in renumber:
                step["reject_to"] = renumber[step["reject_to"]]

    _rewrite(session, version=version, key=key, actor=actor, change="step_moved", mutate=mutate)


def add_risk(
    session: Session, *, version: ListVersion, key: str, spec: RiskSpec, actor: User
) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["risks"].append(spec.model_dump())

    _rewrite(session, version=version, key=key, actor=actor, change="risk_added", mutate=mutate)


def update_risk(
    session: Session,
    *,
    version: ListVersion,
    key: str,
    position: int,
    spec: RiskSpec,
    actor: User,
) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["risks"][_at(data["risks"], position, "风险点")] = spec.model_dump()

    _rewrite(session, version=version, key=key, actor=actor, change="risk_updated", mutate=mutate)


def delete_risk(
    session: Session, *, version: ListVersion, key: str, position: int, actor: User
) -> None:
    def mutate(data: dict[str, Any]) -> None:
        del data["risks"][_at(data["risks"], position, "风险点")]

    _rewrite(session, version=version, key=key, actor=actor, change="risk_deleted", mutate=mutate)


# ---------------------------------------------------------------------------------------------
# Cadre duties and negative items, addressed by their row key

EntrySpec = CadreDutySpec | NegativeSpec


def _entry_model(
    spec_or_kind: EntrySpec | ListKind,
) -> tuple[type[CadreDuty] | type[NegativeItem], ListKind]:
    if spec_or_kind in (ListKind.CADRE,) or isinstance(spec_or_kind, CadreDutySpec):
        return CadreDuty, ListKind.CADRE
    if spec_or_kind in (ListKind.NEGATIVE,) or isinstance(spec_or_kind, NegativeSpec):
        return NegativeItem, ListKind.NEGATIVE
    raise Conflict("该清单类型不支持此操作")


def _entry_values(spec: EntrySpec, *, version_id: int, key: str, position: int) -> dict[str, Any]:
    if isinstance(spec, CadreDutySpec):
        return content_rows.cadre_values(spec, version_id=version_id, key=key, position=position)
    return content_rows.negative_values(spec, version_id=version_id, key=key, position=position)


def _entry_row(
    session: Session, model: type[CadreDuty] | type[NegativeItem], version: ListVersion, key: str
) -> CadreDuty | NegativeItem:
    row = cast(
        CadreDuty | NegativeItem | None,
        session.exec(select(model).where(model.version_id == version.id, model.key == key)).first(),
    )
    if row is None:
        raise NotFound("条目不存在")
    return row


def _check_entry_number(
    session: Session, version: ListVersion, spec: EntrySpec, key: str | None
) -> None:
    if not isinstance(spec, NegativeSpec):
        return
    clash = session.exec(
        select(NegativeItem.key).where(
            NegativeItem.version_id == version.id,
            NegativeItem.number == spec.number,
            NegativeItem.key != key,
        )
    ).first()
    if clash is not None:
        raise ValidationFailed({"number": f"编号「{spec.number}」在清单中重复"})


def entries(session: Session, *, version: ListVersion) -> list[tuple[str, EntrySpec]]:
    """(key, spec) of a cadre or negative version's rows in order, for the editing screen."""
    loaded = load_content(session, version=version)
    specs: list[EntrySpec] = [*loaded.content.cadre_duties, *loaded.content.negative_items]
    return list(zip(loaded.entry_keys, specs, strict=True))


def add_entry(session: Session, *, version: ListVersion, spec: EntrySpec, actor: User) -> str:
    model, kind = _entry_model(spec)
    _editable(session, version, kind)
    _check_entry_number(session, version, spec, None)
    assert version.id is not None
    key = content_rows.new_key()
    position = _count(session, model, version) + 1
    session.add(model(**_entry_values(spec, version_id=version.id, key=key, position=position)))
    _record(session, actor, "powerlist.entry_added", version, {"key": key, "kind": kind.value})
    return key


def update_entry(
    session: Session, *, version: ListVersion, key: str, spec: EntrySpec, actor: User
) -> None:
    model, kind = _entry_model(spec)
    _editable(session, version, kind)
    row = _entry_row(session, model, version, key)
    _check_entry_number(session, version, spec, key)
    values = _entry_values(spec, version_id=row.version_id, key=key, position=row.position)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    _record(
        session,
        actor,
        "powerlist.entry_updated",
        version,
        {"key": key, "kind": kind.value, "fields": changed},
    )


def delete_entry(
    session: Session, *, version: ListVersion, kind: ListKind, key: str, actor: User
) -> None:
    model, kind = _entry_model(kind)
    _editable(session, version, kind)
    row = _entry_row(session, model, version, key)
    position = row.position
    session.delete(row)
    session.flush()
    _close_gap(session, model, version, position)
    _record(session, actor, "powerlist.entry_deleted", version, {"key": key, "kind": kind.value})


def move_entry(
    session: Session,
    *,
    version: ListVersion,
    kind: ListKind,
    key: str,
    direction: Direction,
    actor: User,
) -> None:
    model, kind = _entry_model(kind)
    _editable(session, version, kind)
    row = _entry_row(session, model, version, key)
    if _swap(session, model, version, row, direction):
        _record(
            session,
            actor,
            "powerlist.entry_moved",
            version,
            {"key": key, "kind": kind.value, "direction": direction.value},
        )
