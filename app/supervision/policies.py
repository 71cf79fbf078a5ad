"""Who sees and does what in supervision (§2, §9): query scopes and per-object checks.

Team members and leads work on their own team's notices, ledger, inspections and talks; unit
editors see notices addressed to and ledger entries of their unit (and, with include_descendants,
the units below it). Admins may read notices and the ledger county-wide for statistics, but talk
records stay with the team that held the talk (谈话内容不得扩大知情范围), admins included.
"""

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, true
from sqlmodel import Session, col, select

from app.account.permissions import Permission, Role
from app.account.service import Principal
from app.core.errors import NotFound
from app.supervision.models import Inspection, Rectification, SupervisionNotice, Talk
from app.supervision.workflow import Role as ActorRole
from app.unit.models import Unit

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def team_ids(principal: Principal) -> set[int]:
    """Teams the principal is a member or lead of."""
    return {
        m.team_id
        for m in principal.memberships
        if m.team_id is not None and m.role in (Role.TEAM_LEAD, Role.TEAM_MEMBER)
    }


def _editor_scopes(principal: Principal) -> list[tuple[int, bool]]:
    return [
        (m.unit_id, m.include_descendants)
        for m in principal.memberships
        if m.role == Role.UNIT_EDITOR and m.unit_id is not None
    ]


def edits_unit(session: Session, principal: Principal, unit_id: int | None) -> bool:
    """An editor of the unit, or of an ancestor with include_descendants."""
    if unit_id is None:
        return False
    scopes = _editor_scopes(principal)
    if not scopes:
        return False
    unit = session.get(Unit, unit_id)
    if unit is None:
        return False
    return any(
        scope_id == unit.id or (descendants and f"/{scope_id}/" in unit.path)
        for scope_id, descendants in scopes
    )


def _unit_clause(principal: Principal, unit_column: Any) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    for unit_id, descendants in _editor_scopes(principal):
        conditions.append(unit_column == unit_id)
        if descendants:
            below = select(Unit.id).where(col(Unit.path).contains(f"/{unit_id}/"))
            conditions.append(unit_column.in_(below))
    return or_(*conditions) if conditions else false()


def _team_clause(principal: Principal, team_column: Any) -> ColumnElement[bool]:
    teams = team_ids(principal)
    return team_column.in_(sorted(teams)) if teams else false()


# --- Notices ----------------------------------------------------------------------------------


def notice_clause(principal: Principal) -> ColumnElement[bool]:
    if not principal.can(Permission.NOTICE_READ):
        return false()
    if principal.is_admin:
        return true()
    # Drafts are the team's own working papers; the unit sees a notice once it is issued.
    unit_part = _unit_clause(principal, col(SupervisionNotice.unit_id)) & col(
        SupervisionNotice.issued_at
    ).is_not(None)
    return or_(_team_clause(principal, col(SupervisionNotice.team_id)), unit_part)


def visible_notices(principal: Principal, statement: S) -> S:
    return statement.where(notice_clause(principal))


def roles_on_notice(
    session: Session, principal: Principal, notice: SupervisionNotice
) -> frozenset[ActorRole]:
    """The workflow roles the principal holds on this notice (empty: nothing to do with it)."""
    roles: set[ActorRole] = set()
    if notice.team_id in team_ids(principal):
        roles.add(ActorRole.TEAM)
        if notice.team_id in principal.led_team_ids and principal.can(Permission.NOTICE_ISSUE):
            roles.add(ActorRole.LEAD)
    if principal.can(Permission.NOTICE_RESPOND) and edits_unit(session, principal, notice.unit_id):
        roles.add(ActorRole.UNIT)
    return frozenset(roles)


def can_read_notice(session: Session, principal: Principal, notice: SupervisionNotice) -> bool:
    if not principal.can(Permission.NOTICE_READ):
        return False
    if principal.is_admin or notice.team_id in team_ids(principal):
        return True
    return notice.issued_at is not None and edits_unit(session, principal, notice.unit_id)


def readable_notice(session: Session, principal: Principal, notice_id: int) -> SupervisionNotice:
    """The notice, or NotFound when it does not exist or is out of the principal's scope."""
    notice = session.get(SupervisionNotice, notice_id)
    if notice is None or not can_read_notice(session, principal, notice):
        raise NotFound("督办通知书不存在")
    return notice


# --- Ledger -----------------------------------------------------------------------------------


def rectification_clause(principal: Principal) -> ColumnElement[bool]:
    if not principal.can(Permission.LEDGER_READ):
        return false()
    if principal.is_admin:
        return true()
    return or_(
        _team_clause(principal, col(Rectification.team_id)),
        _unit_clause(principal, col(Rectification.unit_id)),
    )


def visible_rectifications(principal: Principal, statement: S) -> S:
    return statement.where(rectification_clause(principal))


def can_read_rectification(session: Session, principal: Principal, entry: Rectification) -> bool:
    if not principal.can(Permission.LEDGER_READ):
        return False
    return (
        principal.is_admin
        or entry.team_id in team_ids(principal)
        or edits_unit(session, principal, entry.unit_id)
    )


def can_manage_rectification(principal: Principal, entry: Rectification) -> bool:
    """Create, edit and verify (销号): members of the entry's team."""
    return principal.can(Permission.LEDGER_MANAGE) and entry.team_id in team_ids(principal)


def can_report_rectification(session: Session, principal: Principal, entry: Rectification) -> bool:
    """Progress notes, evidence and submitting for verification: the unit, or the team itself
    (it often records what the unit told it by phone)."""
    if can_manage_rectification(principal, entry):
        return True
    return principal.can(Permission.LEDGER_REPORT) and edits_unit(session, principal, entry.unit_id)


def readable_rectification(session: Session, principal: Principal, entry_id: int) -> Rectification:
    entry = session.get(Rectification, entry_id)
    if entry is None or not can_read_rectification(session, principal, entry):
        raise NotFound("整改事项不存在")
    return entry


# --- Inspections and talks --------------------------------------------------------------------


def can_manage_team(principal: Principal, team_id: int, permission: Permission) -> bool:
    return principal.can(permission) and team_id in team_ids(principal)


def visible_inspections(principal: Principal, statement: S) -> S:
    if not principal.can(Permission.INSPECTION_MANAGE):
        return statement.where(false())
    if principal.is_admin:
        return statement
    return statement.where(_team_clause(principal, col(Inspection.team_id)))


def readable_inspection(session: Session, principal: Principal, inspection_id: int) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or not (
        principal.can(Permission.INSPECTION_MANAGE)
        and (principal.is_admin or inspection.team_id in team_ids(principal))
    ):
        raise NotFound("监督检查记录不存在")
    return inspection


def can_read_talk(principal: Principal, talk: Talk) -> bool:
    """Only members and leads of the talk's team; an admin role alone grants nothing."""
    return principal.can(Permission.TALK_READ) and talk.team_id in team_ids(principal)


def visible_talks(principal: Principal, statement: S) -> S:
    if not principal.can(Permission.TALK_READ):
        return statement.where(false())
    return statement.where(_team_clause(principal, col(Talk.team_id)))


def readable_talk(session: Session, principal: Principal, talk_id: int) -> Talk:
    talk = session.get(Talk, talk_id)
    if talk is None or not can_read_talk(principal, talk):
        raise NotFound("谈话记录不存在")
    return talk
