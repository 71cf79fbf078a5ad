"""`xiaowei tick`: overdue → the lead is told → escalation to the parent team; 未评价 closing."""

from datetime import UTC, datetime

from sqlmodel import col, select

from app.account.permissions import Role
from app.core import clock
from app.notify.models import OutboxMessage
from app.ticket import service
from app.ticket.labels import CLOSED_UNRATED
from app.ticket.models import EntryKind, TicketStatus
from tests import factories as base
from tests.ticket.factories import MONDAY, accepted, answered, entries, events, principal, submit


def at(day: int, month: int = 10, hour: int = 10) -> datetime:
    """A local (Asia/Shanghai) time in autumn 2026, as UTC."""
    return datetime(2026, month, day, hour - 8, 0, tzinfo=UTC)


def outbox_for(session, user_id: int) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage).where(col(OutboxMessage.recipient_hint) == f"user:{user_id}")
        ).all()
    )


def test_overdue_acknowledgement_tells_the_lead_then_escalates(session, world):
    county_lead = base.make_user(session, role=Role.TEAM_LEAD, team=world.commission)
    with clock.frozen(MONDAY):
        ticket = submit(session, world).ticket  # acknowledge by Tuesday 29 September
    before_lead = len(outbox_for(session, world.lead.id))

    with clock.frozen(at(29, 9, hour=20)):
        assert service.tick(session).lead_notified == []

    with clock.frozen(at(30, 9)):
        report = service.tick(session)
    assert report.lead_notified == [ticket.number]
    assert ticket.overdue_level == 1
    assert ticket.team_id == world.township_team.id
    [overdue] = events(session, "ticket.overdue", ticket)
    assert overdue.data["clock"] == "acknowledge"
    assert len(outbox_for(session, world.lead.id)) == before_lead + 1

    with clock.frozen(at(30, 9, hour=11)):
        again = service.tick(session)
    assert again.lead_notified == []
    assert again.escalated == []
    assert len(outbox_for(session, world.lead.id)) == before_lead + 1, "told once"

    # 5 working days after 29 September: 30 Sep, 8, 9, 10 (make-up Saturday), 12 October.
    with clock.frozen(at(12, hour=20)):
        assert service.tick(session).escalated == []
    with clock.frozen(at(13)):
        report = service.tick(session)
    assert report.escalated == [ticket.number]
    assert ticket.overdue_level == 2
    assert ticket.team_id == world.commission.id
    assert ticket.assignee_id is None
    assert "升级至上级" in ticket.routing_reason
    [escalated] = events(session, "ticket.escalated", ticket)
    assert escalated.data["team_id"] == {"from": world.township_team.id, "to": world.commission.id}
    assert outbox_for(session, county_lead.id)
    assert [e.kind for e in entries(session, ticket)].count(EntryKind.ESCALATION) == 2
    # The parent team now has it; the township team no longer sees it.
    county = principal(session, county_lead)
    assert [t.number for t in service.search_tickets(session, principal=county).items] == [
        ticket.number
    ]
    assert service.search_tickets(session, principal=principal(session, world.member)).items == []

    with clock.frozen(at(20)):
        assert service.tick(session).escalated == []


def test_escalation_recuses_linked_members_of_the_parent_team(session, world):
    linked = base.make_user(session, role=Role.TEAM_MEMBER, team=world.commission)
    from app.account.service import add_membership

    add_membership(session, user=linked, role=Role.UNIT_EDITOR, unit=world.village)
    with clock.frozen(MONDAY):
        ticket = submit(session, world).ticket
    with clock.frozen(at(30, 9)):
        service.tick(session)
    with clock.frozen(at(13)):
        service.tick(session)
    assert ticket.team_id == world.commission.id
    assert service.search_tickets(session, principal=principal(session, linked)).items == []


def test_overdue_resolution_and_top_team_stays(session, world):
    world.township.team_id = world.commission.id  # the top team handles 甲村 directly
    county_member = base.make_user(session, role=Role.TEAM_MEMBER, team=world.commission)
    with clock.frozen(MONDAY):
        ticket = submit(session, world).ticket
        service.accept(session, ticket=ticket, principal=principal(session, county_member))
    # resolve by 13 October
    with clock.frozen(at(14)):
        assert service.tick(session).lead_notified == [ticket.number]
    with clock.frozen(at(30)):
        assert service.tick(session).escalated == [ticket.number]
    assert ticket.team_id == world.commission.id
    assert ticket.overdue_level == 2


def test_waiting_for_information_is_never_overdue(session, world):
    with clock.frozen(MONDAY):
        ticket = accepted(session, world).ticket
        service.request_info(
            session,
            ticket=ticket,
            principal=principal(session, world.member),
            question="请补充时间",
        )
    with clock.frozen(at(30)):
        report = service.tick(session)
    assert ticket.number not in report.lead_notified
    assert ticket.overdue_level == 0


def test_unrated_answers_close_after_the_window(session, world):
    with clock.frozen(MONDAY):
        ticket = answered(session, world).ticket  # rate by 8 October
    with clock.frozen(at(8, hour=20)):
        assert service.tick(session).rating_expired == []
    with clock.frozen(at(9)):
        report = service.tick(session)
    assert report.rating_expired == [ticket.number]
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_reason == CLOSED_UNRATED
    assert ticket.closed_at == at(9)
    [closed] = events(session, "ticket.closed", ticket)
    assert closed.data["closed_reason"] == CLOSED_UNRATED
    assert "未评价" in str(report)


def test_clock_colours(session, world):
    with clock.frozen(MONDAY):
        ticket = accepted(session, world).ticket  # 7 working days, due 13 October
    green = service.clock_state(session, ticket, now=at(29, 9))
    yellow = service.clock_state(session, ticket, now=at(12))
    red = service.clock_state(session, ticket, now=at(14))
    assert green
    assert yellow
    assert red
    assert (green.progress.colour, yellow.progress.colour, red.progress.colour) == (
        "green",
        "yellow",
        "red",
    )
    assert "跳过 国庆节" in green.explanation
