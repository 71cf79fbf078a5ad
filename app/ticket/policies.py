"""Who sees which tickets and in what role (§2, §9): query scopes and per-ticket checks.

Team members and leads see their team's tickets unless recused (回避); unit editors see only
tickets forwarded to their unit, and only through the unit projection (views.unit_view).
An admin role alone grants no ticket access at all: identity and report contents stay with the
team (《检举控告工作规则》: 不得扩大知情范围).
"""

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, false, not_, or_
from sqlmodel import Session, col, select

from app.account.permissions import Permission, Role
from app.account.service import Principal
from app.core.errors import NotFound
from app.ticket.models import Audience, Ticket, TicketAttachment, TicketRecusal
from app.ticket.workflow import ActionNotAllowed
from app.ticket.workflow import Role as ActorRole
from app.unit.models import Unit

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _editor_scopes(principal: Principal) -> list[tuple[int, bool]]:
    if not principal.can(Permission.TICKET_HANDLE):
        return []
    return [
        (m.unit_id, m.include_descendants)
        for m in principal.memberships
        if m.role == Role.UNIT_EDITOR and m.unit_id is not None
    ]


def _team_ids(principal: Principal) -> set[int]:
    if not principal.can(Permission.TICKET_READ):
        return set()
    return {
        m.team_id
        for m in principal.memberships
        if m.team_id is not None and m.role in (Role.TEAM_LEAD, Role.TEAM_MEMBER)
    }


def team_clause(principal: Principal) -> ColumnElement[bool]:
    """Tickets of the principal's teams that they are not recused from."""
    team_ids = _team_ids(principal)
    if not team_ids:
        return false()
    recused = exists().where(
        col(TicketRecusal.ticket_id) == col(Ticket.id),
        col(TicketRecusal.user_id) == principal.user.id,
    )
    return col(Ticket.team_id).in_(sorted(team_ids)) & not_(recused)


def unit_clause(principal: Principal) -> ColumnElement[bool]:
    """Tickets currently forwarded to a unit the principal edits (or below it, with descendants)."""
    conditions: list[ColumnElement[bool]] = []
    for unit_id, descendants in _editor_scopes(principal):
        conditions.append(col(Ticket.handling_unit_id) == unit_id)
        if descendants:
            below = select(Unit.id).where(col(Unit.path).contains(f"/{unit_id}/"))
            conditions.append(col(Ticket.handling_unit_id).in_(below))
    if not conditions:
        return false()
    return or_(*conditions)


def visible_tickets(principal: Principal, statement: S) -> S:
    """Restrict a query over Ticket to what the principal may see (as team or as unit)."""
    return statement.where(or_(team_clause(principal), unit_clause(principal)))


def is_recused(session: Session, *, ticket: Ticket, user_id: int | None) -> bool:
    if user_id is None or ticket.id is None:
        return False
    return (
        session.exec(
            select(TicketRecusal.id).where(
                col(TicketRecusal.ticket_id) == ticket.id, col(TicketRecusal.user_id) == user_id
            )
        ).first()
        is not None
    )


def _edits_unit(session: Session, principal: Principal, unit_id: int | None) -> bool:
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


def on_team(session: Session, principal: Principal, ticket: Ticket) -> bool:
    """A member or lead of the ticket's team who is not recused from it."""
    return ticket.team_id in _team_ids(principal) and not is_recused(
        session, ticket=ticket, user_id=principal.user.id
    )


def roles_on(session: Session, principal: Principal, ticket: Ticket) -> frozenset[ActorRole]:
    """The workflow roles the principal holds on this ticket (empty: nothing to do with it)."""
    roles: set[ActorRole] = set()
    if on_team(session, principal, ticket):
        if principal.can(Permission.TICKET_TRIAGE):
            roles.add(ActorRole.TEAM)
        if ticket.team_id in principal.led_team_ids and principal.can(Permission.TICKET_DISPOSE):
            roles.add(ActorRole.LEAD)
    if _edits_unit(session, principal, ticket.handling_unit_id):
        roles.add(ActorRole.UNIT)
    return frozenset(roles)


def audience_of(session: Session, principal: Principal, ticket: Ticket) -> Audience | None:
    """TEAM for the ticket's team, UNIT for the unit it is forwarded to, else None."""
    if on_team(session, principal, ticket):
        return Audience.TEAM
    if _edits_unit(session, principal, ticket.handling_unit_id):
        return Audience.UNIT
    return None


def ensure_audience(session: Session, principal: Principal, ticket: Ticket) -> Audience:
    """The principal's audience on the ticket; tickets outside their scope answer 404."""
    audience = audience_of(session, principal, ticket)
    if audience is None:
        raise NotFound("工单不存在")
    return audience


def acting_roles(session: Session, principal: Principal, ticket: Ticket) -> frozenset[ActorRole]:
    """roles_on(), with 404 for a ticket the principal may not even see."""
    if audience_of(session, principal, ticket) is None:
        raise NotFound("工单不存在")
    return roles_on(session, principal, ticket)


def team_roles(session: Session, principal: Principal, ticket: Ticket) -> frozenset[ActorRole]:
    """Roles of a member of the ticket's team; 404 outside scope, 403 for the unit's editors."""
    roles = acting_roles(session, principal, ticket)
    if not roles & {ActorRole.TEAM, ActorRole.LEAD}:
        raise ActionNotAllowed("只有该件所属监督单位的工作人员可以办理")
    return roles


def can_reveal_identity(session: Session, principal: Principal, ticket: Ticket) -> bool:
    """Members of the ticket's own team only (not recused); being an admin is not enough."""
    return principal.can(Permission.TICKET_REVEAL_IDENTITY) and on_team(session, principal, ticket)


def can_download(audience: Audience, attachment: TicketAttachment) -> bool:
    """The team gets every file; the unit only what the team released to it."""
    if audience == Audience.TEAM:
        return True
    return audience == Audience.UNIT and attachment.released_to_unit
