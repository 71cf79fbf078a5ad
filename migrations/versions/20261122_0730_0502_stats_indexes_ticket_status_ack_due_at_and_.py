"""Statistics speed-ups: ticket (status, ack_due_at) for overdue 待受理 tickets, and
ticket (updated_at) for the statistics cache's data version (one index lookup for max()).

On PostgreSQL 14+ also extended statistics on the statistics' grouping columns (app.stats.figures
groups by unit, team, category, kind and local month): without them the planner multiplies the
columns' distinct counts, expects ~800 000 groups for ~40 000 and plans a spilling, serial
aggregate. The month expression must stay exactly as app.stats.figures.local_month writes it.

Revision ID: 0502_stats_indexes
Revises: 0501_stats
Create Date: 2026-11-22 07:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

STATISTICS = "st_ticket_stats_groups"

revision: str = '0502_stats_indexes'
down_revision: str | None = '0501_stats'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_status_ack_due_at', ['status', 'ack_due_at'], unique=False)
        batch_op.create_index('ix_ticket_updated_at', ['updated_at'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and (bind.dialect.server_version_info or (0,)) >= (14,):
        op.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) ON unit_id, team_id, "
            "category_id, kind, (date_trunc('month', timezone('Asia/Shanghai', created_at))) "
            "FROM ticket"
        )
        op.execute("ANALYZE ticket")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_updated_at')
        batch_op.drop_index('ix_ticket_status_ack_due_at')
