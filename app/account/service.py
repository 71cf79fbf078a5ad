"""Accounts: create and administer users, grant and revoke memberships, authenticate."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, not_, or_
from sqlmodel import Session, col, select

from app.account import policies, security
from app.account.models import Membership, User
from app.account.permissions import Permission, Role, permissions_for_roles
from app.audit import service as audit_service
from app.config import get_settings
from app.core import clock
from app.core.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.unit.models import Team, Unit


@dataclass(frozen=True)
class Principal:
    """A signed-in user with their memberships loaded once per request."""

    user: User
    memberships: tuple[Membership, ...]

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for_roles(self.roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships if m.team_id is not None}

    @property
    def led_team_ids(self) -> set[int]:
        return {
            m.team_id
            for m in self.memberships
            if m.team_id is not None and m.role == Role.TEAM_LEAD
        }

    @property
    def unit_ids(self) -> set[int]:
        return {m.unit_id for m in self.memberships if m.unit_id is not None}


def load_principal(session: Session, *, user: User) -> Principal:
    memberships = (
        session.execute(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)  # type: ignore[arg-type]
        )
        .scalars()
        .all()
    )
    return Principal(user=user, memberships=tuple(memberships))


def get_user_by_username(session: Session, *, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def authenticate(session: Session, *, username: str, password: str) -> User:
    """Return the user for correct credentials, counting failures and locking repeat offenders.

    Raises AuthenticationFailed with the same message for unknown users and wrong passwords;
    a locked account gets a message that says when to try again.
    """
    settings = get_settings()
    now = clock.now()
    user = get_user_by_username(session, username=username.strip())
    if user is None or not user.is_active:
        security.burn_dummy_verification(password)
        raise AuthenticationFailed("用户名或密码错误")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AuthenticationFailed(f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试")
    if not security.verify_password(user.password_hash, password):
        user.failed_logins += 1
        data: dict[str, object] = {"failures": user.failed_logins}
        if user.failed_logins >= settings.login_max_failures:
            user.lockouts += 1
            user.failed_logins = 0
            user.locked_until = security.lockout_until(
                now=now, lockouts=user.lockouts, base_seconds=settings.login_lockout_seconds
            )
            data["locked_until"] = user.locked_until.isoformat()
        session.add(user)
        audit_service.record(
            session,
            actor=user,
            action="account.login_failed",
            object_type="user",
            object_id=user.id,
            data=data,
        )
        raise AuthenticationFailed("用户名或密码错误")
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    user.failed_logins = 0
    user.lockouts = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    audit_service.record(
        session, actor=user, action="account.logged_in", object_type="user", object_id=user.id
    )
    return user


def _new_user_problems(session: Session, *, username: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not username or len(username) > 50:
        errors["username"] = "用户名为 1–50 个字符"
    elif get_user_by_username(session, username=username) is not None:
        errors["username"] = "该用户名已被使用"
    problem = security.password_problem(password)
    if problem:
        errors["password"] = problem
    return errors


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    actor: User | None = None,
) -> User:
    """Create an active staff account; the password must pass `password_problem`."""
    username = username.strip()
    errors = _new_user_problems(session, username=username, password=password)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        phone=phone.strip(),
        password_hash=security.hash_password(password),
    )
    session.add(user)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="account.user_created",
        object_type="user",
        object_id=user.id,
        data={"username": username},
    )
    return user


def add_membership(
    session: Session,
    *,
    user: User,
    role: Role,
    unit: Unit | None = None,
    team: Team | None = None,
    include_descendants: bool = False,
    actor: User | None = None,
) -> Membership:
    """Grant `role` in a scope: unit roles need a unit, team roles a team, admin neither."""
    if role == Role.UNIT_EDITOR and unit is None:
        raise ValidationFailed({"unit": "单位填报人员须指定单位"})
    if role in (Role.TEAM_LEAD, Role.TEAM_MEMBER) and team is None:
        raise ValidationFailed({"team": "监督单位人员须指定监督单位"})
    if role == Role.ADMIN:
        unit, team = None, None
    if role != Role.UNIT_EDITOR:
        unit_id = unit.id if unit else None
        include_descendants = False
    else:
        unit_id = unit.id if unit else None
    team_id = team.id if team and role != Role.UNIT_EDITOR else None
    duplicate = session.exec(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.role == role,
            col(Membership.unit_id).is_(None) if unit_id is None else Membership.unit_id == unit_id,
            col(Membership.team_id).is_(None) if team_id is None else Membership.team_id == team_id,
        )
    ).first()
    if duplicate is not None:
        raise Conflict("该用户已有此角色")
    membership = Membership(
        user_id=user.id,  # type: ignore[arg-type]
        role=role,
        unit_id=unit_id,
        team_id=team_id,
        include_descendants=include_descendants,
    )
    session.add(membership)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="account.role_granted",
        object_type="user",
        object_id=user.id,
        data={"role": role.value, "unit_id": membership.unit_id, "team_id": membership.team_id},
    )
    return membership


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


# --- Administration of staff accounts (back office and API) ---------------------------------

_PHONE_CHARS = re.compile(r"^[0-9+\-() ]*$")


@dataclass(frozen=True)
class MembershipView:
    """A membership with the unit or team it is scoped to, for listing roles in words."""

    membership: Membership
    unit: Unit | None
    team: Team | None


def is_locked(user: User, *, now: datetime | None = None) -> bool:
    """Locked out by failed logins right now (an expired lock no longer counts)."""
    return user.locked_until is not None and user.locked_until > (now or clock.now())


def list_users(
    session: Session,
    *,
    visible_to: Principal,
    query: str = "",
    role: Role | None = None,
    active: bool | None = None,
    locked: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[User]:
    """Accounts the principal may see, filtered by name/phone text, role and status."""
    statement = select(User).where(policies.user_scope(visible_to))
    text = query.strip().lower()
    if text:
        statement = statement.where(
            or_(
                func.lower(col(User.username)).contains(text, autoescape=True),
                func.lower(col(User.display_name)).contains(text, autoescape=True),
                col(User.phone).contains(text, autoescape=True),
            )
        )
    if role is not None:
        statement = statement.where(
            exists().where(col(Membership.user_id) == col(User.id), col(Membership.role) == role)
        )
    if active is not None:
        statement = statement.where(col(User.is_active).is_(active))
    if locked is not None:
        now = clock.now()
        is_locked_now = and_(col(User.locked_until).is_not(None), col(User.locked_until) > now)
        statement = statement.where(is_locked_now if locked else not_(is_locked_now))
    statement = statement.order_by(col(User.username))
    result: Page[User] = paginate(session, statement, page=page, per_page=per_page)
    return result


def memberships_by_user(
    session: Session, *, user_ids: list[int]
) -> dict[int, list[MembershipView]]:
    """Memberships of several users with their units and teams, in one query."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(Membership, Unit, Team)
        .outerjoin(Unit, col(Unit.id) == col(Membership.unit_id))
        .outerjoin(Team, col(Team.id) == col(Membership.team_id))
        .where(col(Membership.user_id).in_(user_ids))
        .order_by(col(Membership.user_id), col(Membership.id))
    ).all()
    result: dict[int, list[MembershipView]] = {user_id: [] for user_id in user_ids}
    for membership, unit, team in rows:
        result[membership.user_id].append(MembershipView(membership, unit, team))
    return result


def get_visible_user(session: Session, *, principal: Principal, user_id: int) -> User:
    user = get_user(session, user_id=user_id)
    policies.ensure_visible(principal, user)
    return user


def _profile_problems(*, display_name: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not display_name:
        errors["display_name"] = "请填写姓名"
    elif len(display_name) > 50:
        errors["display_name"] = "姓名不超过 50 个字"
    if len(phone) > 20 or not _PHONE_CHARS.match(phone):
        errors["phone"] = "电话只能包含数字、空格和 + - ( )，不超过 20 位"
    return errors


def update_user(
    session: Session, *, user: User, display_name: str, phone: str, actor: User | None
) -> User:
    """Change name and phone; records only the fields that actually changed."""
    display_name, phone = display_name.strip(), phone.strip()
    errors = _profile_problems(display_name=display_name, phone=phone)
    if errors:
        raise ValidationFailed(errors)
    changed: dict[str, str] = {}
    if display_name != user.display_name:
        changed["display_name"] = display_name
    if phone != user.phone:
        changed["phone"] = phone
    if not changed:
        return user
    user.display_name = display_name
    user.phone = phone
    session.add(user)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="account.user_updated",
        object_type="user",
        object_id=user.id,
        data=changed,
    )
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = security.hash_password(password)
    # Every cookie and API token issued before carries the old version and stops working.
    user.session_version += 1
    user.failed_logins = 0
    user.lockouts = 0
    user.locked_until = None


def reset_password(session: Session, *, user: User, new_password: str, actor: User | None) -> User:
    """Set a new password chosen by an administrator; signs the user out everywhere."""
    problem = security.password_problem(new_password)
    if problem:
        raise ValidationFailed({"new_password": problem})
    _set_password(user, new_password)
    session.add(user)
    session.flush()
    # The password itself never goes into the log, not even hashed.
    audit_service.record(
        session, actor=actor, action="account.password_reset", object_type="user", object_id=user.id
    )
    return user


def change_own_password(
    session: Session, *, user: User, current_password: str, new_password: str, confirm: str
) -> User:
    """A signed-in user replaces their password after proving they know the current one."""
    errors: dict[str, str] = {}
    if not security.verify_password(user.password_hash, current_password):
        errors["current_password"] = "当前密码不正确"
    problem = security.password_problem(new_password)
    if problem:
        errors["new_password"] = problem
    elif new_password == current_password:
        errors["new_password"] = "新密码不能与当前密码相同"
    if not errors and confirm != new_password:
        errors["confirm"] = "两次输入的新密码不一致"
    if errors:
        raise ValidationFailed(errors)
    _set_password(user, new_password)
    session.add(user)
    session.flush()
    audit_service.record(
        session,
        actor=user,
        action="account.password_changed",
        object_type="user",
        object_id=user.id,
    )
    return user


def _active_admin_count(session: Session, *, excluding_membership_id: int | None = None) -> int:
    statement = (
        select(func.count(func.distinct(col(Membership.user_id))))
        .select_from(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.role) == Role.ADMIN, col(User.is_active).is_(True))
    )
    if excluding_membership_id is not None:
        statement = statement.where(col(Membership.id) != excluding_membership_id)
    return int(session.exec(statement).one())


def _is_admin(session: Session, *, user: User) -> bool:
    return (
        session.exec(
            select(Membership.id).where(
                col(Membership.user_id) == user.id, col(Membership.role) == Role.ADMIN
            )
        ).first()
        is not None
    )


def deactivate_user(session: Session, *, user: User, actor: User | None) -> User:
    """Stop an account from signing in; its sessions and tokens die at once."""
    policies.ensure_may_deactivate(actor=actor, target=user)
    if not user.is_active:
        return user
    if _is_admin(session, user=user) and _active_admin_count(session) <= 1:
        raise Conflict("系统至少需要保留一名启用的系统管理员")
    user.is_active = False
    user.session_version += 1
    session.add(user)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="account.user_deactivated",
        object_type="user",
        object_id=user.id,
    )
    return user


def reactivate_user(session: Session, *, user: User, actor: User | None) -> User:
    if user.is_active:
        return user
    user.is_active = True
    # A fresh start: nothing issued before the deactivation may come back to life.
    user.session_version += 1
    session.add(user)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="account.user_reactivated",
        object_type="user",
        object_id=user.id,
    )
    return user


def unlock_user(session: Session, *, user: User, actor: User | None) -> User:
    """Lift a lockout caused by failed logins before it expires."""
    if user.locked_until is None and user.failed_logins == 0 and user.lockouts == 0:
        return user
    user.failed_logins = 0
    user.lockouts = 0
    user.locked_until = None
    session.add(user)
    session.flush()
    audit_service.record(
        session, actor=actor, action="account.user_unlocked", object_type="user", object_id=user.id
    )
    return user


def get_membership(session: Session, *, user: User, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.user_id != user.id:
        raise NotFound("该角色不存在")
    return membership


def remove_membership(session: Session, *, membership: Membership, actor: User | None) -> None:
    """Revoke one role; the system's last active administrator cannot lose theirs."""
    if (
        membership.role == Role.ADMIN
        and _active_admin_count(session, excluding_membership_id=membership.id) == 0
    ):
        raise Conflict("这是系统中最后一名系统管理员，不能撤销")
    data = {
        "role": membership.role.value,
        "unit_id": membership.unit_id,
        "team_id": membership.team_id,
    }
    user_id = membership.user_id
    session.delete(membership)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="account.role_revoked",
        object_type="user",
        object_id=user_id,
        data=data,
    )


def assignable_teams(session: Session) -> list[Team]:
    return list(
        session.exec(select(Team).where(col(Team.is_active).is_(True)).order_by(col(Team.name)))
    )


def _resolve_scope(
    session: Session, *, role: str, unit_code: str, team_id: int | None
) -> tuple[Role | None, Unit | None, Team | None, dict[str, str]]:
    """Turn form input into a role and its scope, with a zh-CN problem per field."""
    errors: dict[str, str] = {}
    try:
        parsed = Role(role)
    except ValueError:
        return None, None, None, {"role": "请选择角色"}
    unit: Unit | None = None
    team: Team | None = None
    if parsed == Role.UNIT_EDITOR:
        code = unit_code.strip()
        if not code:
            errors["unit_code"] = "单位填报人员须指定单位代码"
        else:
            unit = session.exec(select(Unit).where(col(Unit.code) == code)).first()
            if unit is None:
                errors["unit_code"] = "未找到该单位代码"
    elif parsed in (Role.TEAM_LEAD, Role.TEAM_MEMBER):
        team = session.get(Team, team_id) if team_id else None
        if team is None or not team.is_active:
            errors["team_id"] = "监督单位人员须选择监督单位"
    return parsed, unit, team, errors


def grant_role(
    session: Session,
    *,
    user: User,
    role: str,
    unit_code: str = "",
    team_id: int | None = None,
    include_descendants: bool = False,
    actor: User | None,
) -> Membership:
    """Form-level wrapper over `add_membership`: scope by unit code or team id."""
    parsed, unit, team, errors = _resolve_scope(
        session, role=role, unit_code=unit_code, team_id=team_id
    )
    if errors or parsed is None:
        raise ValidationFailed(errors)
    try:
        return add_membership(
            session,
            user=user,
            role=parsed,
            unit=unit,
            team=team,
            include_descendants=include_descendants,
            actor=actor,
        )
    except Conflict as exc:
        raise ValidationFailed({"role": exc.message}) from exc


def create_user_with_role(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    role: str,
    unit_code: str = "",
    team_id: int | None = None,
    include_descendants: bool = False,
    actor: User | None,
) -> User:
    """Create an account and its first role together; every problem is reported at once and
    nothing is written unless all input is valid."""
    username, display_name, phone = username.strip(), display_name.strip(), phone.strip()
    errors = _new_user_problems(session, username=username, password=password)
    # An empty name defaults to the username, so only a too-long one is a problem here.
    errors.update(_profile_problems(display_name=display_name or username or "-", phone=phone))
    _, _, _, scope_errors = _resolve_scope(session, role=role, unit_code=unit_code, team_id=team_id)
    errors.update(scope_errors)
    if errors:
        raise ValidationFailed(errors)
    user = create_user(
        session,
        username=username,
        password=password,
        display_name=display_name,
        phone=phone,
        actor=actor,
    )
    grant_role(
        session,
        user=user,
        role=role,
        unit_code=unit_code,
        team_id=team_id,
        include_descendants=include_descendants,
        actor=actor,
    )
    return user


def log_out(session: Session, *, user: User) -> None:
    """End every session and API token of the user, so a copied cookie dies with the logout."""
    user.session_version += 1
    session.add(user)
    audit_service.record(
        session, actor=user, action="account.logged_out", object_type="user", object_id=user.id
    )
