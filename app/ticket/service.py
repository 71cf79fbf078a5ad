"""The ticket service API in one place; pages, the API and the CLI import from here.

Every function takes the session first and keywords after, flushes and never commits, checks
the principal against the ticket (404 out of scope, 403 for the wrong role), and writes a
"ticket.*" audit event with each change. The work is done in the modules named below.
"""

from app.ticket.categories import (
    create_category,
    get_category,
    get_category_by_code,
    list_categories,
    update_category,
)
from app.ticket.deadlines import ClockState, clock_state
from app.ticket.duplicates import Duplicate, suspected_duplicates
from app.ticket.handling import (
    answer,
    close,
    forward,
    receive_info,
    record_feedback,
    release_attachments,
    request_info,
    review_return,
    unit_reply,
    unit_return,
)
from app.ticket.intake import Receipt, submit_ticket, supplement, track
from app.ticket.overdue import TickReport, tick
from app.ticket.queries import Download, download, get_ticket, search_tickets, status_counts
from app.ticket.rating import rate
from app.ticket.routing import assignable_member_ids
from app.ticket.triage import (
    accept,
    add_note,
    approve_disposition,
    assign,
    merge,
    reject,
    reveal_identity,
    set_disposition,
    start,
)
from app.ticket.views import (
    CitizenView,
    StaffView,
    UnitView,
    citizen_view,
    staff_view,
    timeline,
    unit_view,
)

__all__ = [
    "CitizenView",
    "ClockState",
    "Download",
    "Duplicate",
    "Receipt",
    "StaffView",
    "TickReport",
    "UnitView",
    "accept",
    "add_note",
    "answer",
    "approve_disposition",
    "assign",
    "assignable_member_ids",
    "citizen_view",
    "clock_state",
    "close",
    "create_category",
    "download",
    "forward",
    "get_category",
    "get_category_by_code",
    "get_ticket",
    "list_categories",
    "merge",
    "rate",
    "receive_info",
    "record_feedback",
    "reject",
    "release_attachments",
    "request_info",
    "reveal_identity",
    "review_return",
    "search_tickets",
    "set_disposition",
    "staff_view",
    "start",
    "status_counts",
    "submit_ticket",
    "supplement",
    "suspected_duplicates",
    "tick",
    "timeline",
    "track",
    "unit_reply",
    "unit_return",
    "unit_view",
    "update_category",
]
