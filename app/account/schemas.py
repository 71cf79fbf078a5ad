"""API shapes of staff accounts and memberships; password hashes never leave the service."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.account.models import User
from app.account.permissions import ROLE_LABELS, Role
from app.account.service import MembershipView, is_locked


class MembershipOut(BaseModel):
    """One role held by a user, with the unit or team it applies to."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "role": "unit_editor",
                    "role_label": "单位填报人员",
                    "unit_id": 57,
                    "unit_code": "330226100201",
                    "unit_name": "东山村",
                    "include_descendants": False,
                    "team_id": None,
                    "team_name": None,
                }
            ]
        }
    )

    id: int
    role: Role
    role_label: str
    unit_id: int | None
    unit_code: str | None
    unit_name: str | None
    include_descendants: bool
    team_id: int | None
    team_name: str | None

    @classmethod
    def from_view(cls, view: MembershipView) -> "MembershipOut":
        membership = view.membership
        assert membership.id is not None
        return cls(
            id=membership.id,
            role=membership.role,
            role_label=ROLE_LABELS[membership.role],
            unit_id=membership.unit_id,
            unit_code=view.unit.code if view.unit else None,
            unit_name=view.unit.name if view.unit else None,
            include_descendants=membership.include_descendants,
            team_id=membership.team_id,
            team_name=view.team.name if view.team else None,
        )


class UserOut(BaseModel):
    """A staff account as the API shows it (no password hash, no lockout counters)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "username": "dongshan",
                    "display_name": "王芳",
                    "phone": "0574-65512345",
                    "is_active": True,
                    "locked": False,
                    "last_login_at": "2026-03-02T01:15:00Z",
                    "created_at": "2026-01-05T08:00:00Z",
                    "memberships": [
                        {
                            "id": 12,
                            "role": "unit_editor",
                            "role_label": "单位填报人员",
                            "unit_id": 57,
                            "unit_code": "330226100201",
                            "unit_name": "东山村",
                            "include_descendants": False,
                            "team_id": None,
                            "team_name": None,
                        }
                    ],
                }
            ]
        }
    )

    id: int
    username: str
    display_name: str
    phone: str
    is_active: bool
    locked: bool = Field(description="因连续登录失败被临时锁定")
    last_login_at: datetime | None
    created_at: datetime
    memberships: list[MembershipOut]

    @classmethod
    def from_user(cls, user: User, memberships: list[MembershipView]) -> "UserOut":
        assert user.id is not None
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            phone=user.phone,
            is_active=user.is_active,
            locked=is_locked(user),
            last_login_at=user.last_login_at,
            created_at=user.created_at,
            memberships=[MembershipOut.from_view(view) for view in memberships],
        )


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int
    per_page: int
    pages: int


class MembershipCreate(BaseModel):
    """Grant a role: unit editors need `unit_code`, team roles need `team_id`, admin neither."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"role": "unit_editor", "unit_code": "330226100201", "include_descendants": False},
                {"role": "team_member", "team_id": 3},
            ]
        }
    )

    role: Role
    unit_code: str = Field(default="", max_length=20)
    team_id: int | None = None
    include_descendants: bool = False


class UserCreate(MembershipCreate):
    """A new account with its first role."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "dongshan",
                    "display_name": "王芳",
                    "phone": "0574-65512345",
                    "password": "Dongshan2026",
                    "role": "unit_editor",
                    "unit_code": "330226100201",
                }
            ]
        }
    )

    username: str = Field(max_length=50)
    display_name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=20)
    password: str = Field(
        max_length=200,
        description="初始密码：至少 8 位，含字母和数字",
        json_schema_extra={"format": "password"},
    )


class UserUpdate(BaseModel):
    """Fields left out stay as they are; `is_active: false` deactivates the account."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"display_name": "王芳", "phone": "13800000000"}]}
    )

    display_name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    is_active: bool | None = None
