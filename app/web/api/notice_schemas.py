"""JSON shapes of supervision notices (督办通知书) for /api/v1/notices, with OpenAPI examples.

Inputs are deliberately loose (text and numbers as given): the domain checks them and answers
422 with zh-CN messages per field, the same as the pages.
"""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.core.workcalendar import DeadlineColour, Progress
from app.supervision.labels import NOTICE_STATUS_LABELS
from app.supervision.models import NoticeStatus, SupervisionNotice
from app.supervision.notices import TimelineStep
from app.unit.models import Team, Unit
from app.web.api.supervision_schemas import FileOut

TEXT_MAX = 5000
NUMBER_EXAMPLE = "宁纪督〔2026〕12号"
LongText = Annotated[str, Field(max_length=TEXT_MAX)]


class NoticeIn(BaseModel):
    """A draft notice of one of your teams to a unit; the team's lead issues it."""

    team_id: int = Field(ge=1, description="监督单位 ID（须为您所在的监督单位）")
    unit_code: str = Field(max_length=20, description="被督办单位代码", examples=["330226001001"])
    title: str = Field(default="", max_length=200, examples=["关于督促整改低保评议问题的通知"])
    problems: LongText = Field(description="存在的问题，每条一行", examples=["低保评议程序不规范"])
    requirements: LongText = Field(description="整改要求，每条一行", examples=["重新组织评议"])
    deadline_days: int | str = Field(description="整改时限（工作日，自签发起算）", examples=[10])
    ticket_numbers: list[Annotated[str, Field(max_length=30)]] = Field(
        default_factory=list, max_length=20, description="关联工单的受理编号"
    )
    issue: bool = Field(default=False, description="负责人可同时签发（分配文号）")


class RespondIn(BaseModel):
    """整改报告; evidence files go with the same endpoint as multipart/form-data (`files`)."""

    report: LongText = Field(
        description="整改报告", examples=["已重新组织评议并公示，相关人员已作检讨。"]
    )


class AcceptIn(BaseModel):
    note: LongText = Field(default="", description="审核意见（可选）")


class ReturnIn(BaseModel):
    reason: LongText = Field(description="退回理由", examples=["佐证材料不全，请补充评议会议记录"])
    deadline_days: int | str | None = Field(
        default=None, description="新的整改时限（工作日，自今日起算；不填则沿用原期限）"
    )


class NamedRef(BaseModel):
    id: int
    name: str


class UnitRef(BaseModel):
    id: int
    code: str
    name: str


class DeadlineOut(BaseModel):
    """The running deadline of an open notice (已下发、整改中、已退回)."""

    colour: DeadlineColour
    colour_label: str = Field(examples=["临期"])
    percent: int = Field(description="已用时限的百分比（超期时大于 100）", examples=[85])
    overdue: bool

    @classmethod
    def of(cls, progress: Progress | None) -> "DeadlineOut | None":
        if progress is None:
            return None
        return cls(
            colour=progress.colour,
            colour_label=progress.label,
            percent=progress.percent,
            overdue=progress.overdue,
        )


class StepOut(BaseModel):
    action: str = Field(examples=["returned"])
    label: str = Field(examples=["退回重新整改"])
    at: datetime
    actor: str
    note: str

    @classmethod
    def of(cls, step: TimelineStep) -> "StepOut":
        return cls(
            action=step.action, label=step.label, at=step.at, actor=step.actor, note=step.note
        )


class NoticeRowOut(BaseModel):
    id: int
    number: str | None = Field(examples=[NUMBER_EXAMPLE], description="草稿没有文号")
    title: str
    status: NoticeStatus
    status_label: str = Field(examples=["已签收整改中"])
    team: NamedRef
    unit: UnitRef
    issued_at: datetime | None
    due_at: datetime | None
    deadline: DeadlineOut | None
    overdue: bool

    @staticmethod
    def refs(team: Team | None, unit: Unit | None) -> tuple[NamedRef, UnitRef]:
        assert team is not None
        assert team.id is not None
        assert unit is not None
        assert unit.id is not None
        return NamedRef(id=team.id, name=team.name), UnitRef(
            id=unit.id, code=unit.code, name=unit.name
        )


class NoticePageOut(BaseModel):
    items: list[NoticeRowOut]
    total: int
    page: int
    per_page: int
    pages: int
    counts: dict[str, int] = Field(
        description="各状态的份数（不受 status/overdue 筛选影响），另有 overdue 和 all",
        examples=[{"issued": 2, "signed": 5, "overdue": 1, "all": 7}],
    )


class NoticeOut(NoticeRowOut):
    problems: str
    requirements: str
    deadline_days: int
    due_explanation: str
    signed_at: datetime | None
    response: str = Field(description="整改报告（退回后重新报送时被替换）")
    responded_at: datetime | None
    review_note: str = Field(description="退回理由或审核意见")
    reviewed_at: datetime | None
    return_count: int
    overdue_level: int = Field(description="0 未超期，1 已提醒负责人，2 已报上级监督单位")
    tickets: list[str] = Field(description="关联工单的受理编号")
    files: list[FileOut]
    timeline: list[StepOut]
    actions: list[str] = Field(
        description="您现在可以执行的操作：edit、issue、sign、respond、accept、return",
        examples=[["sign"]],
    )


def row_out(
    notice: SupervisionNotice,
    team: Team | None,
    unit: Unit | None,
    progress: Progress | None,
    overdue: bool,
) -> NoticeRowOut:
    assert notice.id is not None
    team_ref, unit_ref = NoticeRowOut.refs(team, unit)
    return NoticeRowOut(
        id=notice.id,
        number=notice.number,
        title=notice.title,
        status=notice.status,
        status_label=NOTICE_STATUS_LABELS[notice.status],
        team=team_ref,
        unit=unit_ref,
        issued_at=notice.issued_at,
        due_at=notice.due_at,
        deadline=DeadlineOut.of(progress),
        overdue=overdue,
    )
