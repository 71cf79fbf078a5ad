"""The team's triage: accept, reject, merge, start, assign, notes, dispositions — each audited,
each refused to people outside the ticket's team."""

import pytest

from app.core import clock
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.ticket import service
from app.ticket.models import Disposition, EntryKind, TicketStatus, Visibility
from app.ticket.workflow import ActionNotAllowed
from tests.ticket.factories import (
    MONDAY,
    accepted,
    entries,
    events,
    forwarded,
    principal,
    report,
    submit,
)


def local(dt):
    return clock.to_local(dt).strftime("%Y-%m-%d")


def test_accept_starts_the_resolve_clock(session, world):
    with clock.frozen(MONDAY):
        ticket = submit(session, world).ticket
        service.accept(session, ticket=ticket, principal=principal(session, world.member))
    assert ticket.status == TicketStatus.ACCEPTED
    assert ticket.acknowledged_at == MONDAY
    # 7 working days from 28 September skip the National Day holiday and count 10 October.
    assert local(ticket.resolve_due_at) == "2026-10-13"
    assert "跳过 国庆节 休息日 10月1日–10月7日" in ticket.resolve_due_explanation
    assert "调休上班日 10月10日" in ticket.resolve_due_explanation
    [event] = events(session, "ticket.accepted", ticket)
    assert event.data["status"] == {"from": "submitted", "to": "accepted"}
    [change] = [e for e in entries(session, ticket) if e.kind == EntryKind.STATUS_CHANGE]
    assert change.visibility == Visibility.PUBLIC


def test_report_resolve_clock_is_sixty_days(session, world):
    with clock.frozen(MONDAY):
        ticket = accepted(session, world, report(world)).ticket
    assert local(ticket.ack_due_at) == "2026-10-23"  # 15 working days
    assert local(ticket.resolve_due_at) == "2026-11-27"  # 60 days


@pytest.mark.parametrize("who", ["outsider_member", "admin", "editor", "other_editor"])
def test_people_outside_the_team_get_404(session, world, who):
    ticket = submit(session, world).ticket
    with pytest.raises(NotFound):
        service.accept(session, ticket=ticket, principal=principal(session, getattr(world, who)))
    assert events(session, "ticket.accepted", ticket) == []
    assert ticket.status == TicketStatus.SUBMITTED


def test_the_forwarded_unit_may_not_triage(session, world):
    ticket = forwarded(session, world).ticket
    with pytest.raises(ActionNotAllowed):
        service.answer(
            session,
            ticket=ticket,
            principal=principal(session, world.editor),
            reply="我们自己答复一下吧",
        )


def test_reject_needs_a_reason_that_the_citizen_sees(session, world):
    ticket = submit(session, world).ticket
    member = principal(session, world.member)
    with pytest.raises(ValidationFailed):
        service.reject(session, ticket=ticket, principal=member, reason=" ")
    service.reject(session, ticket=ticket, principal=member, reason="属于法院审理范围，请依法起诉")
    assert ticket.status == TicketStatus.REJECTED
    assert ticket.closed_at is not None
    assert events(session, "ticket.rejected", ticket)
    view = service.citizen_view(session, ticket=ticket)
    assert any("法院" in item.body for item in view.timeline)


def test_merge_links_both_ways(session, world):
    first = submit(session, world).ticket
    second = submit(session, world).ticket
    member = principal(session, world.member)
    service.merge(session, ticket=second, into=first, principal=member, reason="同一事项")
    assert second.status == TicketStatus.MERGED
    assert second.merged_into_id == first.id
    [event] = events(session, "ticket.merged", second)
    assert event.data["into"] == first.number
    assert any(e.data.get("merged") == second.number for e in entries(session, first))
    staff = service.staff_view(session, ticket=first, principal=member)
    assert staff.merged_from == [second]
    citizen = service.citizen_view(session, ticket=second)
    assert citizen.merged_into_number == first.number


