"""Import the unit tree from an NBS division-code CSV: validated first, all or nothing."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlmodel import Session, SQLModel

from app.audit import service as audit_service
from app.core import clock
from app.core.errors import ValidationFailed
from app.unit.models import Unit, UnitKind
from app.unit.pinyin import pinyin_keys

HEADER = ("code", "name", "level", "parent_code", "urban_rural_code")
_REQUIRED_COLUMNS = HEADER[:4]
LEVELS = ("province", "city", "county", "town", "village")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
# Significant digits of a code at each level; the rest of the 12 digits are zeros.
_PREFIX = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}
# A file may be an extract (ninghai.csv starts at its county, whose city is not in the file):
# rows of the file's top level at or above county may then start the tree. Towns and villages
# always need their parent, so a mistyped parent code cannot silently create a second root.
_ROOT_LEVELS = frozenset({"province", "city", "county"})
_NAME_MAX = 100
_MAX_REPORTED = 200
_CHUNK = 1000


@dataclass(frozen=True)
class DivisionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class ImportResult:
    """Counts per CSV row; `moved` counts other units (offices …) whose ancestors moved."""

    file_name: str
    created: int
    updated: int
    unchanged: int
    moved: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"区划导入完成（{self.file_name}，共 {self.total} 行）："
            f"新增 {self.created} 个单位，更新 {self.updated} 个，未变 {self.unchanged} 个。"
        )
        if self.moved:
            text += f"另有 {self.moved} 个下属单位随上级调整了层级路径。"
        return text


def kind_for(level: str, code: str) -> UnitKind:
    """The unit kind a division row stands for; towns and villages are told apart by their code."""
    if level == "province":
        return UnitKind.PROVINCE
    if level == "city":
        return UnitKind.CITY
    if level == "county":
        return UnitKind.COUNTY
    if level == "town":
        # Town segment 001–099 is a 街道; 100–599 are 镇, 乡 and township-like units.
        return UnitKind.SUBDISTRICT if 1 <= int(code[6:9]) <= 99 else UnitKind.TOWNSHIP
    segment = int(code[9:12])
    # 001–199 居委会/社区 and 400–499 居委会-like units; 200–399 村委会 and 500–599 村-like units.
    if 1 <= segment <= 199 or 400 <= segment <= 499:
        return UnitKind.COMMUNITY
    return UnitKind.VILLAGE


class _Problems:
    """One zh-CN message per problem, keyed by line; capped so a wrong file stays legible."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if self.count <= _MAX_REPORTED:
            self.errors[f"line_{line}_{self.count}"] = f"第 {line} 行：{message}"

    def raise_if_any(self) -> None:
        if not self.count:
            return
        if self.count > _MAX_REPORTED:
            self.errors["more"] = f"……另有 {self.count - _MAX_REPORTED} 个问题未列出"
        summary = f"区划文件有 {self.count} 个问题，未导入任何数据"
        raise ValidationFailed(self.errors, message=summary)


def _is_code(value: str) -> bool:
    return len(value) == 12 and value.isascii() and value.isdigit()


def _shape_matches(code: str, level: str) -> bool:
    """A level's own segment is not all zeros and every digit after it is zero."""
    end = _PREFIX[level]
    start = 0 if level == "province" else _PREFIX[LEVELS[_RANK[level] - 1]]
    return code[start:end].strip("0") != "" and code[end:].strip("0") == ""


