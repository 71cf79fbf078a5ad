"""Excel templates, export and all-or-nothing import of list content, with zh-CN cell errors."""

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ValidationError

from app.core.errors import ValidationFailed
from app.powerlist.specs import (
    LIST_KIND_LABELS,
    RISK_LEVEL_LABELS,
    STEP_KIND_LABELS,
    TIME_UNIT_LABELS,
    CadreDutySpec,
    ItemSpec,
    LegalBasisSpec,
    ListContent,
    ListKind,
    NegativeSpec,
    RiskLevel,
    RiskSpec,
    StepKind,
    StepSpec,
    TimeUnit,
    spec_errors,
)

HELP_SHEET = "说明"
MAX_ROWS = 5000  # far above any real list; stops a pathological upload early
TEMPLATE_ROWS = 1000  # rows that carry drop-down validation in a blank template
DEFAULT_REJECT_LABEL = "不通过"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    width: int
    help: str
    choices: tuple[str, ...] = ()
    optional: bool = False  # may be absent from an uploaded sheet (older or hand-made files)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    help: str

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


_UNITS = tuple(TIME_UNIT_LABELS.values())
_LEVELS = tuple(RISK_LEVEL_LABELS.values())
_KINDS = tuple(STEP_KIND_LABELS.values())

ITEMS = SheetSpec(
    "事项",
    (
        Column("编号", "number", 8, "必填，清单内唯一，如 1.3"),
        Column("事项名称", "name", 24, "必填，如 村级重大事项决策"),
        Column("类别", "category", 12, "必填，如 集体管理、便民服务"),
        Column("责任主体", "responsible", 20, "必填，具体实施的岗位或组织，如 村党组织"),
        Column(
            "法律依据",
            "legal_bases",
            36,
            "每行一条，写成《法规名称》第…条，如《中华人民共和国村民委员会组织法》第二十四条",
        ),
        Column("办理时限", "time_limit", 10, "正整数（天数），没有时限可留空"),
        Column("时限类型", "time_unit", 10, "工作日 或 自然日，留空按工作日", _UNITS),
        Column("申请材料", "materials", 30, "每行一项"),
        Column("公开内容", "disclosure_content", 30, "运行过程公开公示的内容"),
        Column("公开时限", "disclosure_deadline", 16, "如 每季度首月 20 日前"),
        Column("公开渠道", "disclosure_channel", 20, "如 村务公开栏、“监督一点通”平台"),
        Column("责任追究", "accountability", 30, "违反规定时的责任追究"),
        Column("关联负面清单", "negative_refs", 14, "负面清单编号，多个用顿号分隔，如 1、3"),
        Column(
            "系统标识",
            "key",
            14,
            "系统导出时自动填写，用来在新旧版本之间识别同一事项；请勿修改，新增事项留空",
            optional=True,
        ),
    ),
    "每行一个权力事项。办理步骤填在「流程」工作表，风险点填在「风险点」工作表。",
)

STEPS = SheetSpec(
    "流程",
    (
        Column("事项编号", "item", 10, "必填，对应「事项」工作表的编号"),
        Column("步骤序号", "position", 10, "必填，同一事项内从 1 开始依次编号"),
        Column("步骤名称", "name", 24, "必填，如 村党组织提议"),
        Column("办理主体", "actor", 20, "必填，如 村党组织"),
        Column("步骤说明", "description", 36, "可选"),
        Column("步骤时限", "time_limit", 10, "正整数（天数），可留空"),
        Column("时限类型", "time_unit", 10, "工作日 或 自然日，留空按工作日", _UNITS),
        Column("步骤类型", "kind", 10, "办理 或 判断（审核、表决等），留空按办理", _KINDS),
        Column(
            "不通过退回步骤",
            "reject_to",
            14,
            "仅判断步骤填写：不通过时退回的步骤序号（必须在本步骤之前）；留空表示不通过即结束",
        ),
        Column(
            "不通过标注",
            "reject_label",
            12,
            "流程图上不通过分支的文字，留空为“不通过”",
            optional=True,
        ),
        Column("公开事项", "disclosure", 30, "本步骤公开公示的内容和方式，如 方案公示 15 日"),
    ),
    "每行一个办理步骤，按步骤序号排列成流程图。",
)

