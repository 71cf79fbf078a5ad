"""JSON shapes of power lists for the API (with the examples OpenAPI shows), and what every
import path does with content from outside: key hygiene and the order of reported problems."""

import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.config import JsonDict
from sqlmodel import Session, col, select

from app.powerlist import excel
from app.powerlist.models import (
    ListVersion,
    PowerItem,
    PowerList,
    VersionSource,
    VersionStatus,
)
from app.powerlist.specs import ItemSpec, ListContent, ListKind
from app.unit.models import Unit, UnitKind

# ---------------------------------------------------------------------------------------------
# Examples (a real 宁海 village item, abbreviated), shown on /docs


STEP_EXAMPLES: list[JsonValue] = [
    {"name": "村民提出申请", "actor": "申请人", "time_limit": None},
    {"name": "村委会审核", "actor": "村民委员会", "time_limit": 5, "kind": "decision"},
    {"name": "公示", "actor": "村民委员会", "time_limit": 7, "time_unit": "calendar"},
]

ITEM_EXAMPLE: JsonDict = {
    "number": "1.3",
    "name": "村级公益事业建设项目审批",
    "category": "集体管理",
    "responsible": "村党组织、村民委员会",
    "legal_bases": [{"title": "《中华人民共和国村民委员会组织法》", "article": "第二十四条"}],
    "steps": STEP_EXAMPLES,
    "time_limit": 20,
    "time_unit": "working",
    "materials": ["项目申请书", "项目预算"],
    "disclosure": {
        "content": "项目内容和结果",
        "deadline": "办结后 5 日内",
        "channel": "村务公开栏",
    },
    "risks": [
        {"description": "未经民主程序擅自决定", "level": "high", "measure": "严格执行五议两公开"}
    ],
    "accountability": "违反规定的，依纪依法追究相关人员责任",
    "negative_refs": ["3"],
    "key": "k7m2x9q4p8rt",
}

CONTENT_EXAMPLE: JsonDict = {"kind": "duty", "items": [ITEM_EXAMPLE]}

_UNIT_REF_EXAMPLE: JsonDict = {"code": "330226001001", "name": "五丰社区"}


class UnitRef(BaseModel):
    """The unit a list belongs to, as the public pages name it."""

    code: str = Field(description="单位代码")
    name: str

    @classmethod
    def of(cls, unit: Unit) -> "UnitRef":
        return cls(code=unit.code, name=unit.name)


# ---------------------------------------------------------------------------------------------
# Public reads


class ListCounts(BaseModel):
    items: int = Field(description="权力事项数（职责清单）")
    steps: int = Field(description="办理步骤总数")
    risks: int = Field(description="风险点总数")
    cadre_duties: int = Field(description="干部履职条目数")
    negative_items: int = Field(description="负面清单条目数")

    @classmethod
    def of(cls, content: ListContent) -> "ListCounts":
        return cls(
            items=len(content.items),
            steps=sum(len(item.steps) for item in content.items),
            risks=sum(len(item.risks) for item in content.items),
            cadre_duties=len(content.cadre_duties),
            negative_items=len(content.negative_items),
        )


class ListSummaryOut(BaseModel):
    """One of a unit's three lists: its current published version, or null if never published."""

    kind: ListKind
    label: str = Field(description="清单名称")
    version: int | None = Field(description="当前发布的版本号；尚未发布为 null")
    published_at: datetime | None = Field(description="最后更新（发布）时间，UTC")
    stale: bool = Field(description="超过规定时间未更新（僵尸清单）")
    counts: ListCounts | None


class UnitListsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit": _UNIT_REF_EXAMPLE,
                    "lists": [
                        {
                            "kind": "duty",
                            "label": "职责清单（权力事项）",
                            "version": 3,
                            "published_at": "2026-03-02T01:20:00Z",
                            "stale": False,
                            "counts": {
                                "items": 22,
                                "steps": 118,
                                "risks": 41,
                                "cadre_duties": 0,
                                "negative_items": 0,
                            },
                        },
                        {
                            "kind": "cadre",
                            "label": "干部履职干事清单",
                            "version": None,
                            "published_at": None,
                            "stale": False,
                            "counts": None,
                        },
                    ],
                }
            ]
        }
    )

    unit: UnitRef
    lists: list[ListSummaryOut] = Field(description="依次为职责清单、干部履职干事清单、负面清单")


