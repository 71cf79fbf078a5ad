"""Finding tickets for staff: one ticket in scope, filtered pages, counts, attachment downloads."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.account.service import Principal
from app.core import clock
from app.core.errors import NotFound
from app.core.pagination import Page, paginate
from app.ticket import attachments, receipts
from app.ticket.models import (
    Audience,
    Ticket,
    TicketAttachment,
    TicketKind,
    TicketStatus,
)
from app.ticket.policies import (
    can_download,
    ensure_audience,
    team_clause,
    unit_clause,
    visible_tickets,
)


def get_ticket(session: Session, *, principal: Principal, number: str) -> tuple[Ticket, Audience]:
    """The ticket with this number and the principal's audience on it; 404 when out of scope."""
    ticket = session.exec(
        select(Ticket).where(col(Ticket.number) == receipts.normalise_number(number))
    ).first()
    if ticket is None:
        raise NotFound("工单不存在")
    return ticket, ensure_audience(session, principal, ticket)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Tickets whose running clock (acknowledge or resolve) has passed."""
    return or_(
        and_(col(Ticket.status) == TicketStatus.SUBMITTED, col(Ticket.ack_due_at) < now),
        and_(
            col(Ticket.status).in_([TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS]),
            col(Ticket.resolve_due_at) < now,
        ),
    )


def search_tickets(
    session: Session,
    *,
    principal: Principal,
    audience: Audience | None = None,
    statuses: Sequence[TicketStatus] = (),
    kind: TicketKind | None = None,
    category_id: int | None = None,
    unit_id: int | None = None,
    team_id: int | None = None,
    assignee_id: int | None = None,
    overdue: bool = False,
    query: str = "",
    page: int = 1,
    per_page: int = 25,
    now: datetime | None = None,
) -> Page[Ticket]:
    """Tickets in the principal's scope, newest first. `audience` narrows to the team's tickets
    or to those forwarded to the principal's unit. Free text searches the number, and the
    content only among team tickets (a unit must not probe a report's text)."""
    statement = select(Ticket)
    if audience == Audience.TEAM:
        statement = statement.where(team_clause(principal))
    elif audience == Audience.UNIT:
        statement = statement.where(unit_clause(principal))
    else:
        statement = visible_tickets(principal, statement)
    if statuses:
        statement = statement.where(col(Ticket.status).in_(list(statuses)))
    if kind is not None:
        statement = statement.where(col(Ticket.kind) == kind)
    if category_id is not None:
        statement = statement.where(col(Ticket.category_id) == category_id)
    if unit_id is not None:
        statement = statement.where(col(Ticket.unit_id) == unit_id)
    if team_id is not None:
        statement = statement.where(col(Ticket.team_id) == team_id)
    if assignee_id is not None:
        statement = statement.where(col(Ticket.assignee_id) == assignee_id)
    if overdue:
        statement = statement.where(overdue_clause(now or clock.now()))
    text = query.strip()
    if text:
        statement = statement.where(
            or_(
                col(Ticket.number).startswith(receipts.normalise_number(text), autoescape=True),
                and_(team_clause(principal), col(Ticket.content).contains(text, autoescape=True)),
                and_(
                    unit_clause(principal),
                    col(Ticket.forward_summary).contains(text, autoescape=True),
                ),
            )
        )
    statement = statement.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
    return paginate(session, statement, page=page, per_page=per_page)


def status_counts(session: Session, *, principal: Principal) -> dict[TicketStatus, int]:
    """How many tickets in scope are in each status (every status present)."""
    statement = visible_tickets(
        principal, select(Ticket.status, func.count()).group_by(col(Ticket.status))
    )
    counts = dict.fromkeys(TicketStatus, 0)
    for status, count in session.exec(statement).all():
        counts[TicketStatus(status)] = count
    return counts


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def download(session: Session, *, principal: Principal, attachment_id: int) -> Download:
    """An attachment's bytes for a staff member allowed to see it (404 otherwise)."""
    row = session.get(TicketAttachment, attachment_id)
    ticket = session.get(Ticket, row.ticket_id) if row is not None else None
    if row is None or ticket is None:
        raise NotFound("附件不存在")
    audience = ensure_audience(session, principal, ticket)
    if not can_download(audience, row):
        raise NotFound("附件不存在")
    name = row.original_name
    if audience == Audience.UNIT:
        released = session.exec(
            select(TicketAttachment.id)
            .where(
                col(TicketAttachment.ticket_id) == ticket.id,
                col(TicketAttachment.released_to_unit).is_(True),
            )
            .order_by(col(TicketAttachment.id))
        ).all()
        index = list(released).index(attachment_id) + 1
        name = f"附件{index}{attachments.EXTENSIONS.get(row.content_type, '')}"
    return Download(name, row.content_type, attachments.read(row.stored_name))
