"""/staff/tickets — the inbox, a ticket's page (team or handling unit), attachment downloads."""

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core import clock
from app.core.errors import NotFound
from app.core.workcalendar import DEADLINE_COLOUR_LABELS, DeadlineColour
from app.ticket import inbox as ticket_inbox
from app.ticket import routing
from app.ticket import service as ticket_service
from app.ticket.labels import CHANNEL_LABELS, KIND_LABELS, STATUS_LABELS
from app.ticket.models import (
    Audience,
    Ticket,
    TicketAttachment,
    TicketChannel,
    TicketKind,
    TicketStatus,
)
from app.web.backoffice.ticket_detail import team_context, unit_context
from app.web.backoffice.ticket_forms import NOTICES, Number, enum_value, positive_int
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, render

router = APIRouter()

TicketReader = Annotated[Principal, Depends(require(Permission.TICKET_READ))]
QueryText = Annotated[str, Query(max_length=100)]
AttachmentId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]

INDEX = "backoffice/tickets/index.html"
DETAIL = "backoffice/tickets/detail.html"
UNIT_DETAIL = "backoffice/tickets/unit_detail.html"
# Ticket pages carry complaint text and names of units; never keep them in any cache.
NO_STORE = "no-store"
# GET fragments a ticket page can refresh, by the DOM id htmx names in HX-Target.
DETAIL_BLOCKS = {
    "ticket-header": "ticket_header",
    "ticket-clocks": "ticket_clocks",
    "ticket-timeline": "ticket_timeline",
    "ticket-actions": "ticket_actions",
    "ticket-attachments": "ticket_attachments",
    "ticket-duplicates": "ticket_duplicates",
    "ticket-identity": "ticket_identity",
}
UNIT_BLOCKS = {
    "ticket-header": "ticket_header",
    "ticket-timeline": "ticket_timeline",
    "ticket-actions": "ticket_actions",
}


def team_ticket(session: Session, principal: Principal, number: str) -> Ticket:
    """A ticket of the user's own team (a unit's view of a ticket is not enough), for the
    supervision forms that start from a ticket."""
    ticket, audience = ticket_service.get_ticket(session, principal=principal, number=number)
    if audience != Audience.TEAM:
        raise NotFound("工单不存在")
    return ticket


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_STORE
    return response


def assignee_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """我承办的, 未指定, and each member of the user's teams."""
    options = [("me", "我承办的"), ("none", "未指定承办人")]
    member_ids: set[int | None] = set()
    for membership in principal.memberships:
        if membership.team_id is not None:
            team = ticket_inbox.team_by_id(session, membership.team_id)
            if team is not None:
                member_ids.update(routing.team_member_ids(session, team=team))
    users = ticket_inbox.users_by_id(session, member_ids)
    for user_id, user in sorted(users.items(), key=lambda item: item[1].username):
        options.append((str(user_id), user.display_name or user.username))
    return options


