"""Routing of a new ticket (§4): item override, unit team, default, self-concern, 回避."""

import pytest
from sqlmodel import col, select

from app.account.permissions import Role
from app.account.service import add_membership
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.ticket import routing, service
from app.ticket.models import EntryKind, Ticket, TicketRecusal
from app.unit.models import TeamKind
from tests import factories as base
from tests.ticket.factories import (
    entries,
    events,
    principal,
    published_item,
    submission,
    submit,
)


def test_ticket_goes_to_the_units_team_with_the_reason(session, world):
    ticket = submit(session, world).ticket
    assert ticket.team_id == world.township_team.id
    assert ticket.routing_reason == "按单位 甲村 的上级单位 甲镇 的监督单位"
    [routed] = [e for e in entries(session, ticket) if e.kind == EntryKind.ROUTED]
    assert routed.body == ticket.routing_reason


def test_unit_without_any_team_goes_to_the_county_default(session, world):
    world.county.team_id = None
    lonely = base.make_unit(session, name="丙单位", parent=world.county)
    ticket = submit(session, world, submission(world, unit_code=lonely.code)).ticket
    assert ticket.team_id == world.commission.id
    assert "县纪委监委默认受理" in ticket.routing_reason


def test_item_override_wins(session, world):
    item = published_item(session, world, team=world.other_team)
    ticket = submit(session, world, submission(world, item_key=item.key)).ticket
    assert ticket.team_id == world.other_team.id
    assert ticket.routing_reason == f"按事项“{item.name}”指定的监督单位"
    assert ticket.power_item_key == item.key
    assert ticket.subject == f"事项 {item.number} {item.name}"


def test_item_must_belong_to_the_units_published_list(session, world):
    item = published_item(session, world)
    with pytest.raises(ValidationFailed) as raised:
        submit(
            session, world, submission(world, unit_code=world.other_village.code, item_key=item.key)
        )
    assert "item_key" in raised.value.errors
    with pytest.raises(ValidationFailed) as raised:
        submit(session, world, submission(world, item_key="nosuchkey"))
    assert "item_key" in raised.value.errors


def test_a_complaint_about_the_teams_own_unit_goes_to_the_parent_team(session, world):
    # 甲镇纪委 sits in 甲镇: a complaint about 甲镇 itself goes up to the county commission.
    ticket = submit(session, world, submission(world, unit_code=world.township.code)).ticket
    assert ticket.team_id == world.commission.id
    assert "回避原则" in ticket.routing_reason


def test_members_linked_to_the_unit_are_recused(session, world):
    # member1 is also the editor of 甲村 (their own village).
    add_membership(session, user=world.member, role=Role.UNIT_EDITOR, unit=world.village)
    ticket = submit(session, world).ticket

    recused = session.exec(
        select(TicketRecusal.user_id).where(col(TicketRecusal.ticket_id) == ticket.id)
    ).all()
    assert recused == [world.member.id]
    [event] = events(session, "ticket.submitted", ticket)
    assert event.data["excluded_user_ids"] == [world.member.id]
    assert routing.assignable_member_ids(session, ticket=ticket) == [world.lead.id]
    # The recused member neither finds the ticket nor acts on it.
    member = principal(session, world.member)
    page = service.search_tickets(session, principal=member)
    assert ticket not in page.items
    with pytest.raises(NotFound):
        service.accept(session, ticket=ticket, principal=member)
    with pytest.raises(ValidationFailed):
        service.assign(
            session, ticket=ticket, principal=principal(session, world.lead), assignee=world.member
        )


def test_link_through_an_ancestor_with_descendants_counts(session, world):
    add_membership(
        session,
        user=world.member,
        role=Role.UNIT_EDITOR,
        unit=world.township,
        include_descendants=True,
    )
    ticket = submit(session, world).ticket
    assert routing.recused_user_ids(session, ticket=ticket) == [world.member.id]


def test_a_team_whose_members_are_all_linked_hands_over_to_its_parent(session, world):
    for user in (world.member, world.lead):
        add_membership(session, user=user, role=Role.UNIT_EDITOR, unit=world.village)
    ticket = submit(session, world).ticket
    assert ticket.team_id == world.commission.id
    assert "均与被反映单位有关联" in ticket.routing_reason


def test_no_team_at_all_is_a_clear_error(session, world):
    world.commission.is_default = False
    world.county.team_id = None
    orphan = base.make_unit(session, name="孤立单位")
    with pytest.raises(Conflict, match="默认监督单位"):
        submit(session, world, submission(world, unit_code=orphan.code))
    assert session.exec(select(Ticket)).all() == []


def test_inactive_team_falls_back_to_the_default(session, world):
    spare = base.make_team(session, name="停用组", kind=TeamKind.DISPATCHED)
    spare.is_active = False
    world.village.team_id = spare.id
    ticket = submit(session, world).ticket
    assert ticket.team_id == world.commission.id
    assert "已停用" in ticket.routing_reason
