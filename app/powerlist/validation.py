"""Checks of a whole list before review: blocking errors and advisory warnings, in zh-CN."""

import re
from collections.abc import Sequence

from pydantic import ValidationError

from app.powerlist.specs import ItemSpec, ListContent, ListKind, format_time_limit, spec_errors

_EMPTY: dict[ListKind, tuple[str, str]] = {
    ListKind.DUTY: ("items", "清单中还没有任何权力事项"),
    ListKind.CADRE: ("cadre_duties", "清单中还没有任何干部履职事项"),
    ListKind.NEGATIVE: ("negative_items", "负面清单还没有任何条目"),
}


def submit_errors(content: ListContent) -> dict[str, str]:
    """Problems that block submission, keyed by field path ("items[2].steps[0].time_limit").

    The specs are validated again because stored content may predate a rule (or come from
    a path that skipped it); messages name the item they concern.
    """
    errors: dict[str, str] = {}
    try:
        ListContent.model_validate(content.model_dump())
    except ValidationError as exc:
        errors.update(spec_errors(exc))
    rows: dict[ListKind, Sequence[object]] = {
        ListKind.DUTY: content.items,
        ListKind.CADRE: content.cadre_duties,
        ListKind.NEGATIVE: content.negative_items,
    }
    if not rows[content.kind]:
        field, message = _EMPTY[content.kind]
        errors[field] = message
    return {path: locate(content, path, text) for path, text in errors.items()}


def warnings(content: ListContent, *, known_refs: set[str] | None = None) -> dict[str, str]:
    """Things worth a second look that do not block review, for editors and reviewers.

    Step limits adding up to more than the overall limit are common and often legitimate
    (publicity after approval, a decision's return loop), so they warn instead of failing;
    so do references to numbers the unit's other list (`known_refs`, if it has one) lacks.
    """
    found: dict[str, str] = {}
    for index, item in enumerate(content.items):
        _check_time_limits(item, index, found)
    if known_refs is not None:
        _check_refs(content, known_refs, found)
    return {path: locate(content, path, text) for path, text in found.items()}


def _check_time_limits(item: ItemSpec, index: int, found: dict[str, str]) -> None:
    if item.time_limit is None or not item.steps:
        return
    if any(s.time_limit is None or s.time_unit != item.time_unit for s in item.steps):
        return
    total = sum(s.time_limit or 0 for s in item.steps)
    if total > item.time_limit:
        found[f"items[{index}].time_limit"] = (
            f"各步骤时限合计 {format_time_limit(total, item.time_unit)}，"
            f"超过了事项总时限 {format_time_limit(item.time_limit, item.time_unit)}"
        )


def _check_refs(content: ListContent, known: set[str], found: dict[str, str]) -> None:
    for index, item in enumerate(content.items):
        missing = [ref for ref in item.negative_refs if ref not in known]
        if missing:
            found[f"items[{index}].negative_refs"] = (
                f"负面清单中没有编号为 {'、'.join(missing)} 的条目"
            )
    for index, negative in enumerate(content.negative_items):
        missing = [ref for ref in negative.item_refs if ref not in known]
        if missing:
            found[f"negative_items[{index}].item_refs"] = (
                f"职责清单中没有编号为 {'、'.join(missing)} 的事项"
            )


_ROW_PATH = re.compile(r"(items|cadre_duties|negative_items)\[(\d+)\]")
_ROW_LABELS = {"items": "事项", "cadre_duties": "干部履职", "negative_items": "负面清单"}


def locate(content: ListContent, path: str, message: str) -> str:
    """Prefix a message under items[i] (or another row) with the row it belongs to."""
    match = _ROW_PATH.match(path)
    if match is None:
        return message
    rows, index = match[1], int(match[2])
    if rows == "items" and index < len(content.items):
        item = content.items[index]
        return f"事项 {item.number}「{item.name}」：{message}"
    return f"{_ROW_LABELS[rows]}第 {index + 1} 条：{message}"
