"""Tickets written straight into the table with exactly the fields a figure looks at."""

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlmodel import Session, col, select

from app.core import clock
from app.ticket.models import (
    Category,
    Rating,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketStatus,
)
from app.unit.models import Team, Unit
from tests.factories import World

_numbers = count(1)

# Friday 20 November 2026, 10:00 in Ninghai: "now" for the hand-built data sets.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Ninghai wall-clock time as the aware UTC datetime the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def category(session: Session, code: str = "delay") -> Category:
    found = session.exec(select(Category).where(col(Category.code) == code)).one()
    return found


def make_ticket(
    session: Session,
    world: World,
    *,
    created: datetime | None = None,
    status: TicketStatus = TicketStatus.SUBMITTED,
    unit: Unit | None = None,
    team: Team | None = None,
    category_code: str = "delay",
    kind: TicketKind | None = None,
    **fields: Any,
) -> Ticket:
    """A ticket received at `created` (default 2 November 2026, 10:00 local) at the village of
    the first township, supervised by that township's team. Clocks: acknowledge due two days
    after receipt, resolve due fifteen days after; `acknowledged_at`, `answered_at` etc. are
    taken from `fields` (pass them explicitly for the rates under test)."""
    created = created or local(2026, 11, 2)
    cat = category(session, category_code)
    n = next(_numbers)
    data: dict[str, Any] = {
        "number": f"ST-{n:08d}",
        "receipt_code_hash": f"{n:064d}",
        "kind": kind or cat.kind,
        "category_id": cat.id,
        "unit_id": (unit or world.village).id,
        "team_id": (team or world.township_team).id,
        "channel": TicketChannel.WEB,
        "status": status,
        "content": "测试工单",
        "created_at": created,
        "updated_at": created,
        "ack_due_at": created + timedelta(days=2),
        "resolve_due_at": created + timedelta(days=15),
    }
    data.update(fields)
    ticket = Ticket(**data)
    session.add(ticket)
    session.flush()
    return ticket


def rated(
    session: Session,
    world: World,
    rating: Rating,
    *,
    resolved: bool,
    created: datetime | None = None,
    **fields: Any,
) -> Ticket:
    """Accepted and answered on time, then rated and closed."""
    created = created or local(2026, 11, 2)
    values: dict[str, Any] = {
        "acknowledged_at": created + timedelta(hours=3),
        "resolve_started_at": created + timedelta(hours=3),
        "answered_at": created + timedelta(days=5),
        "rated_at": created + timedelta(days=6),
        "closed_at": created + timedelta(days=6),
        "rating": rating,
        "resolved": resolved,
        "closed_reason": "已评价",
    }
    values.update(fields)
    return make_ticket(
        session,
        world,
        created=created,
        status=values.pop("status", TicketStatus.CLOSED),
        **values,
    )
