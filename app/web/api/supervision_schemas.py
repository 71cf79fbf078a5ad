"""JSON shapes of ledger entries, inspections and talks for /api/v1/ledger, /inspections and
/talks, with the examples OpenAPI shows."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.supervision.labels import (
    RECTIFICATION_SOURCE_LABELS,
    RECTIFICATION_STATUS_LABELS,
    TALK_KIND_LABELS,
)
from app.supervision.models import (
    Inspection,
    Rectification,
    RectificationNote,
    RectificationSource,
    RectificationStatus,
    SupervisionFile,
    Talk,
    TalkKind,
)
from app.unit.models import Unit

TEXT_MAX = 5000


class UnitRefOut(BaseModel):
    id: int
    code: str = Field(examples=["330226001001"])
    name: str = Field(examples=["五丰社区"])

    @classmethod
    def of(cls, unit: Unit) -> "UnitRefOut":
        assert unit.id is not None
        return cls(id=unit.id, code=unit.code, name=unit.name)


class NoteOut(BaseModel):
    id: int
    at: datetime
    body: str
    author_id: int | None

    @classmethod
    def of(cls, note: RectificationNote) -> "NoteOut":
        assert note.id is not None
        return cls(id=note.id, at=note.at, body=note.body, author_id=note.author_id)


class FileOut(BaseModel):
    id: int
    name: str = Field(examples=["整改照片.jpg"])
    content_type: str
    size: int
    created_at: datetime

    @classmethod
    def of(cls, row: SupervisionFile) -> "FileOut":
        assert row.id is not None
        return cls(
            id=row.id,
            name=row.original_name,
            content_type=row.content_type,
            size=row.size,
            created_at=row.created_at,
        )


class EntryOut(BaseModel):
    """A ledger entry. `status` is the effective one: "overdue" (逾期) replaces "in_progress"
    once the deadline has passed; `stored_status` is what the record itself holds."""

    id: int
    team_id: int
    unit: UnitRefOut | None
    source: RectificationSource
    source_label: str = Field(examples=["督办通知 宁纪督〔2026〕3号"])
    ticket_number: str | None = None
    notice_id: int | None = None
    inspection_id: int | None = None
    problem: str
    responsible_person: str
    measures: str
    deadline: date
    status: RectificationStatus
    status_label: str = Field(examples=["逾期"])
    stored_status: RectificationStatus
    completion: str
    verification_note: str
    public_summary: str = Field(description="公开说明：销号时填写，面向群众，不含个人信息")
    submitted_at: datetime | None
    verified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    notes: list[NoteOut] | None = Field(default=None, description="整改进展（仅单条查询返回）")
    files: list[FileOut] | None = Field(default=None, description="佐证材料（仅单条查询返回）")

    @classmethod
    def of(
        cls,
        entry: Rectification,
        *,
        unit: Unit | None,
        status: RectificationStatus,
        source_label: str,
        ticket_number: str | None,
        notes: list[RectificationNote] | None = None,
        files: list[SupervisionFile] | None = None,
    ) -> "EntryOut":
        assert entry.id is not None
        return cls(
            id=entry.id,
            team_id=entry.team_id,
            unit=UnitRefOut.of(unit) if unit is not None else None,
            source=entry.source,
            source_label=source_label or RECTIFICATION_SOURCE_LABELS[entry.source],
            ticket_number=ticket_number,
            notice_id=entry.notice_id,
            inspection_id=entry.inspection_id,
            problem=entry.problem,
            responsible_person=entry.responsible_person,
            measures=entry.measures,
            deadline=entry.deadline,
            status=status,
            status_label=RECTIFICATION_STATUS_LABELS[status],
            stored_status=entry.status,
            completion=entry.completion,
            verification_note=entry.verification_note,
            public_summary=entry.public_summary,
            submitted_at=entry.submitted_at,
            verified_at=entry.verified_at,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            notes=[NoteOut.of(n) for n in notes] if notes is not None else None,
            files=[FileOut.of(f) for f in files] if files is not None else None,
        )


class EntryPageOut(BaseModel):
    items: list[EntryOut]
    total: int
    page: int
    per_page: int
    pages: int
    counts_by_status: dict[str, int] = Field(
        description="按状态的条数（不受 status 条件限制）",
        examples=[{"in_progress": 5, "overdue": 2, "submitted": 1, "verified": 9}],
    )
    counts_by_source: dict[str, int] = Field(
        description="按来源的条数（不受 source 条件限制）",
        examples=[{"ticket": 4, "notice": 3, "inspection": 8, "audit": 0, "manual": 2}],
    )


class EntryIn(BaseModel):
    """A new entry. Give at most one of ticket_number, notice_id, inspection_id: the entry is
    linked to it and its team, unit (a notice's own; a ticket's by default) and due date
    (a notice's) are taken from it. By hand, team_id and unit_code are required."""

    problem: str = Field(default="", max_length=TEXT_MAX, examples=["村务公开栏未按时更新"])
    deadline: date | None = Field(default=None, description="整改时限；来自督办通知书时可省略")
    responsible_person: str = Field(default="", max_length=100, examples=["村党支部书记"])
    measures: str = Field(default="", max_length=TEXT_MAX, examples=["每月5日前更新公开栏"])
    team_id: int | None = Field(default=None, ge=1)
    unit_code: str = Field(default="", max_length=20, description="责任单位代码")
    source: RectificationSource = Field(
        default=RectificationSource.MANUAL, description="手工登记时：manual 其他 或 audit 审计发现"
    )
    ticket_number: str = Field(default="", max_length=30, examples=["TS-20261122-0042"])
    notice_id: int | None = Field(default=None, ge=1)
    inspection_id: int | None = Field(default=None, ge=1)


class EntryPatch(BaseModel):
    problem: str = Field(max_length=TEXT_MAX)
    deadline: date
    responsible_person: str = Field(default="", max_length=100)
    measures: str = Field(default="", max_length=TEXT_MAX)


class ProgressIn(BaseModel):
    body: str = Field(
        max_length=TEXT_MAX, description="整改进展", examples=["已召开村民代表会议，制定整改方案"]
    )


class SubmitIn(BaseModel):
    completion: str = Field(max_length=TEXT_MAX, examples=["公开栏已更新，照片见佐证材料"])


class VerifyIn(BaseModel):
    note: str = Field(max_length=TEXT_MAX, examples=["经实地核查，整改到位"])
    public_summary: str = Field(
        default="",
        max_length=1000,
        description="公开说明（建议填写）：整改了什么，面向群众，不写人名等个人信息",
        examples=["村务公开栏已恢复按月更新，近三个月财务收支已补充公开。"],
    )


class RejectIn(BaseModel):
    reason: str = Field(max_length=TEXT_MAX, examples=["缺少整改前后对比照片"])


# --- Inspections and talks --------------------------------------------------------------------


class FindingIn(BaseModel):
    unit_code: str = Field(max_length=20, description="责任单位代码，须是被检查单位之一")
    problem: str = Field(max_length=TEXT_MAX)
    deadline: date
    responsible_person: str = Field(default="", max_length=100)
    measures: str = Field(default="", max_length=TEXT_MAX)


class InspectionIn(BaseModel):
    """An inspection and its findings; each finding becomes a ledger entry, all or nothing."""

    team_id: int | None = Field(default=None, ge=1, description="只属于一个监督单位时可省略")
    held_on: date
    subject: str = Field(max_length=200, examples=["村级小微权力运行情况专项检查"])
    unit_codes: list[str] = Field(min_length=1, max_length=200, description="被检查单位代码")
    people: str = Field(default="", max_length=500)
    summary: str = Field(default="", max_length=TEXT_MAX)
    findings: list[FindingIn] = Field(default_factory=list, max_length=100)


class InspectionOut(BaseModel):
    id: int
    team_id: int
    held_on: date
    subject: str
    people: str
    summary: str
    units: list[UnitRefOut]
    entry_ids: list[int] = Field(description="发现问题对应的整改台账条目")
    created_at: datetime

    @classmethod
    def of(cls, inspection: Inspection, units: list[Unit], entry_ids: list[int]) -> "InspectionOut":
        assert inspection.id is not None
        return cls(
            id=inspection.id,
            team_id=inspection.team_id,
            held_on=inspection.held_on,
            subject=inspection.subject,
            people=inspection.people,
            summary=inspection.summary,
            units=[UnitRefOut.of(u) for u in units],
            entry_ids=entry_ids,
            created_at=inspection.created_at,
        )


class InspectionPageOut(BaseModel):
    items: list[InspectionOut]
    total: int
    page: int
    per_page: int
    pages: int


class TalkIn(BaseModel):
    team_id: int | None = Field(default=None, ge=1, description="只属于一个监督单位时可省略")
    kind: TalkKind = Field(description="heart 谈心谈话，integrity 廉政谈话")
    held_on: date
    interviewees: str = Field(max_length=1000, description="谈话对象，每行一人")
    person_count: int | None = Field(default=None, description="人次；省略时按谈话对象行数计")
    interviewers: str = Field(default="", max_length=500)
    summary: str = Field(default="", max_length=TEXT_MAX)
    unit_code: str = Field(default="", max_length=20)


class TalkOut(BaseModel):
    id: int
    team_id: int
    kind: TalkKind
    kind_label: str = Field(examples=["廉政谈话"])
    held_on: date
    unit_id: int | None
    interviewees: str
    person_count: int
    interviewers: str
    summary: str
    created_at: datetime

    @classmethod
    def of(cls, talk: Talk) -> "TalkOut":
        assert talk.id is not None
        return cls(
            id=talk.id,
            team_id=talk.team_id,
            kind=talk.kind,
            kind_label=TALK_KIND_LABELS[talk.kind],
            held_on=talk.held_on,
            unit_id=talk.unit_id,
            interviewees=talk.interviewees,
            person_count=talk.person_count,
            interviewers=talk.interviewers,
            summary=talk.summary,
            created_at=talk.created_at,
        )


class TalkPageOut(BaseModel):
    items: list[TalkOut]
    total: int
    page: int
    per_page: int
    pages: int
    persons: int = Field(description="符合条件的谈话人次合计")