class PublishedListOut(BaseModel):
    """A published (or, with ?version=N, superseded) version with its whole content."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit": _UNIT_REF_EXAMPLE,
                    "kind": "duty",
                    "title": "五丰社区职责清单（权力事项）",
                    "version": 3,
                    "status": "published",
                    "published_at": "2026-03-02T01:20:00Z",
                    "content": CONTENT_EXAMPLE,
                }
            ]
        }
    )

    unit: UnitRef
    kind: ListKind
    title: str
    version: int
    status: VersionStatus = Field(description="published（当前版本）或 superseded（历史版本）")
    published_at: datetime | None
    content: ListContent


class PublishedItemOut(BaseModel):
    """A unit's currently published power item with its steps and risk points."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "k7m2x9q4p8rt",
                    "unit": _UNIT_REF_EXAMPLE,
                    "version": 3,
                    "published_at": "2026-03-02T01:20:00Z",
                    "team_override": None,
                    "url": "https://xiaowei.example.gov.cn/items/k7m2x9q4p8rt",
                    "item": ITEM_EXAMPLE,
                }
            ]
        }
    )

    key: str = Field(description="事项标识，跨版本不变")
    unit: UnitRef
    version: int
    published_at: datetime | None
    team_override: str | None = Field(description="本事项单独指定的监督单位；null 表示按单位")
    url: str = Field(description="公开页面地址（可生成二维码）")
    item: ItemSpec


# ---------------------------------------------------------------------------------------------
# Drafts and review (staff)


class DraftSource(StrEnum):
    EMPTY = "empty"  # a blank draft
    PUBLISHED = "published"  # a copy of the list's current published version
    STANDARD = "standard"  # a county standard list's published content


DRAFT_SOURCE_VERSION_SOURCE: dict[DraftSource, VersionSource] = {
    DraftSource.EMPTY: VersionSource.EMPTY,
    DraftSource.PUBLISHED: VersionSource.COPY,
    DraftSource.STANDARD: VersionSource.STANDARD,
}


class DraftCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"source": "published"}, {"source": "standard", "standard_list_id": 4}]
        },
    )

    source: DraftSource = Field(
        default=DraftSource.EMPTY,
        description="empty 空白；published 复制当前发布版本；standard 采用县级标准清单",
    )
    standard_list_id: int | None = Field(
        default=None, ge=1, description="source 为 standard 时必填：标准清单 ID"
    )


class VersionOut(BaseModel):
    """A version's state in the review workflow."""

    id: int
    list_id: int
    unit: UnitRef | None = Field(description="所属单位；县级标准清单为 null")
    kind: ListKind
    number: int = Field(description="版本号，在清单内从 1 递增")
    status: VersionStatus
    source: VersionSource
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_comment: str = Field(description="退回意见（退回修改后非空）")
    published_at: datetime | None

    @classmethod
    def of(cls, version: ListVersion, power_list: PowerList, unit: Unit | None) -> "VersionOut":
        assert version.id is not None
        assert power_list.id is not None
        return cls(
            id=version.id,
            list_id=power_list.id,
            unit=UnitRef.of(unit) if unit is not None else None,
            kind=power_list.kind,
            number=version.number,
            status=version.status,
            source=version.source,
            created_at=version.created_at,
            updated_at=version.updated_at,
            submitted_at=version.submitted_at,
            reviewed_at=version.reviewed_at,
            review_comment=version.review_comment,
            published_at=version.published_at,
        )


