"""Search index: distinct item texts, their character/bigram tokens, and published item entries.

Derived data only (see app/powerlist/search.py): nothing is lost by dropping it, and
`app.powerlist.search.rebuild_index` refills it from the published lists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:39:40.541524
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('search_doc',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_doc')),
    sa.UniqueConstraint('digest', name=op.f('uq_search_doc_digest'))
    )
    op.create_table('search_token',
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['doc_id'], ['search_doc.id'], name=op.f('fk_search_token_doc_id_search_doc'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', 'doc_id', name=op.f('pk_search_token')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('search_token', schema=None) as batch_op:
        batch_op.create_index('ix_search_token_doc_id', ['doc_id'], unique=False)

    op.create_table('search_list',
    sa.Column('list_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['power_list.id'], name=op.f('fk_search_list_list_id_power_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['list_version.id'], name=op.f('fk_search_list_version_id_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', name=op.f('pk_search_list'))
    )
    op.create_table('search_entry',
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['doc_id'], ['search_doc.id'], name=op.f('fk_search_entry_doc_id_search_doc')),
    sa.ForeignKeyConstraint(['item_id'], ['power_item.id'], name=op.f('fk_search_entry_item_id_power_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['power_list.id'], name=op.f('fk_search_entry_list_id_power_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_search_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_search_entry'))
    )
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.create_index('ix_search_entry_doc_id_unit_id_position', ['doc_id', 'unit_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entry_list_id'), ['list_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entry_list_id'))
        batch_op.drop_index('ix_search_entry_doc_id_unit_id_position')

    op.drop_table('search_entry')
    op.drop_table('search_list')
    with op.batch_alter_table('search_token', schema=None) as batch_op:
        batch_op.drop_index('ix_search_token_doc_id')

    op.drop_table('search_token')
    op.drop_table('search_doc')