RISKS = SheetSpec(
    "风险点",
    (
        Column("事项编号", "item", 10, "必填，对应「事项」工作表的编号"),
        Column("风险点", "description", 40, "必填，廉政风险的具体表现"),
        Column("风险等级", "level", 10, "必填：高、中 或 低", _LEVELS),
        Column("防控措施", "measure", 40, "必填"),
    ),
    "每行一个风险点；一个事项可以有多个风险点。",
)

CADRES = SheetSpec(
    "干部履职",
    (
        Column("岗位", "post", 16, "必填，如 村党组织书记"),
        Column("姓名", "person", 10, "必填（在公示栏公开）"),
        Column("履职事项", "duties", 48, "必填，每行一项"),
        Column("履职要求", "requirements", 36, "可选"),
        Column("办公电话", "phone", 16, "可选"),
    ),
    "每行一名干部的岗位和履职事项。",
)

NEGATIVES = SheetSpec(
    "负面清单",
    (
        Column("编号", "number", 8, "必填，清单内唯一"),
        Column("禁止行为", "act", 48, "必填，以“不得”“严禁”或“禁止”开头"),
        Column("依据", "basis", 36, "可选"),
        Column("违反后果", "consequence", 36, "可选"),
        Column("关联事项", "item_refs", 14, "相关权力事项编号，多个用顿号分隔"),
    ),
    "每行一条负面清单（不得……）。",
)

SHEETS: dict[ListKind, tuple[SheetSpec, ...]] = {
    ListKind.DUTY: (ITEMS, STEPS, RISKS),
    ListKind.CADRE: (CADRES,),
    ListKind.NEGATIVE: (NEGATIVES,),
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_WRAP = Alignment(wrap_text=True, vertical="top")
_REF_SPLIT = re.compile(r"[\s、,，;；]+")

_E = TypeVar("_E", bound=StrEnum)
_M = TypeVar("_M", bound=BaseModel)


# --- writing ---------------------------------------------------------------------------------


def _new_workbook(kind: ListKind, rows: int) -> Workbook:
    workbook = Workbook()
    first = True
    for sheet in SHEETS[kind]:
        if first:
            worksheet = workbook.active
            assert worksheet is not None
            worksheet.title = sheet.name
            first = False
        else:
            worksheet = workbook.create_sheet(sheet.name)
        _write_header(worksheet, sheet, rows)
    workbook.properties.title = LIST_KIND_LABELS[kind]
    return workbook


def _write_header(worksheet: Worksheet, sheet: SheetSpec, rows: int) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="取值无效",
                error="请从下拉列表中选择：" + "、".join(column.choices),
            )
            validation.add(f"{letter}2:{letter}{rows + 1}")
            worksheet.add_data_validation(validation)
    worksheet.freeze_panes = "A2"


