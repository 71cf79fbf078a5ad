"""Work calendar: admin overrides of holidays/调休, and deadline policies per kind and category.

Revision ID: 0101_calendar
Revises: 0003
Create Date: 2026-11-22 02:41:27.803260
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.dbtypes

revision: str = '0101_calendar'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calendar_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_override')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_override_day'))
    )
    op.create_table('deadline_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('category_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('clock', sa.Enum('acknowledge', 'resolve', 'feedback', 'rating', name='deadlineclock', native_enum=False, length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('unit', sa.Enum('working', 'calendar', name='deadlineunit', native_enum=False, length=20), nullable=False),
    sa.Column('updated_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_policy')),
    sa.UniqueConstraint('kind', 'category_code', 'clock', name=op.f('uq_deadline_policy_kind_category_code_clock'))
    )
    with op.batch_alter_table('deadline_policy', schema=None) as batch_op:
        batch_op.create_index('uq_deadline_policy_kind_clock_default', ['kind', 'clock'], unique=True, sqlite_where=sa.text('category_code IS NULL'), postgresql_where=sa.text('category_code IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('deadline_policy', schema=None) as batch_op:
        batch_op.drop_index('uq_deadline_policy_kind_clock_default', sqlite_where=sa.text('category_code IS NULL'), postgresql_where=sa.text('category_code IS NULL'))

    op.drop_table('deadline_policy')
    op.drop_table('calendar_override')
