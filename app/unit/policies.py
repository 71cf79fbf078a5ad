"""Who may see and change which units and teams: query scopes and per-object checks (§9)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_
from sqlmodel import col

from app.account.permissions import Permission, Role
from app.core.errors import NotFound
from app.unit.models import Team, Unit

if TYPE_CHECKING:
    # Only for annotations: account.service must stay free to import this module.
    from app.account.service import Principal

# Any SELECT (of units, of unit columns, of teams); `.where` keeps its type.
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _sees_every_unit(principal: Principal) -> bool:
    # Team members triage complaints about any unit in the county, so they look units up freely;
    # only editing is reserved to admins.
    return principal.is_admin or bool(principal.team_ids)


def _editor_scopes(principal: Principal) -> list[tuple[int, bool]]:
    """(unit id, include descendants) for each unit_editor membership."""
    return [
        (m.unit_id, m.include_descendants)
        for m in principal.memberships
        if m.role == Role.UNIT_EDITOR and m.unit_id is not None
    ]


def visible_units(principal: Principal, statement: S) -> S:
    """Restrict a query over Unit to the units `principal` may see."""
    if _sees_every_unit(principal):
        return statement
    conditions: list[ColumnElement[bool]] = []
    for unit_id, descendants in _editor_scopes(principal):
        conditions.append(col(Unit.id) == unit_id)
        if descendants:
            # Paths wrap every id in slashes ("/1/7/"), so "/7/" matches exactly unit 7's subtree.
            conditions.append(col(Unit.path).contains(f"/{unit_id}/"))
    if not conditions:
        return statement.where(false())
    return statement.where(or_(*conditions))


def can_read_unit(principal: Principal, unit: Unit) -> bool:
    if _sees_every_unit(principal):
        return True
    for unit_id, descendants in _editor_scopes(principal):
        if unit.id == unit_id or (descendants and f"/{unit_id}/" in unit.path):
            return True
    return False


def ensure_can_read_unit(principal: Principal, unit: Unit) -> Unit:
    """Return the unit, or answer 404 so that units outside the scope do not reveal themselves."""
    if not can_read_unit(principal, unit):
        raise NotFound("单位不存在")
    return unit


def can_update_unit(principal: Principal, unit: Unit) -> bool:
    """Hotline, address, supervising team and the active flag are the county admin's to set."""
    return (
        principal.is_admin
        and principal.can(Permission.UNIT_UPDATE)
        and can_read_unit(principal, unit)
    )


def can_create_unit(principal: Principal, parent: Unit) -> bool:
    return can_update_unit(principal, parent)


def visible_teams(principal: Principal, statement: S) -> S:
    """Admins see every team; team staff see the teams they belong to."""
    if principal.is_admin:
        return statement
    team_ids = principal.team_ids
    if not team_ids:
        return statement.where(false())
    return statement.where(col(Team.id).in_(sorted(team_ids)))


def can_read_team(principal: Principal, team: Team) -> bool:
    return principal.is_admin or team.id in principal.team_ids


def ensure_can_read_team(principal: Principal, team: Team) -> Team:
    if not can_read_team(principal, team):
        raise NotFound("监督单位不存在")
    return team


def can_update_team(principal: Principal, team: Team) -> bool:
    return principal.is_admin and principal.can(Permission.TEAM_UPDATE)


def can_create_team(principal: Principal) -> bool:
    return principal.is_admin and principal.can(Permission.TEAM_CREATE)
