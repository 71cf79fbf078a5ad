"""Forwarding to the unit, its reply or return, requests for information, answer, close."""

import pytest

from app.core import clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.ticket import service
from app.ticket.labels import CLOSED_BY_TEAM
from app.ticket.models import EntryKind, TicketStatus, UnitStage, Visibility
from app.ticket.workflow import ActionNotAllowed
from tests.ticket.factories import (
    MONDAY,
    accepted,
    answered,
    entries,
    events,
    forwarded,
    image_bytes,
    principal,
    report,
    submit,
)

SUMMARY = "群众反映村里办理证明拖延，请核实并于期限内回复办理情况。"


def test_forward_sends_a_summary_to_the_unit(session, world):
    ticket = accepted(session, world).ticket
    service.forward(
        session, ticket=ticket, principal=principal(session, world.member), summary=SUMMARY
    )
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert (ticket.handling_unit_id, ticket.unit_stage) == (world.village.id, UnitStage.FORWARDED)
    assert ticket.forward_summary == SUMMARY
    assert not ticket.content_released
    [event] = events(session, "ticket.forwarded", ticket)
    assert event.data["handling_unit_id"] == world.village.id
    [entry] = [e for e in entries(session, ticket) if e.kind == EntryKind.FORWARD]
    assert entry.visibility == Visibility.UNIT
    # The unit's editor is told, and now sees the ticket.
    page = service.search_tickets(session, principal=principal(session, world.editor))
    assert page.items == [ticket]


def test_forward_to_another_unit(session, world):
    ticket = accepted(session, world).ticket
    service.forward(
        session,
        ticket=ticket,
        principal=principal(session, world.member),
        summary=SUMMARY,
        unit=world.township,
    )
    assert ticket.handling_unit_id == world.township.id
    assert service.search_tickets(session, principal=principal(session, world.editor)).items == []


def test_original_text_of_a_report_is_never_released(session, world):
    ticket = accepted(session, world, report(world)).ticket
    with pytest.raises(ValidationFailed) as raised:
        service.forward(
            session,
            ticket=ticket,
            principal=principal(session, world.member),
            summary=SUMMARY,
            release_content=True,
        )
    assert "release_content" in raised.value.errors


def test_unit_replies_with_evidence(session, world):
    ticket = forwarded(session, world).ticket
    editor = principal(session, world.editor)
    service.unit_reply(
        session,
        ticket=ticket,
        principal=editor,
        body="已于当日为群众补办证明，并对经办人进行了批评教育。",
        attachments_in=[("整改.png", image_bytes("PNG"))],
    )
    assert ticket.unit_stage == UnitStage.REPLIED
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert events(session, "ticket.unit_replied", ticket)
    view = service.unit_view(session, ticket=ticket, principal=editor)
    assert len(view.attachments) == 1


def test_unit_return_reviewed_by_the_team(session, world):
    ticket = forwarded(session, world).ticket
    editor = principal(session, world.editor)
    member = principal(session, world.member)
    with pytest.raises(ValidationFailed):
        service.unit_return(session, ticket=ticket, principal=editor, reason="")
    service.unit_return(session, ticket=ticket, principal=editor, reason="该事项属镇政府职责")
    assert ticket.unit_stage == UnitStage.RETURNED
    assert events(session, "ticket.unit_returned", ticket)
    with pytest.raises(Conflict):
        service.unit_return(session, ticket=ticket, principal=editor, reason="再次退回一下")

    service.review_return(
        session, ticket=ticket, principal=member, accept=False, comment="属本村职责"
    )
    assert ticket.unit_stage == UnitStage.FORWARDED
    service.unit_return(session, ticket=ticket, principal=editor, reason="确属镇政府职责")
    service.review_return(session, ticket=ticket, principal=member, accept=True, comment="同意退回")
    assert ticket.handling_unit_id is None
    assert ticket.unit_stage is None
    [first, second] = events(session, "ticket.return_reviewed", ticket)
    assert (first.data["accepted"], second.data["accepted"]) == (False, True)
    # Once the return is accepted, the unit no longer sees the ticket.
    with pytest.raises(NotFound):
        service.get_ticket(session, principal=editor, number=ticket.number)


def test_units_cannot_act_before_forwarding_or_for_others(session, world):
    ticket = accepted(session, world).ticket
    with pytest.raises(NotFound):
        service.unit_reply(
            session,
            ticket=ticket,
            principal=principal(session, world.editor),
            body="我们已经处理好了这个问题。",
        )
    ticket = forwarded(session, world).ticket
    with pytest.raises(NotFound):
        service.unit_reply(
            session,
            ticket=ticket,
            principal=principal(session, world.other_editor),
            body="我们已经处理好了这个问题。",
        )
    with pytest.raises(ActionNotAllowed):
        service.unit_reply(
            session,
            ticket=ticket,
            principal=principal(session, world.member),
            body="我们已经处理好了这个问题。",
        )


def test_request_info_pauses_and_the_team_may_resume(session, world):
    with clock.frozen(MONDAY):
        ticket = accepted(session, world).ticket
        member = principal(session, world.member)
        service.request_info(session, ticket=ticket, principal=member, question="请提供具体时间")
    assert ticket.status == TicketStatus.WAITING_INFO
    [entry] = [e for e in entries(session, ticket) if e.kind == EntryKind.INFO_REQUEST]
    assert entry.visibility == Visibility.CITIZEN
    assert events(session, "ticket.info_requested", ticket)
    state = service.clock_state(session, ticket, now=MONDAY)
    assert state is not None
    assert state.paused
    service.receive_info(session, ticket=ticket, principal=member, note="已电话联系群众")
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.paused_at is None


def test_answer_opens_the_rating_window(session, world):
    with clock.frozen(MONDAY):
        ticket = answered(session, world).ticket
    assert ticket.status == TicketStatus.ANSWERED
    assert ticket.answered_at == MONDAY
    # 7 days: the 7th (5 October) is in the holiday, so it rolls to 8 October.
    assert clock.to_local(ticket.rating_due_at).date().isoformat() == "2026-10-08"
    [entry] = [e for e in entries(session, ticket) if e.kind == EntryKind.PUBLIC_REPLY]
    assert entry.visibility == Visibility.PUBLIC
    assert events(session, "ticket.answered", ticket)


def test_only_the_lead_closes_without_rating(session, world):
    ticket = answered(session, world).ticket
    with pytest.raises(ActionNotAllowed):
        service.close(session, ticket=ticket, principal=principal(session, world.member))
    service.close(session, ticket=ticket, principal=principal(session, world.lead))
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_reason == CLOSED_BY_TEAM
    assert events(session, "ticket.closed", ticket)


def test_release_attachments_later(session, world):
    receipt = submit(session, world, files=[("a.png", image_bytes("PNG"))])
    ticket = receipt.ticket
    member = principal(session, world.member)
    service.accept(session, ticket=ticket, principal=member)
    service.forward(session, ticket=ticket, principal=member, summary=SUMMARY)
    editor = principal(session, world.editor)
    assert service.unit_view(session, ticket=ticket, principal=editor).attachments == []
    staff = service.staff_view(session, ticket=ticket, principal=member)
    released = service.release_attachments(
        session, ticket=ticket, principal=member, attachment_ids=[staff.attachments[0].id]
    )
    assert released == [staff.attachments[0].id]
    assert events(session, "ticket.attachment_released", ticket)
    assert len(service.unit_view(session, ticket=ticket, principal=editor).attachments) == 1
    with pytest.raises(ValidationFailed):
        service.release_attachments(
            session, ticket=ticket, principal=member, attachment_ids=[999999]
        )
