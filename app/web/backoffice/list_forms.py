"""Form models of the list editor and their conversion to the domain's specs and error keys."""

import re
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from app.core.errors import ValidationFailed
from app.powerlist.specs import (
    CadreDutySpec,
    ItemSpec,
    LegalBasisSpec,
    ListKind,
    NegativeSpec,
    RiskLevel,
    RiskSpec,
    StepKind,
    StepSpec,
    TimeUnit,
    spec_errors,
)

# Bounds the request body only: twice the longest spec limit, so that a slightly too long
# value still reaches the spec and gets its precise zh-CN message with the input kept.
Short = Annotated[str, Field(max_length=400)]
Long = Annotated[str, Field(max_length=8000)]

_REF_SEPARATORS = re.compile(r"[、,，;；\s]+")
_ROW = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?")


def lines(text: str) -> list[str]:
    """One entry per non-blank line (materials, duties, legal bases)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def refs(text: str) -> list[str]:
    """Numbers separated by 、 , ; or spaces ("1、3 5" → ["1", "3", "5"])."""
    return [part for part in _REF_SEPARATORS.split(text.strip()) if part]


def parse_legal_basis(line: str) -> dict[str, str]:
    """ "《村民委员会组织法》第二十四条" → title "《村民委员会组织法》", article "第二十四条"."""
    end = line.rfind("》")
    if end == -1:
        return {"title": line.strip(), "article": ""}
    return {"title": line[: end + 1].strip(), "article": line[end + 1 :].strip()}


def legal_bases_text(bases: list[LegalBasisSpec]) -> str:
    return "\n".join(basis.text() for basis in bases)


def _limit(value: str) -> str | None:
    # The spec parses the number, so "五" or "-1" get its zh-CN message, not a 422 page.
    value = value.strip()
    return value or None


def _limit_text(value: int | None) -> str:
    return "" if value is None else str(value)


def _row_errors(errors: dict[str, str], fields: dict[str, str]) -> dict[str, str]:
    """Map spec paths to form field names; list rows ("materials[2]") name their line."""
    mapped: dict[str, str] = {}
    names = set(fields.values())
    for path, message in errors.items():
        match = _ROW.match(path)
        if path in fields:
            mapped.setdefault(fields[path], message)
        elif path in names:
            mapped.setdefault(path, message)
        elif match and match[1] in fields:
            unit = "步" if match[1] == "steps" else "行"
            mapped.setdefault(fields[match[1]], f"第 {int(match[2]) + 1} {unit}：{message}")
        else:
            mapped.setdefault(fields.get(path.split(".")[0], "__all__"), message)
    return mapped


def _validate(model: type[Any], data: dict[str, Any], fields: dict[str, str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_row_errors(spec_errors(exc), fields)) from exc


# ---------------------------------------------------------------------------------------------
# Power items

_ITEM_FIELDS = {
    "number": "number",
    "name": "name",
    "category": "category",
    "responsible": "responsible",
    "time_limit": "time_limit",
    "time_unit": "time_unit",
    "legal_bases": "legal_bases",
    "materials": "materials",
    "disclosure.content": "disclosure_content",
    "disclosure.deadline": "disclosure_deadline",
    "disclosure.channel": "disclosure_channel",
    "disclosure": "disclosure_content",
    "accountability": "accountability",
    "negative_refs": "negative_refs",
    "steps": "steps",
    "steps[0].name": "first_step_name",
    "steps[0].actor": "first_step_actor",
}


class ItemForm(BaseModel):
    """The item's own fields; a new item also names its first step (an item needs one)."""

    number: Short = ""
    name: Short = ""
    category: Short = ""
    responsible: Short = ""
    time_limit: Short = ""
    time_unit: Short = TimeUnit.WORKING.value
    legal_bases: Long = ""
    materials: Long = ""
    disclosure_content: Long = ""
    disclosure_deadline: Short = ""
    disclosure_channel: Short = ""
    accountability: Long = ""
    negative_refs: Short = ""
    first_step_name: Short = ""
    first_step_actor: Short = ""

    @classmethod
    def of(cls, item: ItemSpec) -> "ItemForm":
        return cls(
            number=item.number,
            name=item.name,
            category=item.category,
            responsible=item.responsible,
            time_limit=_limit_text(item.time_limit),
            time_unit=item.time_unit.value,
            legal_bases=legal_bases_text(item.legal_bases),
            materials="\n".join(item.materials),
            disclosure_content=item.disclosure.content,
            disclosure_deadline=item.disclosure.deadline,
            disclosure_channel=item.disclosure.channel,
            accountability=item.accountability,
            negative_refs="、".join(item.negative_refs),
        )

    def spec(self, existing: ItemSpec | None = None) -> ItemSpec:
        """The item as a spec: an edit keeps the existing steps and risks, a new item gets
        its first step from the form."""
        if existing is not None:
            steps = [step.model_dump() for step in existing.steps]
            risks = [risk.model_dump() for risk in existing.risks]
        else:
            steps = [{"name": self.first_step_name, "actor": self.first_step_actor}]
            risks = []
        data = {
            "number": self.number,
            "name": self.name,
            "category": self.category,
            "responsible": self.responsible,
            "time_limit": _limit(self.time_limit),
            "time_unit": self.time_unit,
            "legal_bases": [parse_legal_basis(line) for line in lines(self.legal_bases)],
            "materials": lines(self.materials),
            "disclosure": {
                "content": self.disclosure_content,
                "deadline": self.disclosure_deadline,
                "channel": self.disclosure_channel,
            },
            "accountability": self.accountability,
            "negative_refs": refs(self.negative_refs),
            "steps": steps,
            "risks": risks,
            "key": existing.key if existing is not None else None,
        }
        spec: ItemSpec = _validate(ItemSpec, data, _ITEM_FIELDS)
        return spec