def test_merge_refuses_itself_and_other_teams(session, world):
    ticket = submit(session, world).ticket
    member = principal(session, world.member)
    with pytest.raises(ValidationFailed):
        service.merge(session, ticket=ticket, into=ticket, principal=member)
    from tests.ticket.factories import submission

    elsewhere = submit(session, world, submission(world, unit_code=world.other_village.code)).ticket
    with pytest.raises(ValidationFailed):
        service.merge(session, ticket=ticket, into=elsewhere, principal=member)


def test_start_own_check(session, world):
    ticket = accepted(session, world).ticket
    service.start(
        session, ticket=ticket, principal=principal(session, world.member), note="自行核查"
    )
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert events(session, "ticket.started", ticket)
    assert events(session, "ticket.note_added", ticket)


def test_only_the_lead_assigns(session, world):
    ticket = submit(session, world).ticket
    with pytest.raises(PermissionDenied):
        service.assign(
            session,
            ticket=ticket,
            principal=principal(session, world.member),
            assignee=world.member,
        )
    service.assign(
        session, ticket=ticket, principal=principal(session, world.lead), assignee=world.member
    )
    assert ticket.assignee_id == world.member.id
    [event] = events(session, "ticket.assigned", ticket)
    assert event.data == {"assignee_id": {"from": None, "to": world.member.id}}
    with pytest.raises(ValidationFailed):
        service.assign(
            session,
            ticket=ticket,
            principal=principal(session, world.lead),
            assignee=world.outsider_member,
        )


def test_notes_are_internal(session, world):
    ticket = submit(session, world).ticket
    service.add_note(
        session, ticket=ticket, principal=principal(session, world.member), body="先电话了解情况"
    )
    [note] = [e for e in entries(session, ticket) if e.kind == EntryKind.INTERNAL_NOTE]
    assert note.visibility == Visibility.TEAM
    [event] = events(session, "ticket.note_added", ticket)
    assert "电话" not in str(event.data)
    citizen = service.citizen_view(session, ticket=ticket)
    assert all("电话" not in item.body for item in citizen.timeline)


def test_report_disposition_proposed_then_approved_by_the_lead(session, world):
    ticket = accepted(session, world, report(world)).ticket
    member = principal(session, world.member)
    lead = principal(session, world.lead)
    with pytest.raises(Conflict, match="处置方式"):
        service.answer(
            session, ticket=ticket, principal=member, reply="您反映的问题正在依规处理中。"
        )
    service.set_disposition(
        session, ticket=ticket, principal=member, disposition=Disposition.TALK, note="拟谈话函询"
    )
    with pytest.raises(PermissionDenied):
        service.approve_disposition(session, ticket=ticket, principal=member)
    service.approve_disposition(session, ticket=ticket, principal=lead)
    assert ticket.disposition == Disposition.TALK
    assert ticket.disposition_approved_by_id == world.lead.id
    assert events(session, "ticket.disposition_set", ticket)
    assert events(session, "ticket.disposition_approved", ticket)
    service.answer(session, ticket=ticket, principal=member, reply="您反映的问题已按规定处理。")
    assert ticket.status == TicketStatus.ANSWERED
    citizen = service.citizen_view(session, ticket=ticket).model_dump_json()
    assert "talk" not in citizen
    assert "谈话函询" not in citizen
    assert "拟谈话" not in citizen


def test_changing_the_disposition_needs_approval_again(session, world):
    ticket = accepted(session, world, report(world)).ticket
    member = principal(session, world.member)
    service.set_disposition(session, ticket=ticket, principal=member, disposition="verify")
    service.approve_disposition(session, ticket=ticket, principal=principal(session, world.lead))
    service.set_disposition(session, ticket=ticket, principal=member, disposition="conclude")
    assert ticket.disposition_approved_at is None


def test_complaints_have_no_disposition(session, world):
    ticket = accepted(session, world).ticket
    with pytest.raises(Conflict):
        service.set_disposition(
            session, ticket=ticket, principal=principal(session, world.member), disposition="talk"
        )
