"""Who may see and change which staff accounts; every user query goes through `user_scope`."""

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, true
from sqlmodel import col

from app.account.models import User
from app.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from app.account.service import Principal


def user_scope(principal: "Principal") -> ColumnElement[bool]:
    """Admins see every account; anyone else granted user:read later sees only their own."""
    if principal.is_admin:
        return true()
    return col(User.id) == principal.user.id


def ensure_visible(principal: "Principal", user: User) -> None:
    """Out-of-scope accounts answer 404, exactly like missing ones."""
    if not principal.is_admin and user.id != principal.user.id:
        raise NotFound("用户不存在")


def ensure_may_deactivate(*, actor: User | None, target: User) -> None:
    """An admin who locks themself out can only be rescued from the command line."""
    if actor is not None and actor.id == target.id:
        raise Conflict("不能停用自己的账号")
