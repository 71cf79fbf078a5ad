"""AuditEvent table."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.core import clock
from app.core.dbtypes import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One state change or identity reveal; `hash` chains it to the event before it."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object_type_object_id", "object_type", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    # Kept as a label too, so the log still reads after an account is renamed.
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    actor_label: str = Field(default="", max_length=100)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=40)
    data: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Unique, so two writers racing for the same predecessor cannot fork the chain.
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)
