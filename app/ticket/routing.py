"""Which team gets a ticket (§4), and which of its members must stay away from it (回避)."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.account.models import Membership, User
from app.account.permissions import Role
from app.core.errors import Conflict
from app.ticket.models import Ticket, TicketRecusal
from app.unit.models import Team, Unit
from app.unit.service import default_team, route_for_unit

TEAM_ROLES = (Role.TEAM_LEAD, Role.TEAM_MEMBER)


@dataclass(frozen=True)
class RoutingDecision:
    team: Team
    reason: str
    # Team members linked to the unit concerned; they never see or handle the ticket.
    excluded_user_ids: list[int] = field(default_factory=list)


def team_member_ids(session: Session, *, team: Team) -> list[int]:
    """Active members and leads of the team."""
    rows = session.exec(
        select(Membership.user_id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.team_id) == team.id,
            col(Membership.role).in_(TEAM_ROLES),
            col(User.is_active).is_(True),
        )
    ).all()
    return sorted(set(rows))


def linked_member_ids(session: Session, *, team: Team, unit: Unit) -> list[int]:
    """Members of `team` who also hold a role in `unit` (directly, or over its subtree)."""
    members = team_member_ids(session, team=team)
    if not members:
        return []
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    rows = session.exec(
        select(Membership).where(
            col(Membership.user_id).in_(members),
            col(Membership.unit_id).in_([unit.id, *ancestor_ids]),
        )
    ).all()
    # Only the unit itself and its ancestors were fetched: an ancestor links only with descendants.
    return sorted({m.user_id for m in rows if m.unit_id == unit.id or m.include_descendants})


def route_ticket(
    session: Session, *, unit: Unit, item_team: Team | None = None, item_name: str = ""
) -> RoutingDecision:
    """The item's team override, else the unit's team, else the county default (§4); a team
    that is itself concerned, or whose members are all linked to the unit, hands over to its
    parent team."""
    route = route_for_unit(session, unit=unit, item_team=item_team, item_name=item_name)
    team, reason = route.team, route.reason
    if team is not None and not team.is_active:
        reason = f"{team.name} 已停用，由县纪委监委默认受理"
        team = default_team(session)
    if team is None:
        raise Conflict("系统尚未设置默认监督单位，暂时无法受理，请联系系统管理员")
    excluded = linked_member_ids(session, team=team, unit=unit)
    members = team_member_ids(session, team=team)
    if members and set(members) <= set(excluded) and team.parent_id is not None:
        parent = session.get(Team, team.parent_id)
        if parent is not None:
            reason = f"{team.name} 的成员均与被反映单位有关联，按回避原则转上级 {parent.name}"
            team = parent
            excluded = linked_member_ids(session, team=team, unit=unit)
    return RoutingDecision(team=team, reason=reason, excluded_user_ids=excluded)


def recuse(session: Session, *, ticket: Ticket, user_ids: list[int], reason: str) -> list[int]:
    """Keep these users away from the ticket; returns the ones newly recused."""
    existing = set(
        session.exec(
            select(TicketRecusal.user_id).where(col(TicketRecusal.ticket_id) == ticket.id)
        ).all()
    )
    added = [uid for uid in user_ids if uid not in existing]
    for user_id in added:
        assert ticket.id is not None
        session.add(TicketRecusal(ticket_id=ticket.id, user_id=user_id, reason=reason))
    session.flush()
    return added


def recused_user_ids(session: Session, *, ticket: Ticket) -> list[int]:
    return sorted(
        session.exec(
            select(TicketRecusal.user_id).where(col(TicketRecusal.ticket_id) == ticket.id)
        ).all()
    )


def assignable_member_ids(session: Session, *, ticket: Ticket) -> list[int]:
    """Who a lead may assign: active members of the ticket's team who are not recused."""
    team = session.get(Team, ticket.team_id)
    if team is None:
        return []
    recused = set(recused_user_ids(session, ticket=ticket))
    return [uid for uid in team_member_ids(session, team=team) if uid not in recused]
