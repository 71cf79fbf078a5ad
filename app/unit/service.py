"""Units and teams: lookup, inheritance, routing (§4), and their maintenance by admins."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.account.models import Membership, User
from app.account.permissions import Role
from app.audit import service as audit_service
from app.audit.service import Actor
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.unit import policies
from app.unit.models import Team, TeamKind, Unit, UnitKind
from app.unit.pinyin import pinyin_keys

if TYPE_CHECKING:
    # Only for annotations: account.service must stay free to import this module.
    from app.account.service import Principal


def get_unit_by_code(session: Session, *, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise NotFound("单位不存在")
    return unit


def ancestors(session: Session, *, unit: Unit) -> list[Unit]:
    """Return the unit's ancestors from the root down (not including the unit)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    if not ids:
        return []
    rows = session.exec(select(Unit).where(col(Unit.id).in_(ids))).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def child_path(parent: Unit | None) -> str:
    """The `path` a child of `parent` stores: the parent's path plus the parent's id."""
    if parent is None:
        return "/"
    return f"{parent.path}{parent.id}/"


@dataclass(frozen=True)
class Inherited:
    """A value that may come from the unit itself or from its nearest ancestor that has one."""

    value: str
    source: Unit | None  # None when no unit on the way up has a value

    def inherited_from(self, unit: Unit) -> Unit | None:
        """The ancestor the value came from, or None when the unit has it itself."""
        return None if self.source is None or self.source.id == unit.id else self.source


def effective_hotline(unit: Unit, chain: list[Unit]) -> Inherited:
    """The unit's hotline, else the nearest ancestor's; `chain` is `ancestors(unit)`."""
    for candidate in [unit, *reversed(chain)]:
        if candidate.hotline:
            return Inherited(candidate.hotline, candidate)
    return Inherited("", None)


@dataclass(frozen=True)
class TeamAssignment:
    team: Team | None
    source: Unit | None  # the unit whose setting decided it; None for the county default


def effective_team(
    session: Session, *, unit: Unit, chain: list[Unit] | None = None
) -> TeamAssignment:
    """The supervising team set on the unit, else on its nearest ancestor."""
    chain = ancestors(session, unit=unit) if chain is None else chain
    for candidate in [unit, *reversed(chain)]:
        if candidate.team_id is not None:
            return TeamAssignment(session.get(Team, candidate.team_id), candidate)
    return TeamAssignment(None, None)


def default_team(session: Session) -> Team | None:
    """The county commission's team that receives whatever nothing else claims."""
    return session.exec(
        select(Team).where(col(Team.is_default).is_(True)).order_by(col(Team.id)).limit(1)
    ).first()


@dataclass(frozen=True)
class Route:
    """Which team supervises a unit, and the reason in words staff and citizens understand."""

    team: Team | None
    reason: str


def route_for_unit(
    session: Session, *, unit: Unit, item_team: Team | None = None, item_name: str = ""
) -> Route:
    """Decide the supervising team: item override, else the unit's effective team, else default.

    When the chosen team belongs to the very unit concerned, the ticket goes to its parent team
    (回避), so no one investigates their own unit.
    """
    if item_team is not None:
        route = Route(item_team, f"按事项“{item_name}”指定的监督单位")
    else:
        assignment = effective_team(session, unit=unit)
        if assignment.team is not None and assignment.source is not None:
            if assignment.source.id == unit.id:
                reason = f"按单位 {unit.name} 的监督单位"
            else:
                reason = f"按单位 {unit.name} 的上级单位 {assignment.source.name} 的监督单位"
            route = Route(assignment.team, reason)
        else:
            route = Route(default_team(session), "该单位未设置监督单位，由县纪委监委默认受理")
    if route.team is not None and route.team.home_unit_id == unit.id and route.team.parent_id:
        parent = session.get(Team, route.team.parent_id)
        if parent is not None:
            return Route(
                parent, f"被反映单位即 {route.team.name} 所在单位，按回避原则转上级 {parent.name}"
            )
    return route


