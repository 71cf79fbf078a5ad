"""JSON shapes of tickets for /api/v1/tickets, with the examples OpenAPI shows.

A ticket comes out in one of two shapes, told apart by `audience`: "team" (StaffTicketOut,
everything but the identity, which only POST …/identity opens) or "unit" (UnitTicketOut, the
domain's UnitView: no identity, no contact data, no report text, released attachments only).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.calendar.models import CLOCK_LABELS
from app.core.workcalendar import DeadlineColour
from app.ticket.labels import (
    CHANNEL_LABELS,
    DISPOSITION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    UNIT_STAGE_LABELS,
)
from app.ticket.models import (
    Disposition,
    EntryKind,
    TicketChannel,
    TicketKind,
    TicketStatus,
    UnitStage,
    Visibility,
)
from app.ticket.service import ClockState, StaffView, UnitView
from app.ticket.workflow import Role as ActorRole

TEXT_MAX = 5000
NUMBER_EXAMPLE = "TS-20261122-0042"


class ClockOut(BaseModel):
    """The clock the ticket is running against now, with its colour and explanation."""

    clock: str = Field(examples=["resolve"])
    clock_label: str = Field(examples=["办结"])
    colour: DeadlineColour
    colour_label: str = Field(examples=["临期"])
    due_at: datetime
    explanation: str = Field(
        examples=["自 11月13日 起算 7 个工作日（起算当日不计入），截至 11月24日 24时"]
    )
    percent: int = Field(description="已用时限的百分比（超期时大于 100）", examples=[85])
    paused: bool = Field(description="待群众补充材料期间暂停计时")

    @classmethod
    def of(cls, state: ClockState | None) -> "ClockOut | None":
        if state is None:
            return None
        return cls(
            clock=state.clock.value,
            clock_label=CLOCK_LABELS[state.clock],
            colour=state.progress.colour,
            colour_label=state.progress.label,
            due_at=state.due_at,
            explanation=state.explanation,
            percent=state.progress.percent,
            paused=state.paused,
        )


class TicketRowOut(BaseModel):
    """One inbox line. Lines of tickets forwarded to the user's unit (`audience` "unit") carry the
    team's summary and the unit's stage instead of team-internal fields (null there)."""

    audience: Literal["team", "unit"]
    number: str = Field(examples=[NUMBER_EXAMPLE])
    kind: TicketKind
    kind_label: str = Field(examples=["投诉"])
    category: str = Field(examples=["办事拖延"])
    unit_name: str = Field(examples=["五丰社区"])
    status: TicketStatus
    status_label: str = Field(examples=["办理中"])
    created_at: datetime
    clock: ClockOut | None
    assignee: str | None = Field(default=None, description="承办人（仅监督单位）")
    channel: TicketChannel | None = Field(default=None, description="来源（仅监督单位）")
    summary: str | None = Field(default=None, description="转办摘要（仅承办单位）")
    unit_stage: UnitStage | None = Field(default=None, description="办理阶段（仅承办单位）")


class TicketPageOut(BaseModel):
    items: list[TicketRowOut]
    total: int
    page: int
    per_page: int
    pages: int
    counts: dict[str, int] = Field(
        description="各分类的件数：all 全部、submitted 待受理、handling 办理中、yellow 即将超期、"
        "red 已超期、answered 待评价、closed 已办结",
        examples=[{"all": 12, "submitted": 3, "handling": 6, "yellow": 1, "red": 2}],
    )


class UnitRefOut(BaseModel):
    code: str = Field(examples=["330226001001"])
    name: str = Field(examples=["五丰社区"])


class TimelineEntryOut(BaseModel):
    id: int
    at: datetime
    kind: EntryKind
    kind_label: str = Field(examples=["转办"])
    actor: str = Field(examples=["监督单位 王芳"])
    body: str
    status: TicketStatus | None = None
    status_label: str | None = None
    visibility: Visibility = Field(
        description="谁能看到：public 群众和承办单位，citizen 仅群众，unit 仅承办单位，team 内部"
    )


class AttachmentOut(BaseModel):
    id: int
    name: str = Field(examples=["现场照片.jpg"])
    content_type: str = Field(examples=["image/jpeg"])
    size: int
    uploaded_by: str = Field(examples=["citizen"])
    released_to_unit: bool


class RevealOut(BaseModel):
    user: str
    at: datetime
    reason: str


class StaffTicketOut(BaseModel):
    """A ticket as its team sees it; the identity stays sealed (POST …/identity)."""

    audience: Literal["team"] = "team"
    number: str = Field(examples=[NUMBER_EXAMPLE])
    kind: TicketKind
    kind_label: str
    category_code: str | None
    category: str
    unit: UnitRefOut | None
    power_item_key: str | None
    subject: str
    channel: TicketChannel
    channel_label: str
    status: TicketStatus
    status_label: str
    team: str
    routing_reason: str
    assignee: str | None
    is_anonymous: bool
    content: str = Field(description="群众反映的原文（仅本监督单位）")
    content_released: bool
    handling_unit: UnitRefOut | None
    unit_stage: UnitStage | None
    unit_stage_label: str | None
    forward_summary: str
    public_reply: str
    disposition: Disposition | None
    disposition_label: str | None
    disposition_approved: bool
    created_at: datetime
    acknowledged_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    closed_reason: str
    merged_into: str | None
    clock: ClockOut | None
    actions: list[str] = Field(description="当前状态下您可以执行的操作", examples=[["forward"]])
    timeline: list[TimelineEntryOut]
    attachments: list[AttachmentOut]
    reveals: list[RevealOut] | None = Field(
        default=None, description="身份信息查看记录（仅监督单位负责人）"
    )

    @classmethod
    def of(cls, view: StaffView, visibility: dict[int, Visibility]) -> "StaffTicketOut":
        t = view.ticket
        disposition = t.disposition
        return cls(
            number=t.number,
            kind=t.kind,
            kind_label=KIND_LABELS[t.kind],
            category_code=view.category.code if view.category else None,
            category=view.category.name if view.category else "",
            unit=UnitRefOut(code=view.unit.code, name=view.unit.name) if view.unit else None,
            power_item_key=t.power_item_key,
            subject=t.subject,
            channel=t.channel,
            channel_label=CHANNEL_LABELS[t.channel],
            status=t.status,
            status_label=STATUS_LABELS[t.status],
            team=view.team.name if view.team else "",
            routing_reason=t.routing_reason,
            assignee=(view.assignee.display_name or view.assignee.username)
            if view.assignee
            else None,
            is_anonymous=t.is_anonymous,
            content=t.content,
            content_released=t.content_released,
            handling_unit=UnitRefOut(code=view.handling_unit.code, name=view.handling_unit.name)
            if view.handling_unit
            else None,
            unit_stage=t.unit_stage,
            unit_stage_label=UNIT_STAGE_LABELS[t.unit_stage] if t.unit_stage else None,
            forward_summary=t.forward_summary,
            public_reply=t.public_reply,
            disposition=disposition,
            disposition_label=DISPOSITION_LABELS[disposition] if disposition else None,
            disposition_approved=t.disposition_approved_at is not None,
            created_at=t.created_at,
            acknowledged_at=t.acknowledged_at,
            answered_at=t.answered_at,
            closed_at=t.closed_at,
            closed_reason=t.closed_reason,
            merged_into=view.merged_into.number if view.merged_into else None,
            clock=ClockOut.of(view.clock),
            actions=[action.value for action in view.actions],
            timeline=[
                TimelineEntryOut(
                    id=item.id,
                    at=item.at,
                    kind=item.kind,
                    kind_label=item.kind_label,
                    actor=item.actor,
                    body=item.body,
                    status=item.status_to,
                    status_label=item.status_label,
                    visibility=visibility.get(item.id, Visibility.TEAM),
                )
                for item in view.timeline
            ],
            attachments=[
                AttachmentOut(
                    id=a.id,
                    name=a.original_name,
                    content_type=a.content_type,
                    size=a.size,
                    uploaded_by=a.uploaded_by.value,
                    released_to_unit=a.released_to_unit,
                )
                for a in view.attachments
                if a.id is not None
            ],
            reveals=[
                RevealOut(user=user.display_name or user.username, at=r.at, reason=r.reason)
                for r, user in view.reveals
            ]
            if ActorRole.LEAD in view.roles
            else None,
        )


class UnitTicketOut(UnitView):
    """A forwarded ticket as the handling unit sees it (app.ticket.views.UnitView)."""

    audience: Literal["unit"] = "unit"

    @classmethod
    def of(cls, view: UnitView) -> "UnitTicketOut":
        return cls(**view.model_dump())


TicketOut = Annotated[StaffTicketOut | UnitTicketOut, Field(discriminator="audience")]


# --- Request bodies ---------------------------------------------------------------------------


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class NoteIn(BaseModel):
    model_config = _example({"note": "已电话联系反映人"})

    note: str = Field(default="", max_length=TEXT_MAX)


class ReasonIn(BaseModel):
    model_config = _example({"reason": "该事项属于县市场监管局职责，请向其反映。"})

    reason: str = Field(max_length=TEXT_MAX)


class MergeIn(BaseModel):
    model_config = _example({"into": "TS-20261120-0007", "reason": "同一人就同一事项重复反映"})

    into: str = Field(max_length=30, description="合并到的工单受理编号")
    reason: str = Field(default="", max_length=TEXT_MAX)


class AssignIn(BaseModel):
    model_config = _example({"assignee_id": 12})

    assignee_id: int | None = Field(ge=1, le=2_147_483_647, description="null 表示不指定")


class ForwardIn(BaseModel):
    model_config = _example(
        {
            "summary": "群众反映社区办理居住证明拖延，请核实并于期限内回复办理情况。",
            "unit_code": None,
            "release_content": False,
            "release_attachment_ids": [],
        }
    )

    summary: str = Field(max_length=TEXT_MAX, description="转办摘要：承办单位只看到这份摘要")
    unit_code: str | None = Field(
        default=None, max_length=20, description="承办单位代码；不填则转给被反映单位"
    )
    release_content: bool = Field(default=False, description="同时提供原文（检举控告件不可）")
    release_attachment_ids: list[int] = Field(default_factory=list, max_length=50)


class ReleaseIn(BaseModel):
    model_config = _example({"attachment_ids": [31, 32]})

    attachment_ids: list[int] = Field(min_length=1, max_length=50)


class BodyIn(BaseModel):
    model_config = _example(
        {"body": "经核实，已于 11 月 20 日为群众办结居住证明，并对经办人批评教育。"}
    )

    body: str = Field(max_length=TEXT_MAX)


class ReviewReturnIn(BaseModel):
    model_config = _example({"accept": False, "comment": "该事项属于社区职责，请继续办理。"})

    accept: bool = Field(description="true 同意退回，false 不同意（仍由该单位办理）")
    comment: str = Field(max_length=TEXT_MAX)


class QuestionIn(BaseModel):
    model_config = _example({"question": "请补充办理证明的具体日期和经办人员。"})

    question: str = Field(max_length=TEXT_MAX)


class ReplyIn(BaseModel):
    model_config = _example(
        {"reply": "经核实，社区已为您办理居住证明，并对相关工作人员进行了批评教育。"}
    )

    reply: str = Field(max_length=TEXT_MAX)


class DispositionIn(BaseModel):
    model_config = _example({"disposition": "verify", "note": "先行初步核实"})

    disposition: Disposition
    note: str = Field(default="", max_length=TEXT_MAX)


class FeedbackIn(BaseModel):
    model_config = _example({"note": "已电话告知反映人办理结果"})

    note: str = Field(max_length=TEXT_MAX)


class RevealIn(BaseModel):
    model_config = _example({"reason": "需要电话核实举报细节"})

    reason: str = Field(max_length=500)


class IdentityOut(BaseModel):
    """The complainant's identity; returned once per logged reveal, never cached."""

    name: str = Field(examples=["王某"])
    mobile: str = Field(examples=["13800000000"])
    id_number: str = Field(examples=[""])