def _write_help(workbook: Workbook, kind: ListKind, heading: Sequence[str]) -> None:
    worksheet = workbook.create_sheet(HELP_SHEET)
    worksheet.column_dimensions["A"].width = 16
    worksheet.column_dimensions["B"].width = 18
    worksheet.column_dimensions["C"].width = 80
    lines: list[tuple[str, str, str]] = [(text, "", "") for text in heading]
    lines += [
        (f"{LIST_KIND_LABELS[kind]}导入说明", "", ""),
        ("", "", "第一行是表头，请勿修改或删除；从第二行起每行一条，整行留空的行会被忽略。"),
        ("", "", "有任何错误时整个文件都不会导入，系统会按工作表、行和列列出全部问题。"),
        ("", "", "一个单元格里填写多项时，每项占一行（单元格内换行：Alt+Enter）。"),
        ("工作表", "列", "填写要求"),
    ]
    for sheet in SHEETS[kind]:
        lines.append((sheet.name, "", sheet.help))
        lines += [(sheet.name, column.header, column.help) for column in sheet.columns]
    for row, values in enumerate(lines, start=1):
        for col, value in enumerate(values, start=1):
            cell = worksheet.cell(row=row, column=col, value=value)
            cell.alignment = _WRAP
            if values[0] and not values[1] and not values[2]:
                cell.font = _HEADER_FONT
        if values == ("工作表", "列", "填写要求"):
            for col in range(1, 4):
                worksheet.cell(row=row, column=col).font = _HEADER_FONT
                worksheet.cell(row=row, column=col).fill = _HEADER_FILL


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook(kind: ListKind) -> bytes:
    """A blank workbook to fill in: headers, drop-downs and a 说明 sheet."""
    workbook = _new_workbook(kind, TEMPLATE_ROWS)
    _write_help(workbook, kind, [])
    return _save(workbook)


def _legal_basis_text(basis: LegalBasisSpec) -> str:
    # Without 《》 the article could not be told apart from the title on the way back in.
    if basis.title.endswith("》") or not basis.article:
        return basis.title + basis.article
    return f"{basis.title} {basis.article}"