@router.get("/tickets", name="backoffice.tickets.index")
def index(
    request: Request,
    session: SessionDep,
    principal: TicketReader,
    tab: QueryText = "",
    status: QueryText = "",
    colour: QueryText = "",
    kind: QueryText = "",
    category: QueryText = "",
    unit: QueryText = "",
    assignee: QueryText = "",
    channel: QueryText = "",
    q: QueryText = "",
    scope: QueryText = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Tabs with counts, filters (live with htmx, a GET form without), soonest due first."""
    now = clock.now()
    audience = ticket_inbox.inbox_audience(principal, scope)
    query = ticket_inbox.InboxQuery(
        tab=tab if tab in ticket_inbox.TAB_BY_KEY else "all",
        status=enum_value(TicketStatus, status),
        colour=enum_value(DeadlineColour, colour),
        kind=enum_value(TicketKind, kind),
        category_id=positive_int(category),
        unit=unit.strip(),
        assignee=assignee.strip() if audience == Audience.TEAM else "",
        channel=enum_value(TicketChannel, channel),
        text=q.strip(),
        audience=audience,
        page=page,
    )
    results = ticket_inbox.search(session, principal=principal, query=query, now=now)
    filters: list[tuple[str, Any]] = [
        ("status", query.status.value if query.status else ""),
        ("colour", query.colour.value if query.colour else ""),
        ("kind", query.kind.value if query.kind else ""),
        ("category", query.category_id or ""),
        ("unit", query.unit),
        ("assignee", query.assignee),
        ("channel", query.channel.value if query.channel else ""),
        ("q", query.text),
        ("scope", scope if ticket_inbox.is_mixed(principal) else ""),
    ]

    def url(tab_key: str, number: int = 1) -> str:
        params = [("tab", tab_key if tab_key != "all" else ""), *filters, ("page", number)]
        encoded = urlencode([(k, v) for k, v in params if v not in ("", None, 1)])
        return str(request.url_for("backoffice.tickets.index").path) + (
            f"?{encoded}" if encoded else ""
        )

    context = {
        "principal": principal,
        "audience": audience.value if audience else "",
        "mixed": ticket_inbox.is_mixed(principal),
        "query": query,
        "scope": scope,
        "tabs": ticket_inbox.TABS,
        "counts": ticket_inbox.tab_counts(session, principal=principal, audience=audience, now=now),
        "results": results,
        "rows": ticket_inbox.rows(session, results.items, audience, now=now),
        "tab_url": url,
        "page_url": lambda number: url(query.tab, number),
        "status_options": list(STATUS_LABELS.items()),
        "colour_options": list(DEADLINE_COLOUR_LABELS.items()),
        "kind_options": list(KIND_LABELS.items()),
        "channel_options": list(CHANNEL_LABELS.items()),
        "category_options": [
            (c.id, c.name) for c in ticket_service.list_categories(session, active_only=False)
        ],
        "assignee_options": assignee_options(session, principal)
        if audience == Audience.TEAM
        else [],
        "can_create": principal.can(Permission.TICKET_CREATE_ON_BEHALF),
        "fragment": is_htmx(request),
    }
    return no_store(render(request, INDEX, context, blocks=["ticket_table"]))


def detail_response(
    request: Request,
    session: Session,
    principal: Principal,
    ticket: Ticket,
    audience: Audience,
    *,
    preview: bool = False,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    """The whole page, or (htmx GET) the block the request names in HX-Target."""
    target = request.headers.get("HX-Target", "")
    if audience == Audience.TEAM and not preview:
        context = team_context(session, principal, ticket, notice=notice)
        block = DETAIL_BLOCKS.get(target, "ticket_actions")
        response = render(request, DETAIL, context, blocks=[block], status_code=status_code)
    else:
        context = unit_context(session, principal, ticket, notice=notice, preview=preview)
        block = UNIT_BLOCKS.get(target, "ticket_actions")
        response = render(request, UNIT_DETAIL, context, blocks=[block], status_code=status_code)
    return no_store(response)


@router.get("/tickets/{number}", name="backoffice.tickets.detail")
def detail(
    request: Request,
    session: SessionDep,
    principal: TicketReader,
    number: Number,
    done: Annotated[str, Query(max_length=20)] = "",
    as_: Annotated[str, Query(alias="as", max_length=10)] = "",
) -> Response:
    """The team's page (clocks, content, timeline, identity, actions), or the unit's view.

    `?as=unit` lets the team see exactly what the handling unit is shown."""
    ticket, audience = ticket_service.get_ticket(session, principal=principal, number=number)
    preview = audience == Audience.TEAM and as_ == "unit" and ticket.handling_unit_id is not None
    return detail_response(
        request,
        session,
        principal,
        ticket,
        audience,
        preview=preview,
        notice=NOTICES.get(done, ""),
    )


def content_disposition(filename: str, attachment_id: int) -> str:
    # The ASCII fallback is neutral; modern browsers use the UTF-8 name (RFC 6266 / 5987).
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    fallback = f"attachment-{attachment_id}.{extension if extension.isalnum() else 'bin'}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/tickets/{number}/attachments/{attachment_id}", name="backoffice.tickets.attachment")
def attachment(
    session: SessionDep,
    principal: TicketReader,
    number: Number,
    attachment_id: AttachmentId,
) -> Response:
    """A download, never shown inline: the team gets every file, the unit only released ones
    (under neutral names); everyone else 404."""
    ticket, _audience = ticket_service.get_ticket(session, principal=principal, number=number)
    row = session.get(TicketAttachment, attachment_id)
    if row is None or row.ticket_id != ticket.id:
        raise NotFound("附件不存在")
    file = ticket_service.download(session, principal=principal, attachment_id=attachment_id)
    return Response(
        file.data,
        media_type=file.content_type,
        headers={
            "Content-Disposition": content_disposition(file.filename, attachment_id),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": NO_STORE,
            # Even opened directly, a file may not run script or load anything.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
