"""Field-by-field differences between two versions of a list, with zh-CN labels for display."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from app.powerlist.specs import (
    RISK_LEVEL_LABELS,
    STEP_KIND_LABELS,
    CadreDutySpec,
    ItemSpec,
    ListContent,
    ListKind,
    NegativeSpec,
    RiskSpec,
    StepSpec,
    format_time_limit,
)


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


CHANGE_KIND_LABELS: dict[ChangeKind, str] = {
    ChangeKind.ADDED: "新增",
    ChangeKind.REMOVED: "删除",
    ChangeKind.CHANGED: "修改",
}

ITEM_FIELD_LABELS: dict[str, str] = {
    "number": "编号",
    "name": "事项名称",
    "category": "类别",
    "responsible": "责任主体",
    "legal_bases": "法律依据",
    "time_limit": "办理时限",
    "materials": "申请材料",
    "disclosure_content": "公开内容",
    "disclosure_deadline": "公开时限",
    "disclosure_channel": "公开渠道",
    "accountability": "违规责任追究",
    "negative_refs": "关联负面清单",
    "steps": "办理流程",
    "risks": "风险点",
}
STEP_FIELD_LABELS: dict[str, str] = {
    "name": "步骤名称",
    "actor": "办理主体",
    "description": "办理内容",
    "time_limit": "时限",
    "disclosure": "公开要求",
    "kind": "步骤类型",
    "reject_to": "不通过时",
}
RISK_FIELD_LABELS: dict[str, str] = {
    "description": "风险点",
    "level": "风险等级",
    "measure": "防控措施",
}
CADRE_FIELD_LABELS: dict[str, str] = {
    "post": "岗位",
    "person": "姓名",
    "duties": "履职事项",
    "requirements": "履职要求",
    "phone": "办公电话",
}
NEGATIVE_FIELD_LABELS: dict[str, str] = {
    "number": "编号",
    "act": "禁止行为",
    "basis": "依据",
    "consequence": "违反后果",
    "item_refs": "关联权力事项",
}


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value as displayed text ("" when empty)."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """A step or risk point that was added, removed or changed (matched by position)."""

    change: ChangeKind
    position: int  # 1-based, in the newer version (the older one for removed rows)
    title: str
    fields: list[FieldChange]


@dataclass(frozen=True)
class ItemDiff:
    change: ChangeKind
    key: str | None
    number: str
    name: str
    fields: list[FieldChange]
    steps: list[RowChange] = field(default_factory=list)
    risks: list[RowChange] = field(default_factory=list)

    @property
    def changed_fields(self) -> list[str]:
        """Names of what changed, steps and risks included (for audit events)."""
        names = [f.field for f in self.fields]
        if self.steps:
            names.append("steps")
        if self.risks:
            names.append("risks")
        return names


@dataclass(frozen=True)
class EntryDiff:
    """A cadre duty or negative item that was added, removed or changed."""

    change: ChangeKind
    title: str
    fields: list[FieldChange]


@dataclass(frozen=True)
class ListDiff:
    kind: ListKind
    items: list[ItemDiff]
    cadre_duties: list[EntryDiff]
    negative_items: list[EntryDiff]

    @property
    def rows(self) -> Sequence[ItemDiff | EntryDiff]:
        return [*self.items, *self.cadre_duties, *self.negative_items]

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def count(self, change: ChangeKind) -> int:
        return sum(1 for row in self.rows if row.change == change)

    @property
    def summary(self) -> str:
        """E.g. "新增 2 项，删除 1 项，修改 3 项"; "无变化" when identical."""
        parts = [
            f"{CHANGE_KIND_LABELS[kind]} {n} 项" for kind in ChangeKind if (n := self.count(kind))
        ]
        return "，".join(parts) or "无变化"


# ---------------------------------------------------------------------------------------------
# Display text of each field


def _join(values: Sequence[str], sep: str = "；") -> str:
    return sep.join(v for v in values if v)


def item_fields(item: ItemSpec) -> dict[str, str]:
    return {
        "number": item.number,
        "name": item.name,
        "category": item.category,
        "responsible": item.responsible,
        "legal_bases": _join([f"{b.title}{b.article}" for b in item.legal_bases]),
        "time_limit": format_time_limit(item.time_limit, item.time_unit),
        "materials": _join(item.materials),
        "disclosure_content": item.disclosure.content,
        "disclosure_deadline": item.disclosure.deadline,
        "disclosure_channel": item.disclosure.channel,
        "accountability": item.accountability,
        "negative_refs": _join(item.negative_refs, "、"),
    }


def step_fields(step: StepSpec) -> dict[str, str]:
    return {
        "name": step.name,
        "actor": step.actor,
        "description": step.description,
        "time_limit": format_time_limit(step.time_limit, step.time_unit),
        "disclosure": step.disclosure,
        "kind": STEP_KIND_LABELS[step.kind],
        "reject_to": (
            f"{step.reject_label}，退回第 {step.reject_to} 步" if step.reject_to is not None else ""
        ),
    }


def risk_fields(risk: RiskSpec) -> dict[str, str]:
    return {
        "description": risk.description,
        "level": RISK_LEVEL_LABELS[risk.level],
        "measure": risk.measure,
    }


def cadre_fields(duty: CadreDutySpec) -> dict[str, str]:
    return {
        "post": duty.post,
        "person": duty.person,
        "duties": _join(duty.duties),
        "requirements": duty.requirements,
        "phone": duty.phone,
    }


def negative_fields(negative: NegativeSpec) -> dict[str, str]:
    return {
        "number": negative.number,
        "act": negative.act,
        "basis": negative.basis,
        "consequence": negative.consequence,
        "item_refs": _join(negative.item_refs, "、"),
    }


def _field_changes(
    old: dict[str, str], new: dict[str, str], labels: dict[str, str]
) -> list[FieldChange]:
    return [
        FieldChange(name, labels[name], old.get(name, ""), new.get(name, ""))
        for name in labels
        if name in old or name in new
        if old.get(name, "") != new.get(name, "")
    ]


# ---------------------------------------------------------------------------------------------
# Rows matched by position (steps, risks)

Spec = TypeVar("Spec", StepSpec, RiskSpec)


def _positional(
    old: Sequence[Spec],
    new: Sequence[Spec],
    fields: Callable[[Spec], dict[str, str]],
    labels: dict[str, str],
    title: Callable[[Spec], str],
) -> list[RowChange]:
    changes: list[RowChange] = []
    for index in range(max(len(old), len(new))):
        before = fields(old[index]) if index < len(old) else {}
        after = fields(new[index]) if index < len(new) else {}
        if before == after:
            continue
        kind = (
            ChangeKind.ADDED
            if not before
            else ChangeKind.REMOVED
            if not after
            else ChangeKind.CHANGED
        )
        row = new[index] if index < len(new) else old[index]
        changes.append(
            RowChange(kind, index + 1, title(row), _field_changes(before, after, labels))
        )
    return changes


def _step_title(step: StepSpec) -> str:
    return step.name


def _risk_title(risk: RiskSpec) -> str:
    return risk.description


def item_diff(old: ItemSpec | None, new: ItemSpec | None) -> ItemDiff | None:
    """How one item changed; None when nothing did. Either side may be missing."""
    if old is None and new is None:
        return None
    shown = new if new is not None else old
    assert shown is not None
    kind = (
        ChangeKind.ADDED
        if old is None
        else ChangeKind.REMOVED
        if new is None
        else ChangeKind.CHANGED
    )
    fields = _field_changes(
        item_fields(old) if old else {}, item_fields(new) if new else {}, ITEM_FIELD_LABELS
    )
    steps = _positional(
        old.steps if old else [],
        new.steps if new else [],
        step_fields,
        STEP_FIELD_LABELS,
        _step_title,
    )
    risks = _positional(
        old.risks if old else [],
        new.risks if new else [],
        risk_fields,
        RISK_FIELD_LABELS,
        _risk_title,
    )
    if kind == ChangeKind.CHANGED and not (fields or steps or risks):
        return None
    return ItemDiff(kind, shown.key, shown.number, shown.name, fields, steps, risks)


# ---------------------------------------------------------------------------------------------
# Matching rows across versions

Row = TypeVar("Row", ItemSpec, CadreDutySpec, NegativeSpec)


def _match(
    old: Sequence[Row], new: Sequence[Row], identities: Sequence[Callable[[Row], str | None]]
) -> list[tuple[Row | None, Row | None]]:
    """Pair rows by the first identity that matches (e.g. key, then number); the new order
    is kept, and rows only in the old version follow in their old order."""
    pairs: dict[int, int] = {}  # new index → old index
    used: set[int] = set()
    for identity in identities:
        lookup: dict[str, int] = {}
        for index, row in enumerate(old):
            value = identity(row)
            if value and index not in used:
                lookup.setdefault(value, index)
        for index, row in enumerate(new):
            value = identity(row)
            if index in pairs or not value or value not in lookup:
                continue
            match = lookup.pop(value)
            pairs[index] = match
            used.add(match)
    result: list[tuple[Row | None, Row | None]] = [
        (old[pairs[i]] if i in pairs else None, row) for i, row in enumerate(new)
    ]
    result += [(row, None) for i, row in enumerate(old) if i not in used]
    return result


def _entry_diffs(
    pairs: list[tuple[Row | None, Row | None]],
    fields: Callable[[Row], dict[str, str]],
    labels: dict[str, str],
    title: Callable[[Row], str],
) -> list[EntryDiff]:
    diffs: list[EntryDiff] = []
    for old, new in pairs:
        before = fields(old) if old is not None else {}
        after = fields(new) if new is not None else {}
        if before == after:
            continue
        kind = (
            ChangeKind.ADDED
            if old is None
            else ChangeKind.REMOVED
            if new is None
            else ChangeKind.CHANGED
        )
        shown = new if new is not None else old
        assert shown is not None
        diffs.append(EntryDiff(kind, title(shown), _field_changes(before, after, labels)))
    return diffs


def _cadre_title(duty: CadreDutySpec) -> str:
    return f"{duty.post} {duty.person}"


def _negative_title(negative: NegativeSpec) -> str:
    return f"{negative.number} {negative.act}"


def diff_versions(old: ListContent, new: ListContent) -> ListDiff:
    """What changed from `old` to `new`: items matched by key (else by number), cadre duties
    by post and person (else post), negative items by number (else wording)."""
    items: list[ItemDiff] = []
    for before, after in _match(old.items, new.items, [lambda i: i.key, lambda i: i.number]):
        change = item_diff(before, after)
        if change is not None:
            items.append(change)
    cadre = _entry_diffs(
        _match(
            old.cadre_duties,
            new.cadre_duties,
            [lambda c: f"{c.post}\x1f{c.person}", lambda c: c.post],
        ),
        cadre_fields,
        CADRE_FIELD_LABELS,
        _cadre_title,
    )
    negatives = _entry_diffs(
        _match(old.negative_items, new.negative_items, [lambda n: n.number, lambda n: n.act]),
        negative_fields,
        NEGATIVE_FIELD_LABELS,
        _negative_title,
    )
    return ListDiff(new.kind, items, cadre, negatives)
