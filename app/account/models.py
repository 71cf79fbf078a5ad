"""User and Membership tables."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.account.permissions import Role
from app.core import clock
from app.core.dbtypes import UTCDateTime, str_enum


class User(SQLModel, table=True):
    """A staff account. Citizens never have one."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=50, unique=True)
    display_name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=20)
    password_hash: str = Field(max_length=200)
    is_active: bool = Field(default=True)
    # Bumped on password reset and deactivation so every session and token issued before dies.
    session_version: int = Field(default=1)
    failed_logins: int = Field(default=0)
    lockouts: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Membership(SQLModel, table=True):
    """A role held in one scope: a unit (optionally with its descendants), a team, or the county."""

    __tablename__ = "membership"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=str_enum(Role))
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    include_descendants: bool = Field(default=False)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )
