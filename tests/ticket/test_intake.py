"""Filing a ticket, following it with the receipt, adding information, rating, reopening once."""

from datetime import UTC, datetime

import pytest

from app.core import clock
from app.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.notify.models import OutboxMessage
from app.ticket import service
from app.ticket.labels import CLOSED_AFTER_REOPEN, CLOSED_RATED
from app.ticket.models import (
    EntryKind,
    Rating,
    TicketChannel,
    TicketKind,
    TicketStatus,
    Visibility,
)
from tests.ticket.factories import (
    COMPLAINT_TEXT,
    MONDAY,
    SECRET_MOBILE,
    SECRET_NAME,
    answered,
    entries,
    events,
    image_bytes,
    principal,
    real_name,
    report,
    submission,
    submit,
)


def local(dt: datetime) -> str:
    return clock.to_local(dt).strftime("%Y-%m-%d %H:%M")


def test_submission_is_stored_routed_clocked_and_audited(session, world):
    with clock.frozen(MONDAY):
        receipt = submit(session, world, real_name(world))
    ticket = receipt.ticket
    assert ticket.status == TicketStatus.SUBMITTED
    assert ticket.kind == TicketKind.COMPLAINT
    assert ticket.channel == TicketChannel.WEB
    assert ticket.content == COMPLAINT_TEXT
    assert ticket.created_by_id is None
    # Acknowledge: 1 working day after Monday 28 September.
    assert local(ticket.ack_due_at) == "2026-09-29 23:59"
    assert ticket.ack_due_explanation.startswith("自 9月28日 起算 1 个工作日")
    [event] = events(session, "ticket.submitted", ticket)
    assert event.actor_label == "citizen"
    assert event.data["channel"] == "web"
    assert event.data["anonymous"] is False
    dumped = str(event.data)
    for secret in (SECRET_NAME, SECRET_MOBILE, COMPLAINT_TEXT[:10]):
        assert secret not in dumped, "the audit log must not hold identity or content"
    kinds = [e.kind for e in entries(session, ticket)]
    assert kinds == [EntryKind.SUBMITTED, EntryKind.ROUTED]


def test_team_is_told_of_a_new_ticket(session, world):
    ticket = submit(session, world).ticket
    recipients = {
        m.recipient_hint for m in session.exec(_outbox()).all() if ticket.number in m.subject
    }
    assert recipients == {f"user:{world.lead.id}", f"user:{world.member.id}"}


def _outbox():
    from sqlmodel import select

    return select(OutboxMessage)


def test_nothing_about_the_client_network_is_stored():
    from app.ticket.models import Ticket, TicketEntry

    columns = {c.name for c in Ticket.__table__.columns} | {
        c.name for c in TicketEntry.__table__.columns
    }
    assert not {name for name in columns if "ip" in name.split("_") or "addr" in name}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit_code": "nosuchunit"}, "unit_code"),
        ({"category_code": "nosuchcategory"}, "category_code"),
        ({"content": "太短"}, "content"),
        ({"is_anonymous": False, "name": "李四", "mobile": "123"}, "mobile"),
    ],
)
def test_invalid_submissions_say_which_field(session, world, fields, field):
    with pytest.raises(ValidationFailed) as raised:
        submit(session, world, submission(world, **fields))
    assert field in raised.value.errors


def test_inactive_units_and_categories_are_refused(session, world):
    world.village.is_active = False
    with pytest.raises(ValidationFailed) as raised:
        submit(session, world)
    assert "unit_code" in raised.value.errors
    world.village.is_active = True
    category = service.get_category_by_code(session, code="delay")
    service.update_category(session, category=category, actor=world.admin, is_active=False)
    with pytest.raises(ValidationFailed) as raised:
        submit(session, world)
    assert "category_code" in raised.value.errors


