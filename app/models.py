"""Import every domain's tables so SQLModel.metadata is complete (Alembic, tests).

Importing the search index tables also installs the hooks that keep the index current.
"""

import app.calendar.models  # (work calendar overrides, deadline policies)
import app.notify.models  # (notification outbox)
import app.powerlist.models  # (power lists, versions, items, steps, risks …)
import app.stats.formulas  # (the single row of 三率 formula choices)
import app.stats.tally  # (statistics tally of settled tickets; its hooks keep it exact)
import app.supervision.models  # (notices, numbering, rectification ledger, inspections, talks)
import app.ticket.models  # noqa: F401  (tickets, timeline, attachments, reveals, categories)
from app.account.models import Membership, User
from app.audit.models import AuditEvent
from app.powerlist.search import SearchDoc, SearchEntry, SearchList, SearchToken
from app.unit.models import Team, Unit

__all__ = [
    "AuditEvent",
    "Membership",
    "SearchDoc",
    "SearchEntry",
    "SearchList",
    "SearchToken",
    "Team",
    "Unit",
    "User",
]
