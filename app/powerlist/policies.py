"""Who may edit, review and publish which lists, and the query filters that scope them (§9)."""

from typing import Any

from sqlalchemy import String, and_, cast, exists, false, not_, or_, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.account.permissions import Permission, Role
from app.account.service import Principal
from app.powerlist.models import ListVersion, PowerList, VersionStatus
from app.unit.models import Team, Unit
from app.unit.service import default_team, effective_team


def _subtree_or_self(unit_id: int | None, path: str) -> ColumnElement[bool]:
    """Unit is `unit_id` or below it (paths are "/1/7/", so descendants start with its own)."""
    return or_(col(Unit.id) == unit_id, col(Unit.path).startswith(f"{path}{unit_id}/"))


def _edits(principal: Principal, unit: Unit) -> bool:
    for m in principal.memberships:
        if m.role != Role.UNIT_EDITOR or m.unit_id is None:
            continue
        if m.unit_id == unit.id:
            return True
        if m.include_descendants and f"/{m.unit_id}/" in unit.path:
            return True
    return False


def can_edit_list(principal: Principal, unit: Unit | None) -> bool:
    """Unit editors of the unit (or of an ancestor, with descendants) and admins; standard
    lists (no unit) are the admins' alone."""
    if unit is None:
        return principal.can(Permission.STANDARDLIST_MANAGE)
    if not principal.can(Permission.POWERLIST_EDIT):
        return False
    return principal.is_admin or _edits(principal, unit)


def _supervising_team_id(session: Session, unit: Unit) -> int | None:
    team = team_of(session, unit)
    return team.id if team is not None else None


def can_review(session: Session, principal: Principal, unit: Unit) -> bool:
    """Members and leads of the team supervising the unit (§4 inheritance), and admins."""
    if not principal.can(Permission.POWERLIST_REVIEW):
        return False
    if principal.is_admin:
        return True
    return _supervising_team_id(session, unit) in principal.team_ids


def can_publish(
    session: Session, principal: Principal, unit: Unit, version: ListVersion | None = None
) -> bool:
    """Leads of the supervising team and admins; nobody but an admin approves their own
    submission."""
    if not principal.can(Permission.POWERLIST_PUBLISH):
        return False
    if principal.is_admin:
        return True
    if version is not None and version.submitted_by_id == principal.user.id:
        return False
    return _supervising_team_id(session, unit) in principal.led_team_ids


def can_manage_standard(principal: Principal) -> bool:
    return principal.can(Permission.STANDARDLIST_MANAGE)


# ---------------------------------------------------------------------------------------------
# Query scopes: conditions on Unit, so back-office lists never load what a user may not see


def editable_unit_clause(principal: Principal) -> ColumnElement[bool]:
    """Units whose lists the principal may edit."""
    if not principal.can(Permission.POWERLIST_EDIT):
        return false()
    if principal.is_admin:
        return true()
    terms: list[ColumnElement[bool]] = []
    for m in principal.memberships:
        if m.role != Role.UNIT_EDITOR or m.unit_id is None:
            continue
        terms.append(col(Unit.id) == m.unit_id)
        if m.include_descendants:
            terms.append(col(Unit.path).contains(f"/{m.unit_id}/"))
    return or_(*terms) if terms else false()


def supervised_unit_clause(session: Session, principal: Principal) -> ColumnElement[bool]:
    """Units whose effective supervising team is one of the principal's teams.

    A unit belongs to the nearest unit on its way up that names a team. So a team covers the
    subtree of every unit assigned to it, minus the subtrees inside it reassigned to another
    team (which the other team's own assignment re-includes where it is ours again). The
    county default team also covers units with no team anywhere above them.
    """
    if not principal.can(Permission.POWERLIST_REVIEW):
        return false()
    if principal.is_admin:
        return true()
    mine = principal.team_ids
    if not mine:
        return false()
    assigned = session.exec(select(Unit.id, Unit.path).where(col(Unit.team_id).in_(mine))).all()
    terms: list[ColumnElement[bool]] = []
    if assigned:
        within = or_(*(col(Unit.path).startswith(f"{path}{uid}/") for uid, path in assigned))
        others = session.exec(
            select(Unit.id, Unit.path).where(
                col(Unit.team_id).is_not(None), col(Unit.team_id).not_in(mine), within
            )
        ).all()
        for uid, path in assigned:
            inside = [
                _subtree_or_self(oid, opath)
                for oid, opath in others
                if opath.startswith(f"{path}{uid}/")
            ]
            term = _subtree_or_self(uid, path)
            terms.append(and_(term, not_(or_(*inside))) if inside else term)
    fallback = default_team(session)
    if fallback is not None and fallback.id in mine:
        terms.append(_unassigned_clause())
    return or_(*terms) if terms else false()


def _unassigned_clause() -> ColumnElement[bool]:
    """No team on the unit or any ancestor: the county default team supervises it."""
    holder = aliased(Unit)
    prefix: Any = col(holder.path).concat(cast(col(holder.id), String)).concat("/")
    return not_(
        exists().where(
            col(holder.team_id).is_not(None),
            or_(col(holder.id) == col(Unit.id), col(Unit.path).startswith(prefix)),
        )
    )


def review_queue_statement(session: Session, principal: Principal) -> Any:
    """Submitted versions the principal may review, oldest submission first:
    rows of (ListVersion, PowerList, Unit)."""
    return (
        select(ListVersion, PowerList, Unit)
        .join(PowerList, col(PowerList.id) == col(ListVersion.list_id))
        .join(Unit, col(Unit.id) == col(PowerList.unit_id))
        .where(
            ListVersion.status == VersionStatus.SUBMITTED,
            supervised_unit_clause(session, principal),
        )
        .order_by(col(ListVersion.submitted_at), col(ListVersion.id))
    )


def open_drafts_statement(principal: Principal) -> Any:
    """Drafts and submissions of units the principal edits: rows of (ListVersion, PowerList,
    Unit), most recently changed first."""
    return (
        select(ListVersion, PowerList, Unit)
        .join(PowerList, col(PowerList.id) == col(ListVersion.list_id))
        .join(Unit, col(Unit.id) == col(PowerList.unit_id))
        .where(
            col(ListVersion.status).in_((VersionStatus.DRAFT, VersionStatus.SUBMITTED)),
            editable_unit_clause(principal),
        )
        .order_by(col(ListVersion.updated_at).desc(), col(ListVersion.id).desc())
    )


def team_of(session: Session, unit: Unit) -> Team | None:
    """The team that reviews the unit's lists (its effective team, else the county default)."""
    team = effective_team(session, unit=unit).team
    return team if team is not None else default_team(session)
