"""/api/v1/users — staff accounts and their roles, for administrators' scripts and tools."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session

from app.account import service as account_service
from app.account.models import User
from app.account.permissions import Permission, Role
from app.account.schemas import (
    MembershipCreate,
    MembershipOut,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
)
from app.account.service import Principal
from app.web.deps import SessionDep, require

router = APIRouter(prefix="/users", tags=["users"])

CanRead = Annotated[Principal, Depends(require(Permission.USER_READ))]
CanCreate = Annotated[Principal, Depends(require(Permission.USER_CREATE))]
CanUpdate = Annotated[Principal, Depends(require(Permission.USER_UPDATE))]


def _out(session: Session, user: User) -> UserOut:
    assert user.id is not None
    views = account_service.memberships_by_user(session, user_ids=[user.id])[user.id]
    return UserOut.from_user(user, views)


@router.get("", name="api.users.list")
def list_users(
    session: SessionDep,
    principal: CanRead,
    q: Annotated[str, Query(max_length=50, description="按用户名、姓名或电话搜索")] = "",
    role: Role | None = None,
    active: bool | None = None,
    locked: bool | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> UserPage:
    """Staff accounts, ordered by username."""
    users = account_service.list_users(
        session,
        visible_to=principal,
        query=q,
        role=role,
        active=active,
        locked=locked,
        page=page,
        per_page=per_page,
    )
    views = account_service.memberships_by_user(
        session, user_ids=[user.id for user in users.items if user.id is not None]
    )
    return UserPage(
        items=[UserOut.from_user(user, views.get(user.id or 0, [])) for user in users.items],
        total=users.total,
        page=users.page,
        per_page=users.per_page,
        pages=users.pages,
    )


@router.post("", name="api.users.create", status_code=201)
def create_user(session: SessionDep, principal: CanCreate, body: UserCreate) -> UserOut:
    """Create an account with its first role; 422 lists every problem by field."""
    user = account_service.create_user_with_role(
        session,
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        phone=body.phone,
        role=body.role,
        unit_code=body.unit_code,
        team_id=body.team_id,
        include_descendants=body.include_descendants,
        actor=principal.user,
    )
    return _out(session, user)


@router.patch("/{user_id}", name="api.users.update")
def update_user(
    session: SessionDep, principal: CanUpdate, user_id: int, body: UserUpdate
) -> UserOut:
    """Change name or phone, or (de)activate the account; omitted fields stay unchanged."""
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    if body.display_name is not None or body.phone is not None:
        account_service.update_user(
            session,
            user=user,
            display_name=user.display_name if body.display_name is None else body.display_name,
            phone=user.phone if body.phone is None else body.phone,
            actor=principal.user,
        )
    if body.is_active is False:
        account_service.deactivate_user(session, user=user, actor=principal.user)
    elif body.is_active is True:
        account_service.reactivate_user(session, user=user, actor=principal.user)
    return _out(session, user)


@router.post("/{user_id}/memberships", name="api.users.add_membership", status_code=201)
def add_membership(
    session: SessionDep, principal: CanUpdate, user_id: int, body: MembershipCreate
) -> MembershipOut:
    """Grant a role in a unit (by code) or a team (by id)."""
    user = account_service.get_visible_user(session, principal=principal, user_id=user_id)
    membership = account_service.grant_role(
        session,
        user=user,
        role=body.role,
        unit_code=body.unit_code,
        team_id=body.team_id,
        include_descendants=body.include_descendants,
        actor=principal.user,
    )
    assert user.id is not None
    views = account_service.memberships_by_user(session, user_ids=[user.id])[user.id]
    view = next(v for v in views if v.membership.id == membership.id)
    return MembershipOut.from_view(view)
