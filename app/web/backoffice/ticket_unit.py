"""POST /staff/tickets/{number}/unit-reply and /unit-return — the handling unit's answers to a
forwarded ticket (办理情况 with evidence files, or 退单 with a reason the team reviews)."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response

from app.account.permissions import Permission
from app.account.service import Principal
from app.config import get_settings
from app.ticket import service as ticket_service
from app.ticket.models import Ticket
from app.web.backoffice.ticket_actions import perform
from app.web.backoffice.ticket_forms import FormText, Number
from app.web.deps import SessionDep, require
from app.web.ratelimit import UploadLimitRoute

router = APIRouter(route_class=UploadLimitRoute)

Handler = Annotated[Principal, Depends(require(Permission.TICKET_HANDLE))]
Uploads = Annotated[list[UploadFile] | None, File()]


def read_uploads(uploads: list[UploadFile] | None) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each chosen file; one byte over the limit is enough for the
    service to refuse an oversized file without reading all of it."""
    limit = get_settings().max_attachment_bytes + 1
    files = []
    for upload in uploads or []:
        data = upload.file.read(limit)
        if upload.filename or data:
            files.append((upload.filename or "", data))
    return files


@router.post("/tickets/{number}/unit-reply", name="backoffice.tickets.unit_reply")
def unit_reply(
    request: Request,
    session: SessionDep,
    principal: Handler,
    number: Number,
    body: FormText = "",
    attachments: Uploads = None,
) -> Response:
    """办理情况: what the unit did; the team answers the citizen from it."""
    files = read_uploads(attachments)

    def act(ticket: Ticket) -> object:
        return ticket_service.unit_reply(
            session, ticket=ticket, principal=principal, body=body, attachments_in=files
        )

    values = {"body": body, "files_dropped": bool(files)}
    return perform(request, session, principal, number, "unit_reply", values, act)


@router.post("/tickets/{number}/unit-return", name="backoffice.tickets.unit_return")
def unit_return(
    request: Request, session: SessionDep, principal: Handler, number: Number, reason: FormText = ""
) -> Response:
    """退单: the ticket is not the unit's to handle; the team reviews the reason."""

    def act(ticket: Ticket) -> object:
        return ticket_service.unit_return(
            session, ticket=ticket, principal=principal, reason=reason
        )

    return perform(request, session, principal, number, "unit_return", {"reason": reason}, act)
