"""CalendarOverride (one date made a working or a rest day) and DeadlinePolicy tables."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.core.clock import now as clock_now
from app.core.dbtypes import UTCDateTime, str_enum
from app.core.workcalendar import DEADLINE_UNIT_LABELS, DeadlineUnit

__all__ = [
    "CLOCK_LABELS",
    "DEADLINE_UNIT_LABELS",
    "KIND_LABELS",
    "CalendarOverride",
    "DeadlineClock",
    "DeadlinePolicy",
    "DeadlineUnit",
]

# Ticket kinds (PRODUCT.md §6). The ticket domain's kind enum uses the same values; policies
# store the plain string so this package does not depend on the ticket package that uses it.
KIND_LABELS: dict[str, str] = {
    "report": "检举控告",
    "complaint": "投诉",
    "suggestion": "意见建议",
}


class DeadlineClock(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # 受理告知: from submission
    RESOLVE = "resolve"  # 办结: from acceptance
    FEEDBACK = "feedback"  # 结果反馈 to a real-name reporter: from closing
    RATING = "rating"  # 评价期限: from the answer; then the ticket closes as 未评价


CLOCK_LABELS: dict[DeadlineClock, str] = {
    DeadlineClock.ACKNOWLEDGE: "受理告知",
    DeadlineClock.RESOLVE: "办结",
    DeadlineClock.FEEDBACK: "结果反馈",
    DeadlineClock.RATING: "评价期限",
}


class CalendarOverride(SQLModel, table=True):
    """An admin's word on one date, for years chinesecalendar does not know yet or corrections."""

    __tablename__ = "calendar_override"

    id: int | None = Field(default=None, primary_key=True)
    # `day`, not `date`: a field named like its type breaks the annotation.
    day: date = Field(unique=True)
    is_workday: bool
    note: str = Field(default="", max_length=100)
    updated_at: datetime = Field(
        default_factory=clock_now, sa_column=Column(UTCDateTime(), nullable=False)
    )


class DeadlinePolicy(SQLModel, table=True):
    """A configured deadline for one kind (category_code None) or one category of that kind.

    Rows override the defaults in app.calendar.service.DEFAULT_POLICIES; no row, no change.
    """

    __tablename__ = "deadline_policy"
    __table_args__ = (
        UniqueConstraint("kind", "category_code", "clock"),
        # NULLs are distinct in unique constraints, so the kind-wide rows need their own index.
        Index(
            "uq_deadline_policy_kind_clock_default",
            "kind",
            "clock",
            unique=True,
            sqlite_where=text("category_code IS NULL"),
            postgresql_where=text("category_code IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    category_code: str | None = Field(default=None, max_length=40)
    clock: DeadlineClock = Field(sa_type=str_enum(DeadlineClock))
    amount: int
    unit: DeadlineUnit = Field(sa_type=str_enum(DeadlineUnit))
    updated_at: datetime = Field(
        default_factory=clock_now, sa_column=Column(UTCDateTime(), nullable=False)
    )