def _put(worksheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    for col, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = worksheet.cell(row=row, column=col, value=value)
        if isinstance(value, str):
            # A leading "=" must stay text: exported content is never a formula.
            cell.data_type = "s"
        cell.alignment = _WRAP


def export_workbook(content: ListContent, *, unit_name: str, version_label: str) -> bytes:
    """The content in the template's layout, so an unchanged export imports as the same draft."""
    rows = max(len(content.items), len(content.cadre_duties), len(content.negative_items))
    workbook = _new_workbook(content.kind, rows + 200)
    if content.kind == ListKind.DUTY:
        _export_duty(workbook, content.items)
    elif content.kind == ListKind.CADRE:
        sheet = workbook[CADRES.name]
        for row, duty in enumerate(content.cadre_duties, start=2):
            values = [duty.post, duty.person, "\n".join(duty.duties), duty.requirements]
            _put(sheet, row, [*values, duty.phone])
    else:
        sheet = workbook[NEGATIVES.name]
        for row, negative in enumerate(content.negative_items, start=2):
            refs = "、".join(negative.item_refs)
            values = [negative.number, negative.act, negative.basis, negative.consequence, refs]
            _put(sheet, row, values)
    heading = [f"{unit_name} {LIST_KIND_LABELS[content.kind]}", f"版本：{version_label}", ""]
    _write_help(workbook, content.kind, heading)
    workbook.properties.title = f"{unit_name} {LIST_KIND_LABELS[content.kind]} {version_label}"
    return _save(workbook)


def _export_duty(workbook: Workbook, items: Sequence[ItemSpec]) -> None:
    items_sheet, steps_sheet, risks_sheet = (workbook[s.name] for s in (ITEMS, STEPS, RISKS))
    step_row = risk_row = 2
    for row, item in enumerate(items, start=2):
        _put(
            items_sheet,
            row,
            [
                item.number,
                item.name,
                item.category,
                item.responsible,
                "\n".join(_legal_basis_text(b) for b in item.legal_bases),
                item.time_limit,
                TIME_UNIT_LABELS[item.time_unit],
                "\n".join(item.materials),
                item.disclosure.content,
                item.disclosure.deadline,
                item.disclosure.channel,
                item.accountability,
                "、".join(item.negative_refs),
                item.key,
            ],
        )
        for position, step in enumerate(item.steps, start=1):
            label = "" if step.reject_label == DEFAULT_REJECT_LABEL else step.reject_label
            _put(
                steps_sheet,
                step_row,
                [
                    item.number,
                    position,
                    step.name,
                    step.actor,
                    step.description,
                    step.time_limit,
                    TIME_UNIT_LABELS[step.time_unit],
                    STEP_KIND_LABELS[step.kind],
                    step.reject_to,
                    label,
                    step.disclosure,
                ],
            )
            step_row += 1
        for risk in item.risks:
            values = [item.number, risk.description, RISK_LEVEL_LABELS[risk.level], risk.measure]
            _put(risks_sheet, risk_row, values)
            risk_row += 1


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Row:
    sheet: SheetSpec
    number: int
    values: dict[str, Any]


@dataclass
class _Reader:
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def cell_error(self, row: _Row, field_name: str, message: str) -> None:
        index = row.sheet.columns.index(row.sheet.column(field_name)) + 1
        header = row.sheet.column(field_name).header
        self.add(
            f"{row.sheet.name}!{get_column_letter(index)}{row.number}",
            f"{row.sheet.name} 工作表第 {row.number} 行「{header}」列：{message}",
        )

    def row_error(self, row: _Row, message: str) -> None:
        self.add(
            f"{row.sheet.name}!{row.number}",
            f"{row.sheet.name} 工作表第 {row.number} 行：{message}",
        )

    # Cell conversions: each returns a usable value and records a problem instead of raising.

    def text(self, row: _Row, field_name: str) -> str:
        return _as_text(row.values.get(field_name))

    def lines(self, row: _Row, field_name: str) -> list[str]:
        return [line.strip() for line in self.text(row, field_name).splitlines() if line.strip()]

    def refs(self, row: _Row, field_name: str) -> list[str]:
        return [ref for ref in _REF_SPLIT.split(self.text(row, field_name)) if ref]

    def integer(self, row: _Row, field_name: str) -> int | None:
        value = row.values.get(field_name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is None or number <= 0:
            self.cell_error(row, field_name, "必须是正整数")
            return None
        return number

    def choice(
        self, row: _Row, field_name: str, labels: Mapping[_E, str], default: _E | None
    ) -> _E | None:
        text = self.text(row, field_name)
        if not text:
            if default is None:
                self.cell_error(row, field_name, "必须填写")
            return default
        for member, label in labels.items():
            if text in (label, member.value):
                return member
        allowed = "」「".join(labels.values())
        self.cell_error(row, field_name, f"只能填写「{allowed}」")
        return default

    def validate(
        self, model: type[_M], data: dict[str, Any], row: _Row, columns: Mapping[str, str]
    ) -> _M | None:
        """Validate through the spec; map each problem's field back to its column."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for path, message in spec_errors(exc).items():
                # "disclosure.deadline" has its own column; "materials[2]" belongs to "materials".
                whole = path.split("[", 1)[0]
                top = re.split(r"[.\[]", path, maxsplit=1)[0]
                column = columns.get(whole) or columns.get(top)
                if column:
                    self.cell_error(row, column, message)
                else:
                    self.row_error(row, message)
            return None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 编号 typed as a number: 3 comes back as 3.0
    return str(value).strip()


def _open(data: bytes) -> Workbook:
    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ValidationFailed(
            {"file": "无法读取文件：请上传用 Excel 或 WPS 保存的 .xlsx 文件（不支持 .xls、.csv）"},
            "无法读取上传的文件",
        ) from exc
    except Exception as exc:  # openpyxl raises assorted errors on malformed packages
        raise ValidationFailed(
            {"file": "文件内容已损坏或不是有效的 .xlsx 文件"}, "无法读取上传的文件"
        ) from exc


def _read_sheet(reader: _Reader, worksheet: Worksheet, sheet: SheetSpec) -> list[_Row]:
    header_cells = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    positions: dict[str, int] = {}
    known = {c.header: c for c in sheet.columns}
    for index, raw in enumerate(header_cells):
        header = _as_text(raw)
        if not header:
            continue
        letter = get_column_letter(index + 1)
        if header not in known:
            reader.add(
                f"{sheet.name}!{letter}1",
                f"{sheet.name} 工作表第 1 行第 {letter} 列：不认识的表头「{header}」",
            )
        elif known[header].field in positions:
            reader.add(
                f"{sheet.name}!{letter}1",
                f"{sheet.name} 工作表第 1 行第 {letter} 列：表头「{header}」重复",
            )
        else:
            positions[known[header].field] = index
    missing = [c.header for c in sheet.columns if c.field not in positions and not c.optional]
    for header in missing:
        reader.add(
            f"{sheet.name}!表头「{header}」", f"{sheet.name} 工作表第 1 行：缺少「{header}」列"
        )
    if missing or worksheet.max_row > MAX_ROWS + 1:
        if worksheet.max_row > MAX_ROWS + 1:
            reader.add(sheet.name, f"{sheet.name} 工作表超过 {MAX_ROWS} 行，请拆分后再导入")
        return []
    rows: list[_Row] = []
    for number, cells in enumerate(worksheet.iter_rows(min_row=2, values_only=True), start=2):
        values = {
            name: cells[index] if index < len(cells) else None for name, index in positions.items()
        }
        if all(_as_text(v) == "" for v in values.values()):
            continue
        rows.append(_Row(sheet, number, values))
    return rows


def parse_workbook(data: bytes, kind: ListKind) -> ListContent:
    """Read an uploaded workbook; raise ValidationFailed listing every problem, import nothing."""
    workbook = _open(data)
    reader = _Reader()
    expected = {s.name: s for s in SHEETS[kind]}
    for name in workbook.sheetnames:
        if name not in expected and name != HELP_SHEET:
            reader.add(
                name,
                f"不认识的工作表「{name}」（{LIST_KIND_LABELS[kind]}应包含："
                + "、".join(expected)
                + "）",
            )
    tables: dict[str, list[_Row]] = {}
    for name, sheet in expected.items():
        if name not in workbook.sheetnames:
            reader.add(name, f"缺少「{name}」工作表")
            tables[name] = []
        else:
            tables[name] = _read_sheet(reader, workbook[name], sheet)

    parts: dict[str, Sequence[BaseModel | None]]
    if kind == ListKind.DUTY:
        parts = {"items": _parse_duty(reader, tables)}
    elif kind == ListKind.CADRE:
        parts = {"cadre_duties": [_parse_cadre(reader, row) for row in tables[CADRES.name]]}
    else:
        parts = {"negative_items": _parse_negatives(reader, tables[NEGATIVES.name])}
    content = _final(reader, kind, parts)
    if reader.errors or content is None:
        raise ValidationFailed(
            reader.errors, f"导入失败：发现 {len(reader.errors)} 处问题，未导入任何内容"
        )
    return content


def _final(
    reader: _Reader, kind: ListKind, parts: dict[str, Sequence[BaseModel | None]]
) -> ListContent | None:
    if reader.errors or any(part is None for values in parts.values() for part in values):
        return None
    try:
        return ListContent.model_validate({"kind": kind, **parts})
    except ValidationError as exc:  # duplicates are caught earlier; this is a safety net
        for path, message in spec_errors(exc).items():
            reader.add(path, message)
        return None


def _parse_legal_basis(line: str) -> dict[str, str]:
    if "》" in line:
        head, _, tail = line.rpartition("》")
        return {"title": head + "》", "article": tail.strip()}
    match = re.match(r"^(.*\S)\s+(第\S.*)$", line)
    if match:
        return {"title": match.group(1), "article": match.group(2)}
    return {"title": line, "article": ""}


_ITEM_COLUMNS = {
    "number": "number",
    "name": "name",
    "category": "category",
    "responsible": "responsible",
    "legal_bases": "legal_bases",
    "time_limit": "time_limit",
    "time_unit": "time_unit",
    "materials": "materials",
    "disclosure": "disclosure_content",
    "disclosure.content": "disclosure_content",
    "disclosure.deadline": "disclosure_deadline",
    "disclosure.channel": "disclosure_channel",
    "accountability": "accountability",
    "negative_refs": "negative_refs",
    "key": "key",
}
_STEP_COLUMNS = {f: f for f in ("name", "actor", "description", "time_limit", "time_unit")} | {
    "kind": "kind",
    "reject_to": "reject_to",
    "reject_label": "reject_label",
    "disclosure": "disclosure",
}
_RISK_COLUMNS = {"description": "description", "level": "level", "measure": "measure"}


def _unique(reader: _Reader, rows: Iterable[_Row], field_name: str) -> dict[str, _Row]:
    """First row per value of `field_name`; later duplicates are reported on their own row."""
    seen: dict[str, _Row] = {}
    for row in rows:
        value = reader.text(row, field_name)
        if not value:
            continue
        if value in seen:
            reader.cell_error(row, field_name, f"编号「{value}」与第 {seen[value].number} 行重复")
        else:
            seen[value] = row
    return seen


def _parse_duty(reader: _Reader, tables: Mapping[str, list[_Row]]) -> list[ItemSpec | None]:
    item_rows = tables[ITEMS.name]
    by_number = _unique(reader, item_rows, "number")
    steps_by_item: dict[str, list[_Row]] = {n: [] for n in by_number}
    risks_by_item: dict[str, list[RiskSpec | None]] = {n: [] for n in by_number}

    for row in tables[STEPS.name]:
        number = reader.text(row, "item")
        if not number:
            reader.cell_error(row, "item", "必须填写")
        elif number not in by_number:
            reader.cell_error(row, "item", f"事项编号「{number}」在「事项」工作表中不存在")
        else:
            steps_by_item[number].append(row)

    for row in tables[RISKS.name]:
        number = reader.text(row, "item")
        level = reader.choice(row, "level", RISK_LEVEL_LABELS, None)
        if not number:
            reader.cell_error(row, "item", "必须填写")
        elif number not in by_number:
            reader.cell_error(row, "item", f"事项编号「{number}」在「事项」工作表中不存在")
        data: dict[str, Any] = {
            "description": reader.text(row, "description"),
            "level": level or RiskLevel.LOW,
            "measure": reader.text(row, "measure"),
        }
        risk = reader.validate(RiskSpec, data, row, _RISK_COLUMNS)
        if number in risks_by_item:
            risks_by_item[number].append(risk if level else None)

    keys: dict[str, _Row] = {}
    items: list[ItemSpec | None] = []
    for row in item_rows:
        number = reader.text(row, "number")
        first = by_number.get(number) is row  # a duplicate number was reported already
        steps = _parse_steps(reader, steps_by_item[number]) if first else []
        if first and not steps_by_item[number]:
            reader.row_error(row, "该事项在「流程」工作表中没有办理步骤")
        key = reader.text(row, "key") or None
        if key is not None:
            if key in keys:
                reader.cell_error(row, "key", f"与第 {keys[key].number} 行的系统标识重复")
            keys.setdefault(key, row)
        data = {
            "number": number,
            "name": reader.text(row, "name"),
            "category": reader.text(row, "category"),
            "responsible": reader.text(row, "responsible"),
            "legal_bases": [_parse_legal_basis(line) for line in reader.lines(row, "legal_bases")],
            "time_limit": reader.integer(row, "time_limit"),
            "time_unit": reader.choice(row, "time_unit", TIME_UNIT_LABELS, TimeUnit.WORKING),
            "materials": reader.lines(row, "materials"),
            "disclosure": {
                "content": reader.text(row, "disclosure_content"),
                "deadline": reader.text(row, "disclosure_deadline"),
                "channel": reader.text(row, "disclosure_channel"),
            },
            "accountability": reader.text(row, "accountability"),
            "negative_refs": reader.refs(row, "negative_refs"),
            "key": key,
            # Step problems are reported on the 流程 rows; a stand-in keeps item checks running.
            "steps": steps if steps and all(steps) else [StepSpec(name="-", actor="-")],
            "risks": [],
        }
        item = reader.validate(ItemSpec, data, row, _ITEM_COLUMNS)
        risks = risks_by_item[number] if first else []
        if item is None or not steps or not all(steps) or not all(risks):
            items.append(None)
            continue
        items.append(item.model_copy(update={"risks": risks}))
    return items


def _parse_steps(reader: _Reader, rows: list[_Row]) -> list[StepSpec | None]:
    positioned: list[tuple[int, _Row]] = []
    seen: dict[int, _Row] = {}
    broken = False
    for row in rows:
        position = reader.integer(row, "position")
        if position is None:
            if not reader.text(row, "position"):
                reader.cell_error(row, "position", "必须填写")
            broken = True
            continue
        if position in seen:
            reader.cell_error(
                row, "position", f"步骤序号 {position} 与第 {seen[position].number} 行重复"
            )
            broken = True
            continue
        seen[position] = row
        positioned.append((position, row))
    positioned.sort(key=lambda pair: pair[0])
    # 不通过退回步骤 names a 步骤序号; the spec counts positions in the sorted list.
    index_of = {position: index for index, (position, _) in enumerate(positioned, start=1)}
    steps: list[StepSpec | None] = []
    for index, (position, row) in enumerate(positioned, start=1):
        kind = reader.choice(row, "kind", STEP_KIND_LABELS, StepKind.TASK)
        reject = reader.integer(row, "reject_to")
        reject_to: int | None = None
        if reject is not None:
            if kind != StepKind.DECISION:
                reader.cell_error(row, "reject_to", "只有步骤类型为「判断」的步骤才能填写")
                broken = True
            elif reject not in index_of or index_of[reject] >= index:
                reader.cell_error(
                    row, "reject_to", f"退回步骤必须是本事项中序号小于 {position} 的步骤"
                )
                broken = True
            else:
                reject_to = index_of[reject]
        data: dict[str, Any] = {
            "name": reader.text(row, "name"),
            "actor": reader.text(row, "actor"),
            "description": reader.text(row, "description"),
            "time_limit": reader.integer(row, "time_limit"),
            "time_unit": reader.choice(row, "time_unit", TIME_UNIT_LABELS, TimeUnit.WORKING),
            "kind": kind,
            "reject_to": reject_to,
            "reject_label": reader.text(row, "reject_label") or DEFAULT_REJECT_LABEL,
            "disclosure": reader.text(row, "disclosure"),
        }
        steps.append(reader.validate(StepSpec, data, row, _STEP_COLUMNS))
    if broken:
        steps.append(None)
    return steps


def _parse_cadre(reader: _Reader, row: _Row) -> CadreDutySpec | None:
    data: dict[str, Any] = {
        "post": reader.text(row, "post"),
        "person": reader.text(row, "person"),
        "duties": reader.lines(row, "duties"),
        "requirements": reader.text(row, "requirements"),
        "phone": reader.text(row, "phone"),
    }
    return reader.validate(CadreDutySpec, data, row, {k: k for k in data})


def _parse_negatives(reader: _Reader, rows: list[_Row]) -> list[NegativeSpec | None]:
    _unique(reader, rows, "number")
    negatives: list[NegativeSpec | None] = []
    for row in rows:
        data: dict[str, Any] = {
            "number": reader.text(row, "number"),
            "act": reader.text(row, "act"),
            "basis": reader.text(row, "basis"),
            "consequence": reader.text(row, "consequence"),
            "item_refs": reader.refs(row, "item_refs"),
        }
        negatives.append(reader.validate(NegativeSpec, data, row, {k: k for k in data}))
    return negatives
