"""The /staff back office: htmx pages, each also usable without JavaScript."""

from fastapi import APIRouter

from app.web.backoffice import (
    audit,
    calendar,
    categories,
    dashboard,
    list_excel,
    lists,
    lists_editor,
    lists_entries,
    lists_review,
    lists_steps,
    notifications,
    standard_lists,
    teams,
    ticket_actions,
    ticket_identity,
    ticket_new,
    ticket_unit,
    tickets,
    units,
    users,
)

router = APIRouter(tags=["backoffice"])
for module in (
    dashboard,
    units,
    teams,
    users,
    audit,
    lists,
    lists_editor,
    lists_entries,
    lists_steps,
    lists_review,
    list_excel,
    standard_lists,
    notifications,
    calendar,
    # /tickets/new before /tickets/{number}, which would otherwise take "new" for a number.
    ticket_new,
    tickets,
    ticket_actions,
    ticket_unit,
    ticket_identity,
    categories,
):
    router.include_router(module.router, prefix="/staff")
