"""POST /staff/tickets/{number}/identity — reveal a real-name complainant's identity.

Only members of the ticket's own team may (the service decides; an admin alone may not), only
with a written reason, and every reveal is logged and audited. The identity is rendered into
this one response, marked no-store, and never put in a URL, a redirect or the session: seeing
it again means revealing it again, with another logged reason.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import Conflict, ValidationFailed
from app.ticket import service as ticket_service
from app.ticket.schemas import Identity
from app.web.backoffice.ticket_detail import team_context
from app.web.backoffice.ticket_forms import GENERAL, FormText, Number
from app.web.backoffice.tickets import DETAIL, no_store
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, render

router = APIRouter()

Revealer = Annotated[Principal, Depends(require(Permission.TICKET_REVEAL_IDENTITY))]


@router.post("/tickets/{number}/identity", name="backoffice.tickets.reveal_identity")
def reveal_identity(
    request: Request,
    session: SessionDep,
    principal: Revealer,
    number: Number,
    reason: FormText = "",
) -> Response:
    """The identity panel with name, mobile and ID number (htmx), or the whole page."""
    ticket, _audience = ticket_service.get_ticket(session, principal=principal, number=number)
    identity: Identity | None = None
    errors: dict[str, str] = {}
    try:
        with session.begin_nested():
            identity = ticket_service.reveal_identity(
                session, ticket=ticket, principal=principal, reason=reason
            )
    except ValidationFailed as exc:
        errors = exc.errors or {GENERAL: exc.message}
    except Conflict as exc:
        errors = {GENERAL: exc.message}
    context = team_context(
        session,
        principal,
        ticket,
        identity=identity,
        reveal_errors=errors,
        reveal_reason=reason if errors else "",
        oob=is_htmx(request),
    )
    blocks = ["ticket_identity"] if errors else ["ticket_identity", "ticket_timeline"]
    status = 422 if errors else 200
    return no_store(render(request, DETAIL, context, blocks=blocks, status_code=status))
