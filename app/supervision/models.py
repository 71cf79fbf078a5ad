"""Supervision tables: notice numbering, notices, rectifications, inspections, talks, files."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core import clock
from app.core.dbtypes import UTCDateTime, str_enum


class NoticeStatus(StrEnum):
    DRAFT = "draft"  # 草稿: no number yet
    ISSUED = "issued"  # 已下发, waiting for the unit to sign
    SIGNED = "signed"  # 已签收, the unit is rectifying
    RESPONDED = "responded"  # 已报送整改报告, waiting for the team's review
    RETURNED = "returned"  # 已退回: the report was not accepted; the unit answers again
    ACCEPTED = "accepted"  # 已通过 (final)


# Statuses in which the unit still owes something, so the deadline matters.
NOTICE_OPEN_STATUSES = frozenset({NoticeStatus.ISSUED, NoticeStatus.SIGNED, NoticeStatus.RETURNED})


class RectificationSource(StrEnum):
    TICKET = "ticket"  # 投诉举报
    NOTICE = "notice"  # 督办通知书
    INSPECTION = "inspection"  # 监督检查
    AUDIT = "audit"  # 审计
    MANUAL = "manual"  # 其他 (entered by hand)


class RectificationStatus(StrEnum):
    """Stored statuses; 逾期 (overdue) is computed from the deadline (ledger.effective_status)."""

    IN_PROGRESS = "in_progress"  # 整改中
    SUBMITTED = "submitted"  # 已整改待验收
    VERIFIED = "verified"  # 已销号 (final)
    OVERDUE = "overdue"  # 逾期: never stored, only shown and filtered


class TalkKind(StrEnum):
    HEART = "heart"  # 谈心谈话
    INTEGRITY = "integrity"  # 廉政谈话


def _now_column() -> Any:
    return Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


def _time() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime()))


class NoticeNumbering(SQLModel, table=True):
    """A team's notice counter for one year, with its prefix; locked FOR UPDATE while issuing."""

    __tablename__ = "supervision_numbering"
    __table_args__ = (UniqueConstraint("team_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    year: int
    prefix: str = Field(max_length=20)
    last_number: int = Field(default=0)


class SupervisionNotice(SQLModel, table=True):
    """督办通知书: a numbered document from a team to a unit, and the unit's answer to it."""

    __tablename__ = "supervision_notice"
    __table_args__ = (
        UniqueConstraint("team_id", "year", "sequence"),
        Index("ix_supervision_notice_team_id_status", "team_id", "status"),
        Index("ix_supervision_notice_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    status: NoticeStatus = Field(default=NoticeStatus.DRAFT, sa_type=str_enum(NoticeStatus))
    # Filled when issued: 宁纪督〔2026〕12号 = prefix, year, sequence.
    number: str | None = Field(default=None, max_length=40, unique=True)
    year: int | None = None
    sequence: int | None = None
    title: str = Field(default="", max_length=200)
    problems: str = Field(sa_type=Text)
    requirements: str = Field(sa_type=Text)
    deadline_days: int  # working days from issuing
    inspection_id: int | None = Field(default=None, foreign_key="supervision_inspection.id")

    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _now_column()
    updated_at: datetime = _now_column()
    issued_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    issued_at: datetime | None = _time()
    due_at: datetime | None = _time()
    due_explanation: str = Field(default="", max_length=500)
    signed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    signed_at: datetime | None = _time()
    # The unit's rectification report (整改报告); replaced when answering again after a return.
    response: str = Field(default="", sa_type=Text)
    responded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    responded_at: datetime | None = _time()
    # The team's decision: the reasons for a return, or a note on acceptance.
    review_note: str = Field(default="", sa_type=Text)
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = _time()
    return_count: int = Field(default=0)
    # 0 = on time, 1 = overdue and the team lead told, 2 = escalated to the parent team.
    overdue_level: int = Field(default=0)


class NoticeTicket(SQLModel, table=True):
    """A ticket a notice is about (a notice may cover several tickets)."""

    __tablename__ = "supervision_notice_ticket"

    notice_id: int = Field(
        foreign_key="supervision_notice.id", primary_key=True, ondelete="CASCADE"
    )
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True, index=True)


class Inspection(SQLModel, table=True):
    """监督检查: a team's check of one or more units; its findings become rectifications."""

    __tablename__ = "supervision_inspection"
    __table_args__ = (Index("ix_supervision_inspection_team_id_held_on", "team_id", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    held_on: date
    subject: str = Field(max_length=200)
    # The inspectors and the people met, as written on the record (free text).
    people: str = Field(default="", max_length=500)
    summary: str = Field(default="", sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _now_column()


class InspectionUnit(SQLModel, table=True):
    __tablename__ = "supervision_inspection_unit"

    inspection_id: int = Field(
        foreign_key="supervision_inspection.id", primary_key=True, ondelete="CASCADE"
    )
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class Rectification(SQLModel, table=True):
    """整改台账 entry: one problem, its measures, deadline, progress, evidence and 销号."""

    __tablename__ = "supervision_rectification"
    __table_args__ = (
        Index("ix_supervision_rectification_team_id_status", "team_id", "status"),
        Index("ix_supervision_rectification_unit_id_status", "unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    unit_id: int = Field(foreign_key="unit.id")
    source: RectificationSource = Field(sa_type=str_enum(RectificationSource), index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    notice_id: int | None = Field(default=None, foreign_key="supervision_notice.id", index=True)
    inspection_id: int | None = Field(
        default=None, foreign_key="supervision_inspection.id", index=True
    )
    problem: str = Field(sa_type=Text)
    responsible_person: str = Field(default="", max_length=100)
    measures: str = Field(default="", sa_type=Text)
    deadline: date
    status: RectificationStatus = Field(
        default=RectificationStatus.IN_PROGRESS, sa_type=str_enum(RectificationStatus)
    )
    completion: str = Field(default="", sa_type=Text)  # 完成情况, written when submitting
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    submitted_at: datetime | None = _time()
    verification_note: str = Field(default="", sa_type=Text)  # 销号情况 or reasons for rejecting
    # What the public timeline shows of a 已销号 item: written by the team, no personal data.
    public_summary: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    verified_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    verified_at: datetime | None = _time()
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _now_column()
    updated_at: datetime = _now_column()


class RectificationNote(SQLModel, table=True):
    """A dated progress note (整改进展) on a ledger entry."""

    __tablename__ = "supervision_rectification_note"

    id: int | None = Field(default=None, primary_key=True)
    rectification_id: int = Field(
        foreign_key="supervision_rectification.id", index=True, ondelete="CASCADE"
    )
    body: str = Field(sa_type=Text)
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: datetime = _now_column()


class SupervisionFile(SQLModel, table=True):
    """Evidence (整改佐证材料) for a notice response or a ledger entry, stored like ticket files."""

    __tablename__ = "supervision_file"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int | None = Field(
        default=None, foreign_key="supervision_notice.id", index=True, ondelete="CASCADE"
    )
    rectification_id: int | None = Field(
        default=None, foreign_key="supervision_rectification.id", index=True, ondelete="CASCADE"
    )
    stored_name: str = Field(max_length=80, unique=True)
    original_name: str = Field(max_length=200)
    content_type: str = Field(max_length=50)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _now_column()


class Talk(SQLModel, table=True):
    """谈心谈话 / 廉政谈话 record; readable only by members of the team (policies.can_read_talk)."""

    __tablename__ = "supervision_talk"
    __table_args__ = (Index("ix_supervision_talk_team_id_held_on", "team_id", "held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    kind: TalkKind = Field(sa_type=str_enum(TalkKind))
    held_on: date
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # Who was talked to (one per line) — their count is the 人次 of the yearly figures.
    interviewees: str = Field(max_length=1000)
    person_count: int = Field(default=1)
    interviewers: str = Field(default="", max_length=500)
    summary: str = Field(default="", sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _now_column()
