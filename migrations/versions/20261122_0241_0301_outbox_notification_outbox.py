"""Notification outbox: messages written with the change that caused them, sent by a worker.

Revision ID: 0301_outbox
Revises: 0101_calendar
Create Date: 2026-11-22 02:41:38.778520
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.dbtypes

revision: str = '0301_outbox'
down_revision: str | None = '0101_calendar'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notify_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.Enum('sms', 'email', 'staff', name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
    sa.Column('recipient_hint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', 'dead', name='outboxstatus', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('sent_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notify_outbox_dedupe_key'))
    )
    op.create_index('ix_notify_outbox_status_next_attempt_at', 'notify_outbox', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notify_outbox_status_next_attempt_at', table_name='notify_outbox')
    op.drop_table('notify_outbox')