def item_errors(errors: dict[str, str]) -> dict[str, str]:
    """Service errors (keyed by spec path or field) as item form field names."""
    return _row_errors(errors, _ITEM_FIELDS)


# ---------------------------------------------------------------------------------------------
# Steps and risks

_STEP_FIELDS = {
    name: name
    for name in (
        "name",
        "actor",
        "description",
        "time_limit",
        "time_unit",
        "disclosure",
        "kind",
        "reject_to",
        "reject_label",
    )
}


class StepForm(BaseModel):
    name: Short = ""
    actor: Short = ""
    description: Long = ""
    time_limit: Short = ""
    time_unit: Short = TimeUnit.WORKING.value
    disclosure: Long = ""
    kind: Short = StepKind.TASK.value
    reject_to: Short = ""
    reject_label: Short = ""

    @classmethod
    def of(cls, step: StepSpec) -> "StepForm":
        return cls(
            name=step.name,
            actor=step.actor,
            description=step.description,
            time_limit=_limit_text(step.time_limit),
            time_unit=step.time_unit.value,
            disclosure=step.disclosure,
            kind=step.kind.value,
            reject_to=_limit_text(step.reject_to),
            reject_label=step.reject_label,
        )

    def spec(self) -> StepSpec:
        decision = self.kind == StepKind.DECISION.value
        data = {
            "name": self.name,
            "actor": self.actor,
            "description": self.description,
            "time_limit": _limit(self.time_limit),
            "time_unit": self.time_unit,
            "disclosure": self.disclosure,
            "kind": self.kind,
            # A task never returns anywhere; a left-over choice from the decision form is noise.
            "reject_to": _limit(self.reject_to) if decision else None,
            "reject_label": (self.reject_label.strip() or "不通过") if decision else "不通过",
        }
        spec: StepSpec = _validate(StepSpec, data, _STEP_FIELDS)
        return spec


def step_errors(errors: dict[str, str], position: int | None) -> dict[str, str]:
    """Errors of a whole item rewrite, narrowed to the step at `position` (1-based)."""
    mapped: dict[str, str] = {}
    prefix = f"steps[{position - 1}]." if position is not None else None
    for path, message in errors.items():
        if prefix is not None and path.startswith(prefix):
            mapped.setdefault(path.removeprefix(prefix), message)
        elif path in _STEP_FIELDS:
            mapped.setdefault(path, message)
        else:
            mapped.setdefault("__all__", message)
    return mapped


_RISK_FIELDS = {"description": "description", "level": "level", "measure": "measure"}


class RiskForm(BaseModel):
    description: Long = ""
    level: Short = RiskLevel.MEDIUM.value
    measure: Long = ""

    @classmethod
    def of(cls, risk: RiskSpec) -> "RiskForm":
        return cls(description=risk.description, level=risk.level.value, measure=risk.measure)

    def spec(self) -> RiskSpec:
        spec: RiskSpec = _validate(RiskSpec, self.model_dump(), _RISK_FIELDS)
        return spec


def risk_errors(errors: dict[str, str], position: int | None) -> dict[str, str]:
    mapped: dict[str, str] = {}
    prefix = f"risks[{position - 1}]." if position is not None else None
    for path, message in errors.items():
        if prefix is not None and path.startswith(prefix):
            mapped.setdefault(path.removeprefix(prefix), message)
        elif path in _RISK_FIELDS:
            mapped.setdefault(path, message)
        else:
            mapped.setdefault("__all__", message)
    return mapped


# ---------------------------------------------------------------------------------------------
# Cadre duties and negative items: one form model, as one route serves both list kinds

_ENTRY_FIELDS = {
    name: name
    for name in (
        "post",
        "person",
        "duties",
        "requirements",
        "phone",
        "number",
        "act",
        "basis",
        "consequence",
        "item_refs",
    )
}


class EntryForm(BaseModel):
    post: Short = ""
    person: Short = ""
    duties: Long = ""
    requirements: Long = ""
    phone: Short = ""
    number: Short = ""
    act: Long = ""
    basis: Long = ""
    consequence: Long = ""
    item_refs: Short = ""

    @classmethod
    def of(cls, entry: CadreDutySpec | NegativeSpec) -> "EntryForm":
        if isinstance(entry, CadreDutySpec):
            return cls(
                post=entry.post,
                person=entry.person,
                duties="\n".join(entry.duties),
                requirements=entry.requirements,
                phone=entry.phone,
            )
        return cls(
            number=entry.number,
            act=entry.act,
            basis=entry.basis,
            consequence=entry.consequence,
            item_refs="、".join(entry.item_refs),
        )

    def spec(self, kind: ListKind) -> CadreDutySpec | NegativeSpec:
        if kind == ListKind.CADRE:
            cadre: CadreDutySpec = _validate(
                CadreDutySpec,
                {
                    "post": self.post,
                    "person": self.person,
                    "duties": lines(self.duties),
                    "requirements": self.requirements,
                    "phone": self.phone,
                },
                _ENTRY_FIELDS,
            )
            return cadre
        negative: NegativeSpec = _validate(
            NegativeSpec,
            {
                "number": self.number,
                "act": self.act,
                "basis": self.basis,
                "consequence": self.consequence,
                "item_refs": refs(self.item_refs),
            },
            _ENTRY_FIELDS,
        )
        return negative


def entry_errors(errors: dict[str, str]) -> dict[str, str]:
    return _row_errors(errors, _ENTRY_FIELDS)
