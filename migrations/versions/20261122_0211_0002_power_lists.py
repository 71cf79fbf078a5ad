"""Power lists: lists, versions, items with steps and risks, cadre duties, negative items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:11:58.572157
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.dbtypes

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('power_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('duty', 'cadre', 'negative', name='listkind', native_enum=False, length=20), nullable=False),
    sa.Column('standard_for_kind', sa.Enum('province', 'city', 'county', 'township', 'subdistrict', 'village', 'community', 'office', 'institution', 'station', name='unitkind', native_enum=False, length=20), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_power_list_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_list')),
    sa.UniqueConstraint('unit_id', 'kind', name=op.f('uq_power_list_unit_id_kind'))
    )
    with op.batch_alter_table('power_list', schema=None) as batch_op:
        batch_op.create_index('ix_power_list_standard_for_kind_kind', ['standard_for_kind', 'kind'], unique=False)

    op.create_table('list_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'published', 'superseded', name='versionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('empty', 'copy', 'standard', 'import', name='versionsource', native_enum=False, length=20), nullable=False),
    sa.Column('based_on_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('published_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['based_on_version_id'], ['list_version.id'], name=op.f('fk_list_version_based_on_version_id_list_version'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_list_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['list_id'], ['power_list.id'], name=op.f('fk_list_version_list_id_power_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_list_version_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_list_version_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_list_version_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_version')),
    sa.UniqueConstraint('list_id', 'number', name=op.f('uq_list_version_list_id_number'))
    )
    with op.batch_alter_table('list_version', schema=None) as batch_op:
        batch_op.create_index('ix_list_version_list_id_status', ['list_id', 'status'], unique=False)
        batch_op.create_index('ix_list_version_status_submitted_at', ['status', 'submitted_at'], unique=False)
        batch_op.create_index('uq_list_version_open_list_id', ['list_id'], unique=True, sqlite_where=sa.text("status IN ('draft', 'submitted')"), postgresql_where=sa.text("status IN ('draft', 'submitted')"))

    # power_list.current_version_id and list_version.list_id point at each other: add this key
    # once both tables exist.
    with op.batch_alter_table('power_list', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_power_list_current_version_id_list_version'),
            'list_version',
            ['current_version_id'],
            ['id'],
            ondelete='SET NULL',
        )

    op.create_table('cadre_duty',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('post', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('person', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('duties', sa.JSON(), nullable=False),
    sa.Column('requirements', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['list_version.id'], name=op.f('fk_cadre_duty_version_id_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadre_duty')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_cadre_duty_version_id_key'))
    )
    with op.batch_alter_table('cadre_duty', schema=None) as batch_op:
        batch_op.create_index('ix_cadre_duty_version_id_position', ['version_id', 'position'], unique=False)

    op.create_table('negative_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('act', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('consequence', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('item_refs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['list_version.id'], name=op.f('fk_negative_item_version_id_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_negative_item')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_negative_item_version_id_key'))
    )
    with op.batch_alter_table('negative_item', schema=None) as batch_op:
        batch_op.create_index('ix_negative_item_version_id_position', ['version_id', 'position'], unique=False)

    op.create_table('power_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('responsible', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('time_limit', sa.Integer(), nullable=True),
    sa.Column('time_unit', sa.Enum('working', 'calendar', name='timeunit', native_enum=False, length=20), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('disclosure_content', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('disclosure_deadline', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('disclosure_channel', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('accountability', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('team_override_id', sa.Integer(), nullable=True),
    sa.Column('legal_bases', sa.JSON(), nullable=False),
    sa.Column('negative_refs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['team_override_id'], ['team.id'], name=op.f('fk_power_item_team_override_id_team')),
    sa.ForeignKeyConstraint(['version_id'], ['list_version.id'], name=op.f('fk_power_item_version_id_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_power_item')),
    sa.UniqueConstraint('key', 'version_id', name=op.f('uq_power_item_key_version_id'))
    )
    with op.batch_alter_table('power_item', schema=None) as batch_op:
        batch_op.create_index('ix_power_item_version_id_position', ['version_id', 'position'], unique=False)

    op.create_table('process_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('time_limit', sa.Integer(), nullable=True),
    sa.Column('time_unit', sa.Enum('working', 'calendar', name='timeunit', native_enum=False, length=20), nullable=False),
    sa.Column('disclosure', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('kind', sa.Enum('task', 'decision', name='stepkind', native_enum=False, length=20), nullable=False),
    sa.Column('reject_to', sa.Integer(), nullable=True),
    sa.Column('reject_label', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['power_item.id'], name=op.f('fk_process_step_item_id_power_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['list_version.id'], name=op.f('fk_process_step_version_id_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_step'))
    )
    with op.batch_alter_table('process_step', schema=None) as batch_op:
        batch_op.create_index('ix_process_step_item_id_position', ['item_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_step_version_id'), ['version_id'], unique=False)

    op.create_table('risk_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('level', sa.Enum('high', 'medium', 'low', name='risklevel', native_enum=False, length=20), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['power_item.id'], name=op.f('fk_risk_point_item_id_power_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['list_version.id'], name=op.f('fk_risk_point_version_id_list_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_point'))
    )
    with op.batch_alter_table('risk_point', schema=None) as batch_op:
        batch_op.create_index('ix_risk_point_item_id_position', ['item_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_point_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('risk_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_point_version_id'))
        batch_op.drop_index('ix_risk_point_item_id_position')

    op.drop_table('risk_point')
    with op.batch_alter_table('process_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_step_version_id'))
        batch_op.drop_index('ix_process_step_item_id_position')

    op.drop_table('process_step')
    with op.batch_alter_table('power_item', schema=None) as batch_op:
        batch_op.drop_index('ix_power_item_version_id_position')

    op.drop_table('power_item')
    with op.batch_alter_table('negative_item', schema=None) as batch_op:
        batch_op.drop_index('ix_negative_item_version_id_position')

    op.drop_table('negative_item')
    with op.batch_alter_table('cadre_duty', schema=None) as batch_op:
        batch_op.drop_index('ix_cadre_duty_version_id_position')

    op.drop_table('cadre_duty')
    with op.batch_alter_table('power_list', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_power_list_current_version_id_list_version'), type_='foreignkey'
        )

    with op.batch_alter_table('list_version', schema=None) as batch_op:
        batch_op.drop_index('uq_list_version_open_list_id')
        batch_op.drop_index('ix_list_version_status_submitted_at')
        batch_op.drop_index('ix_list_version_list_id_status')

    op.drop_table('list_version')
    with op.batch_alter_table('power_list', schema=None) as batch_op:
        batch_op.drop_index('ix_power_list_standard_for_kind_kind')

    op.drop_table('power_list')
