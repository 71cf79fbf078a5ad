"""Ticket tables: categories, tickets, timeline, attachments, reveals, recusals, counters."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from app.core import clock
from app.core.dbtypes import UTCDateTime, str_enum


class TicketKind(StrEnum):
    REPORT = "report"  # 检举控告: about a cadre's conduct; strictly confidential
    COMPLAINT = "complaint"  # 投诉: about service; may be forwarded to the unit
    SUGGESTION = "suggestion"  # 意见建议


class TicketStatus(StrEnum):
    SUBMITTED = "submitted"  # 待受理
    ACCEPTED = "accepted"  # 已受理
    REJECTED = "rejected"  # 不予受理 (final)
    MERGED = "merged"  # 已合并 into another ticket (final)
    IN_PROGRESS = "in_progress"  # 办理中: forwarded to a unit or under the team's own check
    WAITING_INFO = "waiting_info"  # 待补充: the resolve clock is paused
    ANSWERED = "answered"  # 已答复: public reply given, rating window open
    RATED = "rated"  # 已评价
    CLOSED = "closed"  # 已办结 (final)


# Statuses in which nothing more happens to a ticket.
FINAL_STATUSES = frozenset({TicketStatus.REJECTED, TicketStatus.MERGED, TicketStatus.CLOSED})
# Statuses in which the team still has to act before answering.
OPEN_STATUSES = frozenset(
    {
        TicketStatus.SUBMITTED,
        TicketStatus.ACCEPTED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_INFO,
    }
)


class TicketChannel(StrEnum):
    WEB = "web"  # the public form
    HOTLINE = "hotline"  # 来电, entered by staff
    VISIT = "visit"  # 来访, entered by staff
    LETTER = "letter"  # 来信, entered by staff
    API = "api"


class UnitStage(StrEnum):
    """Where a forwarded ticket stands with the unit (while the ticket is in_progress)."""

    FORWARDED = "forwarded"  # 已转办, waiting for the unit
    REPLIED = "replied"  # the unit replied; the team answers the citizen
    RETURNED = "returned"  # 退单: the team must review the reason


class Disposition(StrEnum):
    """How a report is disposed of (处置方式, 《纪检监察机关处理检举控告工作规则》第十七条)."""

    TALK = "talk"  # 谈话函询
    VERIFY = "verify"  # 初步核实
    SHELVE = "shelve"  # 暂存待查
    CONCLUDE = "conclude"  # 予以了结
    TRANSFER = "transfer"  # 移送审查调查


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY = "basically"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


class EntryKind(StrEnum):
    SUBMITTED = "submitted"
    ROUTED = "routed"
    STATUS_CHANGE = "status_change"
    INTERNAL_NOTE = "internal_note"
    PUBLIC_REPLY = "public_reply"
    FORWARD = "forward"
    UNIT_REPLY = "unit_reply"
    UNIT_RETURN = "unit_return"
    RETURN_REVIEW = "return_review"
    INFO_REQUEST = "info_request"
    SUPPLEMENT = "supplement"
    RATING = "rating"
    REVEAL = "reveal"
    ASSIGNMENT = "assignment"
    DISPOSITION = "disposition"
    MERGE = "merge"
    ESCALATION = "escalation"
    FEEDBACK = "feedback"
    ATTACHMENT_RELEASE = "attachment_release"


class Visibility(StrEnum):
    """Who besides the team sees a timeline entry; the team always sees every entry."""

    PUBLIC = "public"  # the citizen (with the receipt) and the unit handling the ticket
    CITIZEN = "citizen"  # the citizen only (their own supplements, ratings, requests to them)
    UNIT = "unit"  # the unit only (forward summary, its replies and returns)
    TEAM = "team"  # internal: notes, routing, reveals, dispositions


class Audience(StrEnum):
    """Who is looking at a ticket; decides which fields and entries they get."""

    TEAM = "team"
    UNIT = "unit"
    CITIZEN = "citizen"


AUDIENCE_VISIBILITIES: dict[Audience, frozenset[Visibility]] = {
    Audience.TEAM: frozenset(Visibility),
    Audience.UNIT: frozenset({Visibility.PUBLIC, Visibility.UNIT}),
    Audience.CITIZEN: frozenset({Visibility.PUBLIC, Visibility.CITIZEN}),
}


class EntryActor(StrEnum):
    """Whose hand an entry is from, so each audience can be shown a suitable name."""

    CITIZEN = "citizen"
    TEAM = "team"
    UNIT = "unit"
    SYSTEM = "system"


def _now_column() -> Any:
    return Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


def _time() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime()))


class Category(SQLModel, table=True):
    """A complaint category (吃拿卡要, 办事拖延 …); its kind decides how a ticket is handled."""

    __tablename__ = "ticket_category"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=50, unique=True)
    kind: TicketKind = Field(sa_type=str_enum(TicketKind))
    description: str = Field(default="", max_length=200)
    is_active: bool = Field(default=True)
    position: int = Field(default=0)


class TicketCounter(SQLModel, table=True):
    """The last number handed out on a local day; incremented under a row lock (gap-free)."""

    __tablename__ = "ticket_counter"

    day: date = Field(primary_key=True)
    last: int = Field(default=0)


class Ticket(SQLModel, table=True):
    """A complaint, report or suggestion, from submission to closing. Never stores IP addresses."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_team_id_status", "team_id", "status"),
        Index("ix_ticket_unit_id_category_id_created_at", "unit_id", "category_id", "created_at"),
        Index("ix_ticket_status_resolve_due_at", "status", "resolve_due_at"),
        # Statistics count the tickets received in a period, county-wide or per team.
        Index("ix_ticket_created_at", "created_at"),
        Index("ix_ticket_team_id_created_at", "team_id", "created_at"),
        # Overdue 待受理 tickets (statistics, drill-down); the statistics cache's data version.
        Index("ix_ticket_status_ack_due_at", "status", "ack_due_at"),
        Index("ix_ticket_updated_at", "updated_at"),
        # The tickets statistics count one by one: those not (yet) in the tally (app.stats.tally)
        # — the open ones and those settled since the last tick, a few per cent of the table.
        Index(
            "ix_ticket_untallied_created_at_id",
            "created_at",
            "id",
            sqlite_where=text("tallied = 0"),
            postgresql_where=text("NOT tallied"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)  # TS-YYYYMMDD-NNNN, public
    # HMAC of the secret receipt code; the code itself is shown once and never stored.
    receipt_code_hash: str = Field(max_length=64)
    kind: TicketKind = Field(sa_type=str_enum(TicketKind))
    category_id: int = Field(foreign_key="ticket_category.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    # What the ticket concerns, by stable key, and its name when filed (items change versions).
    power_item_key: str | None = Field(default=None, max_length=16, index=True)
    cadre_duty_key: str | None = Field(default=None, max_length=16)
    negative_item_key: str | None = Field(default=None, max_length=16)
    subject: str = Field(default="", max_length=200)
    channel: TicketChannel = Field(sa_type=str_enum(TicketChannel))
    status: TicketStatus = Field(default=TicketStatus.SUBMITTED, sa_type=str_enum(TicketStatus))
    team_id: int = Field(foreign_key="team.id")
    routing_reason: str = Field(default="", max_length=300)
    assignee_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    # Identity and contact (name, mobile, ID number) as one AES-GCM token; None when anonymous.
    is_anonymous: bool = Field(default=True)
    identity_ciphertext: str | None = Field(default=None, sa_type=Text)

    # The citizen's own words; for a report they never leave the team.
    content: str = Field(sa_type=Text)
    # Complaints only: the team chose to show the original text to the handling unit.
    content_released: bool = Field(default=False)

    # Forwarding (转办) to a unit; handling_unit_id is None while the team handles it itself.
    handling_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    unit_stage: UnitStage | None = Field(default=None, sa_type=str_enum(UnitStage))
    forward_summary: str = Field(default="", sa_type=Text)
    forwarded_at: datetime | None = _time()
    public_reply: str = Field(default="", sa_type=Text)

    # Reports: internal disposition proposed by a member, approved by the team lead.
    disposition: Disposition | None = Field(default=None, sa_type=str_enum(Disposition))
    disposition_note: str = Field(default="", sa_type=Text)
    disposition_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    disposition_at: datetime | None = _time()
    disposition_approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    disposition_approved_at: datetime | None = _time()

    reopen_count: int = Field(default=0)
    # 退单 by a unit, counted for the 退单率 (incremented by handling.unit_return).
    return_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Working days from the resolve clock's start (or submission) to the latest answer; None
    # until answered (and for tickets answered before this column existed).
    handling_days: int | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    # Summed into the statistics tally (app.stats.tally keeps it true only while the ticket is
    # settled and unchanged; nothing else should set it).
    tallied: bool = Field(default=False, sa_column_kwargs={"server_default": false()})

    created_at: datetime = _now_column()
    updated_at: datetime = _now_column()
    acknowledged_at: datetime | None = _time()
    answered_at: datetime | None = _time()
    closed_at: datetime | None = _time()
    fed_back_at: datetime | None = _time()

    # Clocks (§6), each with the words that explain how it was counted.
    ack_due_at: datetime | None = _time()
    ack_due_explanation: str = Field(default="", max_length=500)
    # The resolve clock starts at acceptance, and again when a ticket is reopened (重办).
    resolve_started_at: datetime | None = _time()
    resolve_due_at: datetime | None = _time()
    resolve_due_explanation: str = Field(default="", max_length=500)
    rating_due_at: datetime | None = _time()
    rating_due_explanation: str = Field(default="", max_length=500)
    feedback_due_at: datetime | None = _time()
    feedback_due_explanation: str = Field(default="", max_length=500)
    # waiting_info pauses the resolve clock: the open pause, and the finished ones
    # ([[start_iso, end_iso], …]) that push the resolve due date back.
    paused_at: datetime | None = _time()
    pauses: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # 0 = on time, 1 = overdue and the team lead told, 2 = escalated to the parent team.
    overdue_level: int = Field(default=0)

    rating: Rating | None = Field(default=None, sa_type=str_enum(Rating))
    resolved: bool | None = None
    rating_comment: str = Field(default="", max_length=500)
    rated_at: datetime | None = _time()
    closed_reason: str = Field(default="", max_length=100)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class TicketEntry(SQLModel, table=True):
    """One line of a ticket's timeline; `visibility` says which audiences may read it."""

    __tablename__ = "ticket_entry"
    __table_args__ = (Index("ix_ticket_entry_ticket_id_at", "ticket_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    at: datetime = _now_column()
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_role: EntryActor = Field(sa_type=str_enum(EntryActor))
    kind: EntryKind = Field(sa_type=str_enum(EntryKind))
    visibility: Visibility = Field(sa_type=str_enum(Visibility))
    body: str = Field(default="", sa_type=Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TicketAttachment(SQLModel, table=True):
    """A file stored outside the web root under a random name; metadata stripped from images."""

    __tablename__ = "ticket_attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True, ondelete="CASCADE")
    entry_id: int | None = Field(default=None, foreign_key="ticket_entry.id")
    stored_name: str = Field(max_length=80, unique=True)
    original_name: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size: int
    sha256: str = Field(max_length=64)
    released_to_unit: bool = Field(default=False)
    uploaded_by: EntryActor = Field(sa_type=str_enum(EntryActor))
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _now_column()


class IdentityReveal(SQLModel, table=True):
    """Who looked at a complainant's identity, when, and why (also in the audit log)."""

    __tablename__ = "ticket_identity_reveal"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    reason: str = Field(max_length=500)
    at: datetime = _now_column()


class TicketRecusal(SQLModel, table=True):
    """A team member kept away from a ticket (回避) because they are linked to the unit."""

    __tablename__ = "ticket_recusal"
    __table_args__ = (UniqueConstraint("ticket_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True)
    reason: str = Field(default="", max_length=200)
