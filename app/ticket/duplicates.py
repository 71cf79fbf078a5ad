"""Likely duplicates of a ticket: same unit and category, last 30 days, similar text."""

from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher

from sqlmodel import Session, col, select

from app.ticket.models import Ticket, TicketStatus

WINDOW = timedelta(days=30)
THRESHOLD = 0.6
# Enough for a busy village's month; bounds the O(n) text comparisons per ticket page.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Duplicate:
    ticket: Ticket
    similarity: float  # 0–1, difflib's ratio

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


def similarity(a: str, b: str) -> float:
    # Whitespace and punctuation differ between retellings of the same story; characters don't.
    def norm(text: str) -> str:
        return "".join(ch for ch in text if ch.isalnum())

    return SequenceMatcher(None, norm(a), norm(b), autojunk=False).ratio()


def suspected_duplicates(session: Session, *, ticket: Ticket, limit: int = 5) -> list[Duplicate]:
    """Tickets of the same team about the same unit and category within 30 days of this one
    (before or after) whose text is at least 60 % similar, most similar first."""
    candidates = session.exec(
        select(Ticket)
        .where(
            col(Ticket.id) != ticket.id,
            col(Ticket.team_id) == ticket.team_id,
            col(Ticket.unit_id) == ticket.unit_id,
            col(Ticket.category_id) == ticket.category_id,
            col(Ticket.created_at) >= ticket.created_at - WINDOW,
            col(Ticket.created_at) <= ticket.created_at + WINDOW,
            col(Ticket.status).not_in([TicketStatus.MERGED, TicketStatus.REJECTED]),
        )
        .order_by(col(Ticket.created_at).desc())
        .limit(MAX_CANDIDATES)
    ).all()
    found = [Duplicate(other, similarity(ticket.content, other.content)) for other in candidates]
    found = [item for item in found if item.similarity >= THRESHOLD]
    found.sort(key=lambda item: (-item.similarity, item.ticket.created_at))
    return found[:limit]