def test_kind_follows_the_category(session, world):
    assert submit(session, world, report(world)).ticket.kind == TicketKind.REPORT
    suggestion = submission(world, category_code="suggestion")
    assert submit(session, world, suggestion).ticket.kind == TicketKind.SUGGESTION


def test_staff_enter_hotline_tickets_on_behalf(session, world):
    receipt = submit(session, world, channel=TicketChannel.HOTLINE, by=world.member)
    assert receipt.ticket.channel == TicketChannel.HOTLINE
    assert receipt.ticket.created_by_id == world.member.id
    [event] = events(session, "ticket.submitted", receipt.ticket)
    assert event.actor_id == world.member.id


def test_hotline_needs_staff_and_staff_need_the_permission(session, world):
    with pytest.raises(ValidationFailed) as raised:
        submit(session, world, channel=TicketChannel.HOTLINE)
    assert "channel" in raised.value.errors
    with pytest.raises(PermissionDenied):
        submit(session, world, channel=TicketChannel.HOTLINE, by=world.editor)


# --- supplement -------------------------------------------------------------------------------


def test_supplement_adds_a_citizen_entry_and_files(session, world):
    receipt = submit(session, world)
    service.supplement(
        session,
        ticket=receipt.ticket,
        code=receipt.code,
        text="补充：当天还有两位村民也遇到同样情况。",
        attachments_in=[("现场.png", image_bytes("PNG"))],
    )
    [entry] = [e for e in entries(session, receipt.ticket) if e.kind == EntryKind.SUPPLEMENT]
    assert entry.visibility == Visibility.CITIZEN
    [event] = events(session, "ticket.supplemented", receipt.ticket)
    assert event.data["attachments"] == 1


def test_supplement_needs_the_code_and_refuses_the_code_in_the_text(session, world):
    receipt = submit(session, world)
    with pytest.raises(PermissionDenied):
        service.supplement(session, ticket=receipt.ticket, code="0" * 16, text="补充一些情况说明")
    with pytest.raises(ValidationFailed) as raised:
        service.supplement(
            session,
            ticket=receipt.ticket,
            code=receipt.code,
            text=f"我的查询码是 {receipt.formatted_code}",
        )
    assert "查询码" in raised.value.errors["text"]
    with pytest.raises(ValidationFailed):
        service.supplement(session, ticket=receipt.ticket, code=receipt.code, text="")


def test_supplement_resumes_a_waiting_ticket_and_moves_the_due_date(session, world):
    with clock.frozen(MONDAY):
        receipt = submit(session, world)
        ticket = receipt.ticket
        member = principal(session, world.member)
        service.accept(session, ticket=ticket, principal=member)
        due_before = ticket.resolve_due_at
        service.request_info(
            session, ticket=ticket, principal=member, question="请提供办理时间和经办人"
        )
    assert ticket.status == TicketStatus.WAITING_INFO
    assert ticket.paused_at == MONDAY
    # Paused on Monday 28 September, resumed on Friday 9 October: the working days in between
    # (29 and 30 September, 8 and 9 October) do not count.
    with clock.frozen(datetime(2026, 10, 9, 2, 0, tzinfo=UTC)):
        service.supplement(
            session, ticket=ticket, code=receipt.code, text="办理时间是9月25日上午。"
        )
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.paused_at is None
    assert len(ticket.pauses) == 1
    assert ticket.resolve_due_at > due_before
    assert "暂停计时期间" in ticket.resolve_due_explanation
    assert events(session, "ticket.info_received", ticket)


def test_no_supplement_after_closing(session, world):
    receipt = submit(session, world)
    service.reject(
        session,
        ticket=receipt.ticket,
        principal=principal(session, world.member),
        reason="不属于受理范围",
    )
    with pytest.raises(ValidationFailed):
        service.supplement(session, ticket=receipt.ticket, code=receipt.code, text="再补充几句话")


# --- rating -----------------------------------------------------------------------------------


def test_satisfied_rating_closes(session, world):
    receipt = answered(session, world)
    ticket = receipt.ticket
    assert ticket.rating_due_at is not None
    service.rate(session, ticket=ticket, code=receipt.code, rating=Rating.SATISFIED, resolved=True)
    assert ticket.status == TicketStatus.CLOSED
    assert (ticket.rating, ticket.resolved, ticket.closed_reason) == (
        Rating.SATISFIED,
        True,
        CLOSED_RATED,
    )
    assert ticket.rating_due_at is None
    [rated] = events(session, "ticket.rated", ticket)
    assert rated.data["rating"] == "satisfied"
    assert events(session, "ticket.closed", ticket)


def test_unsatisfied_reopens_once_then_closes(session, world):
    receipt = answered(session, world)
    ticket = receipt.ticket
    service.rate(
        session,
        ticket=ticket,
        code=receipt.code,
        rating="unsatisfied",
        resolved=False,
        comment="问题没有解决",
    )
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.reopen_count == 1
    assert ticket.resolve_due_at is not None
    assert events(session, "ticket.reopened", ticket)

    service.answer(
        session,
        ticket=ticket,
        principal=principal(session, world.member),
        reply="重新核实后，已督促村委会当场为您办理完毕。",
    )
    service.rate(
        session, ticket=ticket, code=receipt.code, rating=Rating.UNSATISFIED, resolved=False
    )
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.reopen_count == 1
    assert ticket.closed_reason == CLOSED_AFTER_REOPEN
    assert len(events(session, "ticket.reopened", ticket)) == 1
    assert len(events(session, "ticket.rated", ticket)) == 2


def test_rating_needs_an_answer_and_the_code(session, world):
    receipt = submit(session, world)
    with pytest.raises(InvalidTransition):
        service.rate(
            session, ticket=receipt.ticket, code=receipt.code, rating="satisfied", resolved=True
        )
    receipt = answered(session, world)
    with pytest.raises(PermissionDenied):
        service.rate(
            session, ticket=receipt.ticket, code="1" * 16, rating="satisfied", resolved=True
        )
    with pytest.raises(ValidationFailed):
        service.rate(
            session, ticket=receipt.ticket, code=receipt.code, rating="great", resolved=True
        )


def test_staff_record_a_phone_rating(session, world):
    receipt = answered(session, world)
    service.rate(
        session,
        ticket=receipt.ticket,
        principal=principal(session, world.member),
        rating=Rating.BASICALLY,
        resolved=True,
    )
    [event] = events(session, "ticket.rated", receipt.ticket)
    assert event.data["by_phone"] is True
    assert event.actor_id == world.member.id


def test_real_name_report_closing_starts_the_feedback_clock(session, world):
    with clock.frozen(MONDAY):
        receipt = answered(session, world, report(world))
        service.rate(
            session, ticket=receipt.ticket, code=receipt.code, rating="satisfied", resolved=True
        )
    ticket = receipt.ticket
    assert ticket.feedback_due_at is not None
    assert local(ticket.feedback_due_at) == "2026-10-23 23:59"
    service.record_feedback(
        session,
        ticket=ticket,
        principal=principal(session, world.member),
        note="已电话告知处理结果",
    )
    assert ticket.fed_back_at is not None
    assert events(session, "ticket.fed_back", ticket)


def test_real_name_citizen_is_texted_on_acceptance(session, world):
    receipt = submit(session, world, real_name(world))
    service.accept(session, ticket=receipt.ticket, principal=principal(session, world.member))
    sms = [m for m in session.exec(_outbox()).all() if m.channel == "sms"]
    assert len(sms) == 1
    assert SECRET_MOBILE not in sms[0].recipient, "stored encrypted"
    assert sms[0].recipient_hint == "139****5678"
    anonymous = submit(session, world)
    service.accept(session, ticket=anonymous.ticket, principal=principal(session, world.member))
    assert len([m for m in session.exec(_outbox()).all() if m.channel == "sms"]) == 1