def raise_not_found() -> None:
    raise NotFound("单位不存在")


def get_home_county(session: Session) -> Unit | None:
    """The county this installation serves (COUNTY_UNIT_CODE), else the first county."""
    from app.config import get_settings

    code = get_settings().county_unit_code
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is not None:
        return unit
    return session.exec(
        select(Unit).where(Unit.kind == UnitKind.COUNTY).order_by(col(Unit.code)).limit(1)
    ).first()


def list_children(session: Session, *, unit: Unit, active_only: bool = True) -> list[Unit]:
    statement = select(Unit).where(Unit.parent_id == unit.id)
    if active_only:
        statement = statement.where(col(Unit.is_active).is_(True))
    return list(session.exec(statement.order_by(col(Unit.code))).all())


# --- Back-office maintenance: search, edit and create units; manage teams -----------------


class Unset(Enum):
    """Marks a keyword the caller did not pass, so None can still mean "inherit"."""

    TOKEN = 0


UNSET: Final = Unset.TOKEN

# Kinds an admin may add by hand; the division tree itself comes from the NBS import.
CREATABLE_KINDS = (UnitKind.OFFICE, UnitKind.INSTITUTION, UnitKind.STATION)
CREATABLE_PARENT_KINDS = (
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.COUNTY,
    UnitKind.TOWNSHIP,
    UnitKind.SUBDISTRICT,
)
INTERNAL_CODE_PREFIX = "N"
_PHONE_RE = re.compile(r"[0-9+\- ]+")


def phone_problem(value: str) -> str | None:
    """Why a hotline or phone number is unacceptable, or None; empty is acceptable."""
    if not value:
        return None
    if len(value) > 40 or not _PHONE_RE.fullmatch(value) or not any(c.isdigit() for c in value):
        return "电话号码只能包含数字、空格、“-”和“+”，不超过 40 个字符"
    return None


def get_unit(session: Session, *, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在")
    return unit


def search_units(
    session: Session,
    *,
    query: str = "",
    kind: UnitKind | None = None,
    parent: Unit | None = None,
    parent_code: str | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = 25,
    principal: Principal | None = None,
) -> Page[Unit]:
    """Units whose name contains `query`, or whose code, pinyin or initials start with it.

    With `principal`, only units in their scope are returned.
    """
    statement = select(Unit)
    if principal is not None:
        statement = policies.visible_units(principal, statement)
    text = query.strip()
    if text:
        lowered = text.lower()
        statement = statement.where(
            or_(
                col(Unit.name).contains(text, autoescape=True),
                col(Unit.code).startswith(text, autoescape=True),
                col(Unit.pinyin).startswith(lowered, autoescape=True),
                col(Unit.pinyin_initials).startswith(lowered, autoescape=True),
            )
        )
    if kind is not None:
        statement = statement.where(col(Unit.kind) == kind)
    if parent is not None:
        statement = statement.where(col(Unit.parent_id) == parent.id)
    if parent_code is not None:
        parent_ids = select(Unit.id).where(col(Unit.code) == parent_code)
        statement = statement.where(col(Unit.parent_id).in_(parent_ids))
    if active is not None:
        statement = statement.where(col(Unit.is_active).is_(active))
    statement = statement.order_by(col(Unit.depth), col(Unit.code))
    return paginate(session, statement, page=page, per_page=per_page)


@dataclass(frozen=True)
class UnitView:
    """A unit with what it inherits, resolved for display or the API."""

    unit: Unit
    parent: Unit | None
    chain: list[Unit]
    hotline: Inherited
    team: Team | None  # effective team, else the county default team
    team_source: Unit | None  # the unit whose setting decided `team`; None for the default

    @property
    def team_inherited_from(self) -> Unit | None:
        if self.team_source is None or self.team_source.id == self.unit.id:
            return None
        return self.team_source


def describe_units(session: Session, *, units: Sequence[Unit]) -> list[UnitView]:
    """Resolve parents, effective hotlines and teams for many units with three queries."""
    ancestor_ids = {int(part) for unit in units for part in unit.path.strip("/").split("/") if part}
    by_id: dict[int, Unit] = {}
    if ancestor_ids:
        rows = session.exec(select(Unit).where(col(Unit.id).in_(sorted(ancestor_ids)))).all()
        by_id = {row.id: row for row in rows if row.id is not None}
    chains = {
        unit.id: [by_id[int(p)] for p in unit.path.strip("/").split("/") if p and int(p) in by_id]
        for unit in units
    }
    sources: dict[int | None, Unit | None] = {}
    team_ids: set[int] = set()
    for unit in units:
        source = next(
            (u for u in [unit, *reversed(chains[unit.id])] if u.team_id is not None), None
        )
        sources[unit.id] = source
        if source is not None and source.team_id is not None:
            team_ids.add(source.team_id)
    teams: dict[int, Team] = {}
    if team_ids:
        found = session.exec(select(Team).where(col(Team.id).in_(sorted(team_ids)))).all()
        teams = {team.id: team for team in found if team.id is not None}
    fallback = default_team(session) if any(s is None for s in sources.values()) else None
    views = []
    for unit in units:
        chain = chains[unit.id]
        source = sources[unit.id]
        team = teams.get(source.team_id) if source and source.team_id is not None else None
        views.append(
            UnitView(
                unit=unit,
                parent=chain[-1] if chain else None,
                chain=chain,
                hotline=effective_hotline(unit, chain),
                team=team if source is not None else fallback,
                team_source=source,
            )
        )
    return views


def describe_unit(session: Session, *, unit: Unit) -> UnitView:
    return describe_units(session, units=[unit])[0]


def _change(changes: dict[str, dict[str, Any]], field: str, old: object, new: object) -> None:
    if old != new:
        changes[field] = {"from": old, "to": new}


def update_unit(
    session: Session,
    *,
    unit: Unit,
    actor: Actor | None,
    name: str | Unset = UNSET,
    hotline: str | Unset = UNSET,
    address: str | Unset = UNSET,
    team_id: int | None | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> Unit:
    """Change what an admin may set on a unit; omitted keywords stay as they are.

    `team_id=None` means "inherit from the parent". The parent itself never changes here, so
    `path` and `depth` stay valid. Writes "unit.updated" with the changed fields only, and
    nothing at all when nothing changed.
    """
    errors: dict[str, str] = {}
    changes: dict[str, dict[str, Any]] = {}
    if not isinstance(name, Unset):
        name = " ".join(name.split())
        if not name or len(name) > 100:
            errors["name"] = "名称为 1–100 个字符"
        else:
            _change(changes, "name", unit.name, name)
    if not isinstance(hotline, Unset):
        hotline = " ".join(hotline.split())
        problem = phone_problem(hotline)
        if problem:
            errors["hotline"] = problem
        else:
            _change(changes, "hotline", unit.hotline, hotline)
    if not isinstance(address, Unset):
        address = " ".join(address.split())
        if len(address) > 200:
            errors["address"] = "地址不超过 200 个字符"
        else:
            _change(changes, "address", unit.address, address)
    if not isinstance(team_id, Unset) and team_id != unit.team_id:
        # Only a newly chosen team must be active: a unit still assigned to a team that was
        # retired meanwhile can have its other fields edited.
        problem = _team_choice_problem(session, team_id)
        if problem:
            errors["team_id"] = problem
        else:
            _change(changes, "team_id", unit.team_id, team_id)
    if not isinstance(is_active, Unset):
        _change(changes, "is_active", unit.is_active, is_active)
    if errors:
        raise ValidationFailed(errors)
    if not changes:
        return unit
    for field, change in changes.items():
        setattr(unit, field, change["to"])
    if "name" in changes:
        unit.pinyin, unit.pinyin_initials = pinyin_keys(unit.name)
    unit.updated_at = clock.now()
    session.add(unit)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="unit.updated",
        object_type="unit",
        object_id=unit.id,
        data=changes,
    )
    return unit


def _team_choice_problem(session: Session, team_id: int | None) -> str | None:
    if team_id is None:
        return None
    team = session.get(Team, team_id)
    if team is None:
        return "所选监督单位不存在"
    if not team.is_active:
        return "所选监督单位已停用，请选择其他监督单位"
    return None


def _next_internal_code(session: Session) -> str:
    """The next free internal code, "N000000001" …; NBS codes are 12 digits, so never clash."""
    last = session.exec(
        select(Unit.code)
        .where(col(Unit.code).startswith(INTERNAL_CODE_PREFIX), func.length(Unit.code) == 10)
        .order_by(col(Unit.code).desc())
        .limit(1)
    ).first()
    number = int(last[1:]) + 1 if last and last[1:].isdigit() else 1
    return f"{INTERNAL_CODE_PREFIX}{number:09d}"


def create_unit(
    session: Session,
    *,
    parent: Unit,
    actor: Actor | None,
    name: str,
    kind: UnitKind | str,
    hotline: str = "",
    address: str = "",
    team_id: int | None = None,
) -> Unit:
    """Add an office, institution or station under a county or township, with an internal code."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name or len(name) > 100:
        errors["name"] = "名称为 1–100 个字符"
    elif session.exec(
        select(Unit.id).where(col(Unit.parent_id) == parent.id, col(Unit.name) == name)
    ).first():
        errors["name"] = "同一上级单位下已有同名单位"
    try:
        unit_kind: UnitKind | None = UnitKind(kind)
    except ValueError:
        unit_kind = None
    if unit_kind not in CREATABLE_KINDS:
        errors["kind"] = "请选择股室、事业单位或站所"
    if parent.kind not in CREATABLE_PARENT_KINDS:
        errors["parent"] = "只能在县（市、区）、乡镇或街道下新建单位"
    hotline = " ".join(hotline.split())
    problem = phone_problem(hotline)
    if problem:
        errors["hotline"] = problem
    address = " ".join(address.split())
    if len(address) > 200:
        errors["address"] = "地址不超过 200 个字符"
    problem = _team_choice_problem(session, team_id)
    if problem:
        errors["team_id"] = problem
    if errors or unit_kind is None:
        raise ValidationFailed(errors)
    pinyin, initials = pinyin_keys(name)
    unit = Unit(
        code=_next_internal_code(session),
        name=name,
        kind=unit_kind,
        parent_id=parent.id,
        path=child_path(parent),
        depth=parent.depth + 1,
        hotline=hotline,
        address=address,
        team_id=team_id,
        pinyin=pinyin,
        pinyin_initials=initials,
    )
    session.add(unit)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="unit.created",
        object_type="unit",
        object_id=unit.id,
        data={
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind.value,
            "parent_id": parent.id,
            "hotline": hotline,
            "address": address,
            "team_id": team_id,
        },
    )
    return unit


def count_children(
    session: Session, *, unit_ids: Sequence[int], principal: Principal | None = None
) -> dict[int, int]:
    """How many child units each of `unit_ids` has (those `principal` may see, when given)."""
    if not unit_ids:
        return {}
    statement = (
        select(col(Unit.parent_id), func.count())
        .where(col(Unit.parent_id).in_(sorted(set(unit_ids))))
        .group_by(col(Unit.parent_id))
    )
    if principal is not None:
        statement = policies.visible_units(principal, statement)
    return {int(parent_id): int(n) for parent_id, n in session.execute(statement).all()}


def visible_children(session: Session, *, unit: Unit, principal: Principal) -> list[Unit]:
    """Every child of `unit` (active or not) that `principal` may see, by code."""
    statement = policies.visible_units(
        principal, select(Unit).where(col(Unit.parent_id) == unit.id)
    )
    return list(session.exec(statement.order_by(col(Unit.code))).all())


def tree_roots(session: Session, *, principal: Principal) -> list[Unit]:
    """Where the staff unit tree starts: the home county, or the editor's own units."""
    county = get_home_county(session)
    if county is not None and policies.can_read_unit(principal, county):
        return [county]
    statement = policies.visible_units(principal, select(Unit))
    units = list(session.exec(statement.order_by(col(Unit.depth), col(Unit.code))).all())
    ids = {unit.id for unit in units}
    # An editor with descendants sees a subtree; start it at its top only.
    return [unit for unit in units if unit.parent_id not in ids]


@dataclass(frozen=True)
class UnitTree:
    """The staff tree: its roots, the children of each expanded unit, and child counts."""

    roots: list[Unit]
    children: dict[int, list[Unit]]
    child_counts: dict[int, int]

    @property
    def root_ids(self) -> set[int]:
        return {root.id for root in self.roots if root.id is not None}


def unit_tree(session: Session, *, principal: Principal, open_ids: Sequence[int]) -> UnitTree:
    """Roots are always expanded; `open_ids` expand further units the principal may see."""
    roots = tree_roots(session, principal=principal)
    children: dict[int, list[Unit]] = {}
    for unit_id in [*(root.id for root in roots if root.id is not None), *open_ids]:
        unit = session.get(Unit, unit_id)
        if unit is not None and unit_id not in children and policies.can_read_unit(principal, unit):
            children[unit_id] = visible_children(session, unit=unit, principal=principal)
    shown = [unit.id for unit in roots] + [c.id for kids in children.values() for c in kids]
    counts = count_children(
        session, unit_ids=[i for i in shown if i is not None], principal=principal
    )
    return UnitTree(roots=roots, children=children, child_counts=counts)


# --- Teams ------------------------------------------------------------------------------------


def get_team(session: Session, *, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("监督单位不存在")
    return team


def list_teams(
    session: Session, *, principal: Principal | None = None, active: bool | None = None
) -> list[Team]:
    """Teams, the county default first, then by kind and name; scoped when `principal` given."""
    statement = select(Team)
    if principal is not None:
        statement = policies.visible_teams(principal, statement)
    if active is not None:
        statement = statement.where(col(Team.is_active).is_(active))
    statement = statement.order_by(col(Team.is_default).desc(), col(Team.kind), col(Team.name))
    return list(session.exec(statement).all())


@dataclass(frozen=True)
class TeamSummary:
    team: Team
    parent: Team | None
    home_unit: Unit | None
    units_supervised: int
    members: int


def summarise_teams(session: Session, *, teams: Sequence[Team]) -> list[TeamSummary]:
    """Each team with its parent, home unit and counts, in a fixed number of queries."""
    ids = sorted(team.id for team in teams if team.id is not None)
    if not ids:
        return []
    supervised = dict(
        session.execute(
            select(Unit.team_id, func.count())
            .where(col(Unit.team_id).in_(ids))
            .group_by(col(Unit.team_id))
        ).all()
    )
    members = dict(
        session.execute(
            select(Membership.team_id, func.count(func.distinct(Membership.user_id)))
            .join(User, col(User.id) == col(Membership.user_id))
            .where(col(Membership.team_id).in_(ids), col(User.is_active).is_(True))
            .group_by(col(Membership.team_id))
        ).all()
    )
    parent_ids = sorted({t.parent_id for t in teams if t.parent_id is not None})
    parents = {
        t.id: t for t in session.exec(select(Team).where(col(Team.id).in_(parent_ids))).all()
    }
    unit_ids = sorted({t.home_unit_id for t in teams if t.home_unit_id is not None})
    homes = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all()}
    return [
        TeamSummary(
            team=team,
            parent=parents.get(team.parent_id) if team.parent_id is not None else None,
            home_unit=homes.get(team.home_unit_id) if team.home_unit_id is not None else None,
            units_supervised=int(supervised.get(team.id, 0)),
            members=int(members.get(team.id, 0)),
        )
        for team in teams
    ]


def units_supervised(session: Session, *, team: Team) -> list[Unit]:
    """Units whose own setting names `team` (not those that inherit it)."""
    return list(
        session.exec(
            select(Unit)
            .where(col(Unit.team_id) == team.id)
            .order_by(col(Unit.depth), col(Unit.code))
        ).all()
    )


def count_units_inheriting(session: Session, *, team: Team) -> int:
    """Descendants of the units `team` supervises that have no team of their own in between."""
    roots = units_supervised(session, team=team)
    if not roots:
        return 0
    patterns = [col(Unit.path).startswith(f"{root.path}{root.id}/") for root in roots]
    rows = session.execute(select(Unit.id, Unit.path, Unit.team_id).where(or_(*patterns))).all()
    team_of: dict[int, int | None] = {int(r.id): r.team_id for r in rows}
    team_of.update({root.id: root.team_id for root in roots if root.id is not None})
    count = 0
    for row in rows:
        if row.team_id is not None:
            continue
        for ancestor_id in reversed([int(p) for p in row.path.strip("/").split("/") if p]):
            decided = team_of.get(ancestor_id)
            if decided is not None:
                count += decided == team.id
                break
    return count


@dataclass(frozen=True)
class TeamMember:
    user: User
    role: Role


def team_members(session: Session, *, team: Team) -> list[TeamMember]:
    """The team's staff with their roles, leads first."""
    rows = session.execute(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.team_id) == team.id)
        .order_by(col(Membership.role), col(User.username))
    ).all()
    return [TeamMember(user=user, role=membership.role) for membership, user in rows]


