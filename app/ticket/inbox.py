"""The staff inbox of tickets: the domain's scope, the inbox filters, ordered by due date.

Scoping comes from app.ticket.policies (team tickets the user is not recused from, tickets
forwarded to the user's unit) exactly as in app.ticket.queries.search_tickets; this module adds
what the inbox needs and the domain query does not offer yet: the deadline colour, the channel,
a unit chosen by code or name (with its subtree), and ordering by the running clock's due date.
Shared by the /staff pages and GET /api/v1/tickets.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.permissions import Permission, Role
from app.account.service import Principal
from app.core import clock
from app.core.pagination import Page, paginate
from app.core.workcalendar import DeadlineColour
from app.ticket import service as ticket_service
from app.ticket.labels import CHANNEL_LABELS, KIND_LABELS, STATUS_LABELS, UNIT_STAGE_LABELS
from app.ticket.models import (
    OPEN_STATUSES,
    Audience,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketStatus,
)
from app.ticket.policies import team_clause, unit_clause, visible_tickets
from app.ticket.queries import overdue_clause
from app.ticket.receipts import normalise_number
from app.unit.models import Team, Unit

# The yellow colour is a working-day fraction the database cannot compute; at most this many
# open tickets (soonest due first) are checked one by one for it.
COLOUR_SCAN_LIMIT = 1000
MAX_UNIT_MATCHES = 20


class Tab(NamedTuple):
    key: str
    label: str
    statuses: tuple[TicketStatus, ...]
    colour: DeadlineColour | None = None


S = TicketStatus
TABS: list[Tab] = [
    Tab("all", "全部", ()),
    Tab("submitted", "待受理", (S.SUBMITTED,)),
    Tab("handling", "办理中", (S.ACCEPTED, S.IN_PROGRESS, S.WAITING_INFO)),
    Tab("yellow", "即将超期", (), DeadlineColour.YELLOW),
    Tab("red", "已超期", (), DeadlineColour.RED),
    Tab("answered", "待评价", (S.ANSWERED,)),
    Tab("closed", "已办结", (S.RATED, S.CLOSED, S.REJECTED, S.MERGED)),
]
TAB_BY_KEY = {tab.key: tab for tab in TABS}


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters; every field optional. `assignee` is "", "me", "none" or a user id."""

    tab: str = "all"
    status: TicketStatus | None = None
    colour: DeadlineColour | None = None
    kind: TicketKind | None = None
    category_id: int | None = None
    unit: str = ""
    assignee: str = ""
    channel: TicketChannel | None = None
    text: str = ""
    audience: Audience | None = None
    page: int = 1
    per_page: int = 25


def due_expression() -> Any:
    """The due date of the clock the ticket is running against (NULL when none runs)."""
    return case(
        (col(Ticket.status) == S.SUBMITTED, col(Ticket.ack_due_at)),
        (
            col(Ticket.status).in_([S.ACCEPTED, S.IN_PROGRESS, S.WAITING_INFO]),
            col(Ticket.resolve_due_at),
        ),
        (col(Ticket.status) == S.ANSWERED, col(Ticket.rating_due_at)),
        else_=None,
    )


def matching_units(session: Session, text: str) -> list[Unit]:
    """The unit with exactly this code, else units whose name contains the text."""
    text = text.strip()
    if not text:
        return []
    exact = session.exec(select(Unit).where(col(Unit.code) == text)).first()
    if exact is not None:
        return [exact]
    return list(
        session.exec(
            select(Unit)
            .where(col(Unit.name).contains(text, autoescape=True))
            .order_by(col(Unit.depth), col(Unit.code))
            .limit(MAX_UNIT_MATCHES)
        ).all()
    )


def _unit_condition(session: Session, text: str) -> ColumnElement[bool]:
    units = matching_units(session, text)
    if not units:
        return false()
    conditions: list[ColumnElement[bool]] = []
    for unit in units:
        below = select(Unit.id).where(col(Unit.path).contains(f"/{unit.id}/"))
        conditions.append(col(Ticket.unit_id) == unit.id)
        conditions.append(col(Ticket.unit_id).in_(below))
    return or_(*conditions)