def parse_csv(text: str) -> list[DivisionRow]:
    """Check all the file alone can tell; raise ValidationFailed listing every problem."""
    problems = _Problems()
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        problems.add(1, "文件为空，缺少表头 " + ",".join(HEADER))
        problems.raise_if_any()
    assert header is not None
    columns = [name.strip().lower() for name in header]
    missing = [name for name in _REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.add(1, f"表头缺少列 {'、'.join(missing)}（应为 {','.join(HEADER)}）")
        problems.raise_if_any()
    index = {name: columns.index(name) for name in _REQUIRED_COLUMNS}
    width = max(index.values()) + 1

    rows: list[DivisionRow] = []
    line_of: dict[str, int] = {}
    level_of: dict[str, str] = {}
    for record in reader:
        line = reader.line_num
        if not any(field.strip() for field in record):
            continue
        if len(record) < width:
            problems.add(line, f"列数不足（应有 {len(HEADER)} 列：{','.join(HEADER)}）")
            continue
        code = record[index["code"]].strip()
        name = record[index["name"]].strip()
        level = record[index["level"]].strip().lower()
        parent = record[index["parent_code"]].strip()
        code_ok = _is_code(code)
        if not code_ok:
            problems.add(line, f"代码“{code}”应为 12 位数字")
        if level not in _RANK:
            problems.add(line, f"层级“{level}”无效（应为 {'、'.join(LEVELS)} 之一）")
        elif code_ok and not _shape_matches(code, level):
            problems.add(line, f"代码 {code} 与层级 {level} 不符")
        if not name:
            problems.add(line, "名称为空")
        elif len(name) > _NAME_MAX:
            problems.add(line, f"名称超过 {_NAME_MAX} 个字")
        if code_ok:
            if code in line_of:
                problems.add(line, f"代码 {code} 与第 {line_of[code]} 行重复")
            else:
                line_of[code] = line
                level_of[code] = level
        if level in _RANK:
            _check_parent(problems, line, code, level, parent, line_of, level_of)
        rows.append(DivisionRow(line, code, name, level, parent))

    # A parent listed after its child: reported now that the whole file has been read.
    for row in rows:
        parent_line = line_of.get(row.parent_code)
        if parent_line is not None and parent_line > row.line:
            problems.add(row.line, f"上级 {row.parent_code}（第 {parent_line} 行）须排在本行之前")
    problems.raise_if_any()
    return rows


def _check_parent(
    problems: _Problems,
    line: int,
    code: str,
    level: str,
    parent: str,
    line_of: dict[str, int],
    level_of: dict[str, str],
) -> None:
    if level == "province":
        if parent:
            problems.add(line, "省级单位不应填写上级代码")
        return
    if not parent:
        if level not in _ROOT_LEVELS:
            problems.add(line, "缺少上级代码")
        return
    if not _is_code(parent):
        problems.add(line, f"上级代码“{parent}”应为 12 位数字")
        return
    if parent == code:
        problems.add(line, "上级代码不能是本行代码")
        return
    expected = LEVELS[_RANK[level] - 1]
    if not _shape_matches(parent, expected):
        problems.add(line, f"上级代码 {parent} 不是 {expected} 级代码")
        return
    prefix = _PREFIX[expected]
    if _is_code(code) and code[:prefix] != parent[:prefix]:
        problems.add(line, f"代码 {code} 不以上级代码 {parent} 的前缀 {parent[:prefix]} 开头")
        return
    parent_level = level_of.get(parent)
    if parent_level is not None and _RANK[parent_level] >= _RANK[level]:
        where = f"上级 {parent}（第 {line_of[parent]} 行）"
        problems.add(line, f"{where}的层级 {parent_level} 不高于本行")


@dataclass
class _Node:
    """A unit as the import sees it: stored values (None for new units) and wanted values."""

    code: str
    id: int | None
    parent_code: str | None
    name: str = ""
    kind: UnitKind | None = None
    parent_id: int | None = None
    path: str = "/"
    depth: int = 0
    pinyin: str = ""
    pinyin_initials: str = ""
    row: DivisionRow | None = None


def _unit_table() -> Table:
    return SQLModel.metadata.tables["unit"]


def import_csv(session: Session, *, path: Path, actor: audit_service.Actor | None) -> ImportResult:
    """Create or update the units in an NBS CSV, matched by code; one audit event for the file.

    Validates every row first (nothing is written when any row is bad). Re-importing the same
    file changes nothing; a renamed or moved unit is updated in place. Only name, kind, parent
    (and with it path and depth) change on existing units; hotline, team, address stay.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": "文件不是 UTF-8 编码，请另存为 UTF-8 CSV 后重试"}) from None
    rows = parse_csv(text)
    # Flush pending ORM changes so the bulk statements below see (and do not overwrite) them.
    session.flush()
    table = _unit_table()
    c = table.c
    stored = session.execute(
        select(
            c.id, c.code, c.name, c.kind, c.parent_id, c.path, c.depth, c.pinyin, c.pinyin_initials
        )
    ).all()
    code_of_id = {row.id: row.code for row in stored}
    nodes: dict[str, _Node] = {
        row.code: _Node(
            code=row.code,
            id=row.id,
            parent_code=code_of_id.get(row.parent_id) if row.parent_id is not None else None,
            name=row.name,
            kind=row.kind,
            parent_id=row.parent_id,
            path=row.path,
            depth=row.depth,
            pinyin=row.pinyin,
            pinyin_initials=row.pinyin_initials,
        )
        for row in stored
    }
    before = {code: _snapshot(node) for code, node in nodes.items()}
    _check_parents_exist(rows, nodes)

    known = {row.code for row in rows} | nodes.keys()
    for row in rows:
        parent_code = row.parent_code if row.parent_code in known else None
        node = nodes.get(row.code)
        if node is None:
            node = nodes[row.code] = _Node(code=row.code, id=None, parent_code=parent_code)
        node.parent_code = parent_code
        node.row = row
        if node.name != row.name or not node.pinyin:
            node.pinyin, node.pinyin_initials = pinyin_keys(row.name)
        node.name = row.name
        node.kind = kind_for(row.level, row.code)

    now = clock.now()
    for generation in _generations(nodes):
        new_rows: list[dict[str, Any]] = []
        for node in generation:
            parent = nodes[node.parent_code] if node.parent_code is not None else None
            node.parent_id = parent.id if parent else None
            node.path = f"{parent.path}{parent.id}/" if parent else "/"
            node.depth = parent.depth + 1 if parent else 0
            if node.id is None:
                new_rows.append(_insert_values(node, now))
        # Ids of this generation are needed for the paths of the next one. A plain executemany
        # and a SELECT by code beat INSERT … RETURNING several times over on psycopg, whose
        # multi-row RETURNING statements are slow to prepare.
        for start in range(0, len(new_rows), _CHUNK):
            chunk = new_rows[start : start + _CHUNK]
            session.execute(insert(table), chunk)
            inserted = session.execute(
                select(c.id, c.code).where(c.code.in_([values["code"] for values in chunk]))
            ).all()
            for new_id, code in inserted:
                nodes[code].id = new_id

    changes: list[dict[str, Any]] = []
    created = updated = unchanged = moved = 0
    for code, node in nodes.items():
        old = before.get(code)
        if old is None:
            created += 1
            continue
        changed = _snapshot(node) != old
        if changed:
            changes.append(_update_values(node, now))
        if node.row is None:
            moved += changed
        elif changed:
            updated += 1
        else:
            unchanged += 1
    if changes:
        statement = (
            update(table)
            .where(c.id == bindparam("b_id"))
            .values(
                name=bindparam("b_name"),
                kind=bindparam("b_kind"),
                parent_id=bindparam("b_parent_id"),
                path=bindparam("b_path"),
                depth=bindparam("b_depth"),
                pinyin=bindparam("b_pinyin"),
                pinyin_initials=bindparam("b_pinyin_initials"),
                updated_at=bindparam("b_updated_at"),
            )
        )
        for start in range(0, len(changes), _CHUNK):
            session.execute(statement, changes[start : start + _CHUNK])

    # Units the caller already holds must not keep values the bulk statements replaced.
    for held in list(session.identity_map.values()):
        if isinstance(held, Unit):
            session.expire(held)
    result = ImportResult(path.name, created, updated, unchanged, moved)
    audit_service.record(
        session,
        actor=actor,
        action="unit.divisions_imported",
        object_type="unit",
        data={
            "file": path.name,
            "rows": result.total,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "moved": moved,
        },
    )
    return result


def _check_parents_exist(rows: list[DivisionRow], nodes: dict[str, _Node]) -> None:
    """Every parent code must be in the file or the database, except at the top of an extract."""
    problems = _Problems()
    file_codes = {row.code for row in rows}
    top_rank = min((_RANK[row.level] for row in rows), default=0)
    for row in rows:
        parent = row.parent_code
        if not parent or parent in file_codes or parent in nodes:
            continue
        if row.level in _ROOT_LEVELS and _RANK[row.level] == top_rank:
            continue
        problems.add(row.line, f"上级代码 {parent} 在文件和系统中都不存在")
    problems.raise_if_any()


def _generations(nodes: dict[str, _Node]) -> list[list[_Node]]:
    """Group every unit by its depth in the tree as it will be after the import, roots first."""
    depth: dict[str, int] = {}
    for start in nodes:
        chain: list[str] = []
        on_chain: set[str] = set()
        code: str | None = start
        while code is not None and code not in depth:
            if code in on_chain:
                raise ValidationFailed({"file": f"单位 {code} 的上级关系形成循环，未导入任何数据"})
            on_chain.add(code)
            chain.append(code)
            code = nodes[code].parent_code
        level = -1 if code is None else depth[code]
        for member in reversed(chain):
            level += 1
            depth[member] = level
    grouped: dict[int, list[_Node]] = defaultdict(list)
    for code, node in nodes.items():
        grouped[depth[code]].append(node)
    return [grouped[level] for level in sorted(grouped)]


def _snapshot(node: _Node) -> tuple[object, ...]:
    return (
        node.name,
        node.kind,
        node.parent_id,
        node.path,
        node.depth,
        node.pinyin,
        node.pinyin_initials,
    )


def _insert_values(node: _Node, now: object) -> dict[str, Any]:
    return {
        "code": node.code,
        "name": node.name,
        "kind": node.kind,
        "parent_id": node.parent_id,
        "path": node.path,
        "depth": node.depth,
        "address": "",
        "hotline": "",
        "team_id": None,
        "is_active": True,
        "pinyin": node.pinyin,
        "pinyin_initials": node.pinyin_initials,
        "created_at": now,
        "updated_at": now,
    }


def _update_values(node: _Node, now: object) -> dict[str, Any]:
    return {
        "b_id": node.id,
        "b_name": node.name,
        "b_kind": node.kind,
        "b_parent_id": node.parent_id,
        "b_path": node.path,
        "b_depth": node.depth,
        "b_pinyin": node.pinyin,
        "b_pinyin_initials": node.pinyin_initials,
        "b_updated_at": now,
    }