class DraftOut(VersionOut):
    """A version with its content; items carry their stable `key`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 812,
                    "list_id": 96,
                    "unit": _UNIT_REF_EXAMPLE,
                    "kind": "duty",
                    "number": 4,
                    "status": "draft",
                    "source": "copy",
                    "created_at": "2026-04-01T02:00:00Z",
                    "updated_at": "2026-04-01T02:30:00Z",
                    "submitted_at": None,
                    "reviewed_at": None,
                    "review_comment": "",
                    "published_at": None,
                    "content": CONTENT_EXAMPLE,
                }
            ]
        }
    )

    content: ListContent

    @classmethod
    def with_content(
        cls,
        version: ListVersion,
        power_list: PowerList,
        unit: Unit | None,
        content: ListContent,
    ) -> "DraftOut":
        base = VersionOut.of(version, power_list, unit)
        return cls(**base.model_dump(), content=content)


class ItemOut(BaseModel):
    key: str
    item: ItemSpec


class ReturnBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"comment": "第 3 项缺少办理时限，请补充后重新提交"}]},
    )

    comment: str = Field(max_length=2000, description="退回意见（必填）")


# ---------------------------------------------------------------------------------------------
# Standard lists


class StandardListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "title": "村级标准职责清单（权力事项）",
                    "unit_kind": "village",
                    "kind": "duty",
                    "version": 2,
                    "published_at": "2026-01-05T02:00:00Z",
                    "open_draft_id": None,
                }
            ]
        }
    )

    id: int
    title: str
    unit_kind: UnitKind | None = Field(description="适用的单位类型")
    kind: ListKind
    version: int | None = Field(description="当前发布的版本号；尚未发布为 null")
    published_at: datetime | None
    open_draft_id: int | None = Field(description="正在编辑的草稿版本 ID")


class BulkPublishIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"parent_code": "330226001000", "unit_kinds": ["village", "community"]}]
        },
    )

    parent_code: str = Field(
        max_length=20, description="范围：乡镇（街道）或县的单位代码，发布到其下所有所选类型的单位"
    )
    unit_kinds: list[UnitKind] = Field(min_length=1, max_length=10, description="单位类型")


class BulkUnitOut(BaseModel):
    code: str
    name: str
    version_id: int | None = Field(default=None, description="新发布的版本 ID")
    reason: str = Field(default="", description="跳过的原因")


class BulkPublishOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "standard_list_id": 4,
                    "published_count": 392,
                    "skipped_count": 1,
                    "published": [{"code": "330226001201", "name": "城东村", "version_id": 9051}],
                    "skipped": [
                        {
                            "code": "330226001202",
                            "name": "城西村",
                            "reason": "该单位有未发布的草稿，未覆盖",
                        }
                    ],
                }
            ]
        }
    )

    standard_list_id: int
    published_count: int
    skipped_count: int
    published: list[BulkUnitOut]
    skipped: list[BulkUnitOut]


# ---------------------------------------------------------------------------------------------
# Incoming content: keys


def list_item_keys(session: Session, *, power_list: PowerList) -> set[str]:
    """Every item key any version of this list has used."""
    return set(
        session.exec(
            select(PowerItem.key)
            .join(ListVersion, col(ListVersion.id) == col(PowerItem.version_id))
            .where(ListVersion.list_id == power_list.id)
            .distinct()
        ).all()
    )


def keep_own_keys(content: ListContent, known: set[str]) -> ListContent:
    """Content with every item key not in `known` cleared, so that item gets a new key.

    Keys arrive in uploads and API bodies; one copied from another unit's list would make
    /items/{key} name two units' items (and an overlong one would not fit the column).
    """
    if all(item.key is None or item.key in known for item in content.items):
        return content
    items = [
        item if item.key is None or item.key in known else item.model_copy(update={"key": None})
        for item in content.items
    ]
    return content.model_copy(update={"items": items})


# ---------------------------------------------------------------------------------------------
# Import problems, in the order a person fixes them

_CELL = re.compile(r"^(?P<sheet>[^!]+)!(?:(?P<column>[A-Z]{1,3})?(?P<row>\d+)|(?P<header>.*))$")


def ordered_problems(errors: Mapping[str, str], kind: ListKind) -> dict[str, str]:
    """Excel import errors sorted by sheet (as in the template), row, then column.

    parse_workbook reports in the order it checks; a person reads the workbook top to bottom.
    Whole-file and whole-sheet problems come first.
    """
    sheets = [sheet.name for sheet in excel.SHEETS[kind]]

    def position(key: str) -> tuple[int, int, int, str]:
        match = _CELL.match(key)
        sheet = match["sheet"] if match else key
        index = sheets.index(sheet) + 1 if sheet in sheets else 0
        if match is None:
            return (index, 0, 0, "")
        row = int(match["row"]) if match["row"] else 1
        column = match["column"] or ""
        return (index, row, len(column), column)

    return dict(sorted(errors.items(), key=lambda pair: position(pair[0])))