def _text_condition(principal: Principal, text: str) -> ColumnElement[bool]:
    # As in search_tickets: a unit may search the team's summary, never the citizen's text.
    return or_(
        col(Ticket.number).startswith(normalise_number(text), autoescape=True),
        and_(team_clause(principal), col(Ticket.content).contains(text, autoescape=True)),
        and_(unit_clause(principal), col(Ticket.forward_summary).contains(text, autoescape=True)),
    )


def _filtered(
    session: Session, principal: Principal, query: InboxQuery, now: datetime
) -> tuple[Any, DeadlineColour | None]:
    statement = select(Ticket)
    if query.audience == Audience.TEAM:
        statement = statement.where(team_clause(principal))
    elif query.audience == Audience.UNIT:
        statement = statement.where(unit_clause(principal))
    else:
        statement = visible_tickets(principal, statement)
    tab = TAB_BY_KEY.get(query.tab, TABS[0])
    if tab.statuses:
        statement = statement.where(col(Ticket.status).in_(list(tab.statuses)))
    if query.status is not None:
        statement = statement.where(col(Ticket.status) == query.status)
    colour = query.colour or tab.colour
    if colour == DeadlineColour.RED:
        statement = statement.where(overdue_clause(now))
    elif colour is not None:
        statement = statement.where(
            col(Ticket.status).in_(sorted(OPEN_STATUSES)), not_(overdue_clause(now))
        )
    if query.kind is not None:
        statement = statement.where(col(Ticket.kind) == query.kind)
    if query.category_id is not None:
        statement = statement.where(col(Ticket.category_id) == query.category_id)
    if query.channel is not None:
        statement = statement.where(col(Ticket.channel) == query.channel)
    if query.unit.strip():
        statement = statement.where(_unit_condition(session, query.unit))
    if query.assignee == "me":
        statement = statement.where(col(Ticket.assignee_id) == principal.user.id)
    elif query.assignee == "none":
        statement = statement.where(col(Ticket.assignee_id).is_(None))
    elif query.assignee.isdigit():
        statement = statement.where(col(Ticket.assignee_id) == int(query.assignee))
    if query.text.strip():
        statement = statement.where(_text_condition(principal, query.text.strip()))
    due = due_expression()
    statement = statement.order_by(
        due.is_(None), due, col(Ticket.created_at).desc(), col(Ticket.id).desc()
    )
    return statement, colour


def search(
    session: Session, *, principal: Principal, query: InboxQuery, now: datetime | None = None
) -> Page[Ticket]:
    """One page of the inbox, soonest due first; tickets without a running clock last."""
    moment = now or clock.now()
    statement, colour = _filtered(session, principal, query, moment)
    if colour is None or colour == DeadlineColour.RED:
        return paginate(session, statement, page=query.page, per_page=query.per_page)
    candidates = session.exec(statement.limit(COLOUR_SCAN_LIMIT)).all()
    kept = [t for t in candidates if _has_colour(session, t, colour, moment)]
    start = (max(1, query.page) - 1) * query.per_page
    return Page(
        items=kept[start : start + query.per_page],
        total=len(kept),
        page=max(1, query.page),
        per_page=query.per_page,
    )


def _has_colour(session: Session, ticket: Ticket, colour: DeadlineColour, now: datetime) -> bool:
    state = ticket_service.clock_state(session, ticket, now=now)
    return state is not None and state.progress.colour == colour


def tab_counts(
    session: Session, *, principal: Principal, audience: Audience | None, now: datetime | None
) -> dict[str, int]:
    """How many tickets in scope each tab holds."""
    moment = now or clock.now()
    if audience is not None and is_mixed(principal):
        by_status = _status_counts(session, principal, audience)
    else:
        by_status = ticket_service.status_counts(session, principal=principal)
    counts = {tab.key: sum(by_status[s] for s in tab.statuses) for tab in TABS if tab.statuses}
    counts["all"] = sum(by_status.values())
    for tab in TABS:
        if tab.colour is not None:
            counts[tab.key] = search(
                session,
                principal=principal,
                query=InboxQuery(tab=tab.key, audience=audience, per_page=1),
                now=moment,
            ).total
    return counts


