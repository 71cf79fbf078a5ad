"""The outbox table: one row per message to send, kept after delivery as a record."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.core import clock
from app.core.dbtypes import UTCDateTime, str_enum


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    # Staff notices go to the log (and later an in-app inbox); recipient is e.g. "user:12".
    STAFF = "staff"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    # Claimed by a worker until lease_until; an expired lease returns the row to pending.
    SENDING = "sending"
    SENT = "sent"
    # The last attempt failed; retried at next_attempt_at.
    FAILED = "failed"
    # Gave up after the maximum attempts; only an administrator's retry revives it.
    DEAD = "dead"


class OutboxMessage(SQLModel, table=True):
    """A message to deliver; the recipient is personal data and stored encrypted."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        Index("ix_notify_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    channel: Channel = Field(sa_type=str_enum(Channel))
    # AES-GCM token (app.core.crypto, AAD RECIPIENT_AAD); only recipient_hint is shown.
    recipient: str = Field(max_length=600)
    recipient_hint: str = Field(default="", max_length=64)
    subject: str = Field(default="", max_length=200)
    body: str = Field(sa_type=Text)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=str_enum(OutboxStatus))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str = Field(default="", max_length=500)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Makes enqueue idempotent, e.g. "ticket:42:acknowledged" is sent once however often asked.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
