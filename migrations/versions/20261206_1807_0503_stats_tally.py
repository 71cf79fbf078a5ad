"""Statistics tally: per-month sums of every measure over settled tickets (app.stats.tally),
the median's histogram of handling days (0–30 as columns, longer ones as rows), and ticket.tallied with a partial index on the tickets
not (yet) in the tally.

The sums start empty and every ticket untallied; the tick (`xiaowei tick`, or `serve`'s
periodic jobs) fills them in batches, and statistics are exact meanwhile (untallied tickets are
counted one by one). The column list is the one app.stats.tally.TALLY_COLUMNS gave at this
revision: a new measure needs a migration of its own.

Revision ID: 0503_stats_tally
Revises: 0502_stats_indexes
Create Date: 2026-12-06 18:07:28.867517
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0503_stats_tally'
down_revision: str | None = '0502_stats_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stats_handling_tally',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('handling_days', sa.Integer(), nullable=False),
    sa.Column('tickets', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('month', 'unit_id', 'team_id', 'category_id', 'kind', 'handling_days', name=op.f('pk_stats_handling_tally'))
    )
    op.create_table('stats_ticket_tally',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('received', sa.Integer(), server_default='0', nullable=False),
    sa.Column('accepted', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rejected', sa.Integer(), server_default='0', nullable=False),
    sa.Column('merged', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answered', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rated__unrated0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rated__unrated1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('open', sa.Integer(), server_default='0', nullable=False),
    sa.Column('overdue_open', sa.Integer(), server_default='0', nullable=False),
    sa.Column('response_due__rejections0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('response_due__rejections1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('responded_on_time__rejections0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('responded_on_time__rejections1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolved__byrating0_unrated0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolved__byrating0_unrated1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolved__byrating1_unrated0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolved__byrating1_unrated1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('satisfied__basically0_unrated0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('satisfied__basically0_unrated1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('satisfied__basically1_unrated0', sa.Integer(), server_default='0', nullable=False),
    sa.Column('satisfied__basically1_unrated1', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answer_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answered_on_time', sa.Integer(), server_default='0', nullable=False),
    sa.Column('forwarded', sa.Integer(), server_default='0', nullable=False),
    sa.Column('returned', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reopened', sa.Integer(), server_default='0', nullable=False),
    # The median's histogram: answered tickets by working days to answer, 0 to 30.
    *(
        sa.Column(f'handling_days_{days}', sa.Integer(), server_default='0', nullable=False)
        for days in range(31)
    ),
    sa.PrimaryKeyConstraint('month', 'unit_id', 'team_id', 'category_id', 'kind', name=op.f('pk_stats_ticket_tally'))
    )
    # Not in batch mode: SQLite adds a NOT NULL column with a constant default in place, where
    # a batch would copy the whole ticket table (minutes at a million tickets).
    op.add_column(
        'ticket', sa.Column('tallied', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index(
        'ix_ticket_untallied_created_at_id',
        'ticket',
        ['created_at', 'id'],
        unique=False,
        sqlite_where=sa.text('tallied = 0'),
        postgresql_where=sa.text('NOT tallied'),
    )


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_untallied_created_at_id', sqlite_where=sa.text('tallied = 0'), postgresql_where=sa.text('NOT tallied'))
        batch_op.drop_column('tallied')

    op.drop_table('stats_ticket_tally')
    op.drop_table('stats_handling_tally')
