"""handling_days and return_count, kept by the ticket services for the statistics."""

from datetime import UTC, datetime

from app.core import clock
from app.ticket import service
from app.ticket.models import Rating
from tests.ticket.factories import accepted, forwarded, principal

# Monday 2 November 2026, 10:00 in Ninghai, and later days of that ordinary fortnight.
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 6, 8, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)
NEXT_TUESDAY = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
NEXT_THURSDAY = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
REPLY = "经核实，村委会已为您办理证明，并对相关工作人员进行了批评教育。"


def test_answer_records_working_days_since_acceptance(session, world):
    with clock.frozen(MONDAY):
        ticket = accepted(session, world).ticket
    assert ticket.handling_days is None
    with clock.frozen(FRIDAY):
        service.answer(
            session, ticket=ticket, principal=principal(session, world.member), reply=REPLY
        )
    assert ticket.handling_days == 4


def test_weekends_do_not_count_and_a_reanswer_after_reopening_counts_afresh(session, world):
    with clock.frozen(MONDAY):
        receipt = accepted(session, world)
    ticket = receipt.ticket
    member = principal(session, world.member)
    with clock.frozen(NEXT_MONDAY):
        service.answer(session, ticket=ticket, principal=member, reply=REPLY)
    assert ticket.handling_days == 5
    with clock.frozen(NEXT_TUESDAY):
        service.rate(
            session, ticket=ticket, code=receipt.code, rating=Rating.UNSATISFIED, resolved=False
        )
    assert ticket.reopen_count == 1
    with clock.frozen(NEXT_THURSDAY):
        service.answer(session, ticket=ticket, principal=member, reply=REPLY)
    assert ticket.handling_days == 2


def test_every_unit_return_is_counted(session, world):
    ticket = forwarded(session, world).ticket
    editor = principal(session, world.editor)
    member = principal(session, world.member)
    assert ticket.return_count == 0
    service.unit_return(session, ticket=ticket, principal=editor, reason="该事项属镇政府职责")
    assert ticket.return_count == 1
    service.review_return(
        session, ticket=ticket, principal=member, accept=False, comment="属本村职责"
    )
    service.unit_return(session, ticket=ticket, principal=editor, reason="确属镇政府职责")
    assert ticket.return_count == 2
