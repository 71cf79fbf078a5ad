"""Helpers that file tickets and move them along through the real services."""

import io
from datetime import UTC, datetime
from typing import Any

from PIL import Image
from pypdf import PdfWriter
from pypdf.annotations import Text
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.service import Principal, load_principal
from app.audit.models import AuditEvent
from app.powerlist import editing
from app.powerlist import service as powerlist_service
from app.powerlist.models import PowerItem
from app.ticket import service
from app.ticket.intake import Receipt
from app.ticket.models import Disposition, Ticket, TicketChannel, TicketEntry
from app.ticket.schemas import ComplaintSubmission
from app.unit.models import Team
from tests.factories import World
from tests.powerlist.factories import duty_content, make_draft

# Monday 28 September 2026, 10:00 in Ninghai: the National Day holiday starts on Thursday.
MONDAY = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)

SECRET_NAME = "王秘密"
SECRET_MOBILE = "13912345678"
SECRET_ID = "11010519491231002X"
REPORT_TEXT = "村主任张三在发放低保时向我索要好处费两千元，还说不给钱就不办理，请组织调查处理。"
COMPLAINT_TEXT = "到村里办理证明，工作人员连续三次让我改天再来，一直拖着不办，耽误了我很多时间。"


def principal(session: Session, user: User) -> Principal:
    return load_principal(session, user=user)


def submission(world: World, **fields: Any) -> ComplaintSubmission:
    data: dict[str, Any] = {
        "unit_code": world.village.code,
        "category_code": "delay",
        "content": COMPLAINT_TEXT,
        "is_anonymous": True,
    }
    data.update(fields)
    return ComplaintSubmission(**data)


def real_name(world: World, **fields: Any) -> ComplaintSubmission:
    return submission(
        world,
        is_anonymous=False,
        name=SECRET_NAME,
        mobile=SECRET_MOBILE,
        id_number=SECRET_ID,
        **fields,
    )


def report(world: World, **fields: Any) -> ComplaintSubmission:
    fields.setdefault("content", REPORT_TEXT)
    return real_name(world, category_code="graft", **fields)


def submit(
    session: Session,
    world: World,
    sub: ComplaintSubmission | None = None,
    *,
    files: list[tuple[str, bytes]] | None = None,
    channel: TicketChannel = TicketChannel.WEB,
    by: User | None = None,
) -> Receipt:
    return service.submit_ticket(
        session,
        submission=sub or submission(world),
        channel=channel,
        attachments_in=files or [],
        principal=principal(session, by) if by is not None else None,
    )


def accepted(session: Session, world: World, sub: ComplaintSubmission | None = None) -> Receipt:
    receipt = submit(session, world, sub)
    service.accept(session, ticket=receipt.ticket, principal=principal(session, world.member))
    return receipt


def forwarded(
    session: Session, world: World, sub: ComplaintSubmission | None = None, **kw: Any
) -> Receipt:
    receipt = accepted(session, world, sub)
    service.forward(
        session,
        ticket=receipt.ticket,
        principal=principal(session, world.member),
        summary="群众反映村里办理证明拖延，请核实并于期限内回复办理情况。",
        **kw,
    )
    return receipt


def answered(session: Session, world: World, sub: ComplaintSubmission | None = None) -> Receipt:
    receipt = accepted(session, world, sub)
    ticket = receipt.ticket
    member = principal(session, world.member)
    if ticket.kind.value == "report":
        service.set_disposition(
            session, ticket=ticket, principal=member, disposition=Disposition.VERIFY
        )
        service.approve_disposition(
            session, ticket=ticket, principal=principal(session, world.lead)
        )
    service.answer(
        session,
        ticket=ticket,
        principal=member,
        reply="经核实，村委会已为您办理证明，并对相关工作人员进行了批评教育。",
    )
    return receipt


def events(session: Session, action: str, ticket: Ticket | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).where(col(AuditEvent.action) == action)
    if ticket is not None:
        statement = statement.where(col(AuditEvent.object_id) == ticket.number)
    return list(session.exec(statement.order_by(col(AuditEvent.id))).all())


def entries(session: Session, ticket: Ticket) -> list[TicketEntry]:
    return list(
        session.exec(
            select(TicketEntry)
            .where(col(TicketEntry.ticket_id) == ticket.id)
            .order_by(col(TicketEntry.id))
        ).all()
    )


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (32, 24), exif: bytes | None = None
) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def pdf_bytes(pages: int = 1, *, author: str = "", comment: str = "") -> bytes:
    """A real PDF of blank A4 pages, optionally with an author in its document information and
    XMP-free, and a sticky-note comment on the first page (comments carry their author too)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if author:
        writer.add_metadata({"/Author": author, "/Creator": f"{author}的电脑"})
    if comment:
        writer.add_annotation(0, Text(text=comment, rect=(50, 550, 200, 650)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def published_item(session: Session, world: World, *, team: Team | None = None) -> PowerItem:
    """The first item of a freshly published duty list of the village (optionally routed to
    `team`), as the public item page offers it for "对此事项投诉"."""
    draft = make_draft(session, unit=world.village, actor=world.editor, content=duty_content(2))
    item = session.exec(
        select(PowerItem)
        .where(col(PowerItem.version_id) == draft.id)
        .order_by(col(PowerItem.position))
    ).first()
    assert item is not None
    if team is not None:
        editing.set_item_team(session, version=draft, key=item.key, team=team, actor=world.editor)
    powerlist_service.submit(session, version=draft, actor=world.editor)
    powerlist_service.approve(session, version=draft, actor=world.lead)
    return item