def _team_cycle(session: Session, *, team_id: int | None, parent_id: int) -> bool:
    """Whether making `parent_id` the parent of `team_id` would loop back to the team."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None:
        if current == team_id or current in seen:
            return True
        seen.add(current)
        parent = session.get(Team, current)
        current = parent.parent_id if parent else None
    return False


def _validate_team(
    session: Session,
    *,
    team: Team | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> dict[str, Any]:
    """Check the team fields present in `values`; return them normalised to column values."""
    clean: dict[str, Any] = {}
    if "name" in values:
        name = " ".join(str(values["name"]).split())
        if not name or len(name) > 100:
            errors["name"] = "名称为 1–100 个字符"
        else:
            statement = select(Team.id).where(col(Team.name) == name)
            if team is not None:
                statement = statement.where(col(Team.id) != team.id)
            if session.exec(statement).first() is not None:
                errors["name"] = "该名称已被其他监督单位使用"
            clean["name"] = name
    if "kind" in values:
        try:
            clean["kind"] = TeamKind(values["kind"])
        except ValueError:
            errors["kind"] = "请选择监督单位类型"
    if "parent_id" in values:
        parent_id = values["parent_id"]
        if parent_id is not None:
            parent = session.get(Team, parent_id)
            if parent is None:
                errors["parent_id"] = "所选上级监督单位不存在"
            elif team is not None and _team_cycle(session, team_id=team.id, parent_id=parent_id):
                errors["parent_id"] = "上级监督单位不能是本单位或其下级"
            elif not parent.is_active and (team is None or team.parent_id != parent_id):
                errors["parent_id"] = "所选上级监督单位已停用"
        clean["parent_id"] = parent_id
    if "phone" in values:
        phone = " ".join(str(values["phone"]).split())
        problem = phone_problem(phone)
        if problem:
            errors["phone"] = problem
        clean["phone"] = phone
    if "home_unit_code" in values:
        code = (values["home_unit_code"] or "").strip()
        clean["home_unit_id"] = None
        if code:
            home = session.exec(select(Unit).where(col(Unit.code) == code)).first()
            if home is None:
                errors["home_unit_code"] = f"未找到代码为 {code} 的单位"
            else:
                clean["home_unit_id"] = home.id
    if "is_active" in values:
        active = bool(values["is_active"])
        if team is not None and not active and team.is_active:
            if team.is_default:
                errors["is_active"] = "县纪委监委默认监督单位不能停用"
            else:
                supervised = session.execute(
                    select(func.count()).select_from(Unit).where(col(Unit.team_id) == team.id)
                ).scalar_one()
                if supervised:
                    errors["is_active"] = (
                        f"该监督单位仍在监督 {supervised} 个单位，请先将其改派后再停用"
                    )
        clean["is_active"] = active
    return clean


def create_team(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    kind: TeamKind | str,
    parent_id: int | None = None,
    phone: str = "",
    home_unit_code: str | None = None,
    is_active: bool = True,
) -> Team:
    """Add a supervising body; writes "team.created"."""
    errors: dict[str, str] = {}
    values = {
        "name": name,
        "kind": kind,
        "parent_id": parent_id,
        "phone": phone,
        "home_unit_code": home_unit_code,
        "is_active": is_active,
    }
    clean = _validate_team(session, team=None, values=values, errors=errors)
    if errors:
        raise ValidationFailed(errors)
    team = Team(**clean)
    session.add(team)
    session.flush()
    data = {key: value.value if isinstance(value, Enum) else value for key, value in clean.items()}
    audit_service.record(
        session,
        actor=actor,
        action="team.created",
        object_type="team",
        object_id=team.id,
        data=data,
    )
    return team


def update_team(
    session: Session,
    *,
    team: Team,
    actor: Actor | None,
    name: str | Unset = UNSET,
    kind: TeamKind | str | Unset = UNSET,
    parent_id: int | None | Unset = UNSET,
    phone: str | Unset = UNSET,
    home_unit_code: str | None | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> Team:
    """Change a team; omitted keywords stay. Writes "team.updated" with the changed fields only."""
    passed = {
        "name": name,
        "kind": kind,
        "parent_id": parent_id,
        "phone": phone,
        "home_unit_code": home_unit_code,
        "is_active": is_active,
    }
    values = {key: value for key, value in passed.items() if not isinstance(value, Unset)}
    errors: dict[str, str] = {}
    clean = _validate_team(session, team=team, values=values, errors=errors)
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, dict[str, Any]] = {}
    for field, new in clean.items():
        old = getattr(team, field)
        if old != new:
            changes[field] = {
                "from": old.value if isinstance(old, Enum) else old,
                "to": new.value if isinstance(new, Enum) else new,
            }
    if not changes:
        return team
    for field in changes:
        setattr(team, field, clean[field])
    session.add(team)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="team.updated",
        object_type="team",
        object_id=team.id,
        data=changes,
    )
    return team


def assign_unit(session: Session, *, team: Team, code: str, actor: Actor | None) -> Unit:
    """Make `team` the supervising team of the unit with `code` (errors keyed "code")."""
    code = code.strip()
    unit = session.exec(select(Unit).where(col(Unit.code) == code)).first() if code else None
    if unit is None:
        raise ValidationFailed(
            {"code": f"未找到代码为 {code} 的单位" if code else "请输入单位代码"}
        )
    if unit.team_id == team.id:
        raise ValidationFailed({"code": f"{unit.name} 已由本监督单位监督"})
    if not team.is_active:
        raise ValidationFailed({"code": "本监督单位已停用，不能再分配单位"})
    return update_unit(session, unit=unit, actor=actor, team_id=team.id)


def unassign_unit(session: Session, *, team: Team, unit: Unit, actor: Actor | None) -> Unit:
    """Let a unit supervised by `team` inherit its parent's team again."""
    if unit.team_id != team.id:
        raise NotFound("该单位不由本监督单位监督")
    return update_unit(session, unit=unit, actor=actor, team_id=None)