def _status_counts(
    session: Session, principal: Principal, audience: Audience
) -> dict[TicketStatus, int]:
    # status_counts() counts team and unit tickets together; a user who is both (rare) views
    # one audience at a time, so count that one.
    clause = team_clause(principal) if audience == Audience.TEAM else unit_clause(principal)
    rows = session.exec(
        select(Ticket.status, func.count()).where(clause).group_by(col(Ticket.status))
    ).all()
    counts = dict.fromkeys(TicketStatus, 0)
    for status, number in rows:
        counts[TicketStatus(status)] = number
    return counts


def _roles(principal: Principal) -> tuple[bool, bool]:
    """(team, unit): whether the principal sees tickets as a team member, as a unit editor."""
    team = principal.can(Permission.TICKET_READ) and any(
        m.team_id is not None and m.role in (Role.TEAM_LEAD, Role.TEAM_MEMBER)
        for m in principal.memberships
    )
    unit = principal.can(Permission.TICKET_HANDLE) and any(
        m.unit_id is not None and m.role == Role.UNIT_EDITOR for m in principal.memberships
    )
    return team, unit


def is_mixed(principal: Principal) -> bool:
    """Both a team member and a unit editor (rare): the inbox shows one audience at a time."""
    team, unit = _roles(principal)
    return team and unit


def inbox_audience(principal: Principal, wanted: str = "") -> Audience | None:
    """TEAM or UNIT for the inbox's columns; a user who is both picks with `wanted`."""
    team, unit = _roles(principal)
    if team and unit:
        return Audience.UNIT if wanted == Audience.UNIT.value else Audience.TEAM
    if unit:
        return Audience.UNIT
    return Audience.TEAM if team else None


def users_by_id(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id: u for u in users if u.id is not None}


def units_by_id(session: Session, ids: set[int | None]) -> dict[int, Unit]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    units = session.exec(select(Unit).where(col(Unit.id).in_(wanted))).all()
    return {u.id: u for u in units if u.id is not None}


def team_by_id(session: Session, team_id: int) -> Team | None:
    return session.get(Team, team_id)


@dataclass(frozen=True)
class Row:
    """One inbox line; the unit's lines carry no team-internal field (and never the ticket
    itself, so a template cannot reach the citizen's text)."""

    number: str
    kind_label: str
    category: str
    unit_name: str
    status_label: str
    assignee: str
    channel_label: str
    summary: str
    stage_label: str
    clock: ticket_service.ClockState | None


def rows(
    session: Session, tickets: list[Ticket], audience: Audience | None, *, now: datetime
) -> list[Row]:
    """Inbox lines with names resolved in one query each (categories, units, assignees)."""
    categories = {c.id: c.name for c in ticket_service.list_categories(session, active_only=False)}
    units = units_by_id(session, {t.unit_id for t in tickets})
    team = audience != Audience.UNIT
    users = users_by_id(session, {t.assignee_id for t in tickets}) if team else {}
    lines = []
    for t in tickets:
        assignee = users.get(t.assignee_id) if t.assignee_id else None
        unit = units.get(t.unit_id)
        lines.append(
            Row(
                number=t.number,
                kind_label=KIND_LABELS[t.kind],
                category=categories.get(t.category_id, ""),
                unit_name=unit.name if unit else "",
                status_label=STATUS_LABELS[t.status],
                assignee=(assignee.display_name or assignee.username) if assignee else "",
                channel_label=CHANNEL_LABELS[t.channel] if team else "",
                summary="" if team else t.forward_summary,
                stage_label=UNIT_STAGE_LABELS[t.unit_stage] if t.unit_stage and not team else "",
                clock=ticket_service.clock_state(session, t, now=now),
            )
        )
    return lines
