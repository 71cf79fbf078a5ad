"""Foundation: units, teams, staff accounts, memberships, audit events.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:05:16.888000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.dbtypes

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sa.Enum('commission', 'dispatched', 'township', name='teamkind', native_enum=False, length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('home_unit_id', sa.Integer(), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['team.id'], name=op.f('fk_team_parent_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('name', name=op.f('uq_team_name'))
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_home_unit_id'), ['home_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_parent_id'), ['parent_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('locked_until', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_event_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_event_prev_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_event_object_type_object_id', ['object_type', 'object_id'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sa.Enum('province', 'city', 'county', 'township', 'subdistrict', 'village', 'community', 'office', 'institution', 'station', name='unitkind', native_enum=False, length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('hotline', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('pinyin', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('pinyin_initials', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_unit_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_name'), ['name'], unique=False)
        batch_op.create_index('ix_unit_parent_id_name', ['parent_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_path'), ['path'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_pinyin'), ['pinyin'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_pinyin_initials'), ['pinyin_initials'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_team_id'), ['team_id'], unique=False)

    # team.home_unit_id and unit.team_id point at each other: add this key once both exist.
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_team_home_unit_id_unit'), 'unit', ['home_unit_id'], ['id']
        )

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'team_lead', 'team_member', 'unit_editor', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('include_descendants', sa.Boolean(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_membership_team_id_team')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_membership_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_unit_id'))
        batch_op.drop_index(batch_op.f('ix_membership_team_id'))

    op.drop_table('membership')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_team_id'))
        batch_op.drop_index(batch_op.f('ix_unit_pinyin_initials'))
        batch_op.drop_index(batch_op.f('ix_unit_pinyin'))
        batch_op.drop_index(batch_op.f('ix_unit_path'))
        batch_op.drop_index('ix_unit_parent_id_name')
        batch_op.drop_index(batch_op.f('ix_unit_name'))
        batch_op.drop_index(batch_op.f('ix_unit_kind'))

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_team_home_unit_id_unit'), type_='foreignkey')

    op.drop_table('unit')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object_type_object_id')
        batch_op.drop_index(batch_op.f('ix_audit_event_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    op.drop_table('user_account')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_parent_id'))
        batch_op.drop_index(batch_op.f('ix_team_home_unit_id'))

    op.drop_table('team')
