"""The 宁海县 demo: teams, hotlines that villages inherit, working accounts of every role, and
published lists everywhere, searchable, with history and one stale village."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, func, select

from app import demo
from app.account import security
from app.account import service as account_service
from app.account.models import Membership, User
from app.account.permissions import Role
from app.core import clock
from app.powerlist import search, service
from app.powerlist.diff import ChangeKind
from app.powerlist.models import ListVersion, PowerItem, PowerList, VersionStatus
from app.powerlist.search import SearchEntry
from app.powerlist.specs import ListKind
from app.ticket.models import Ticket
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, Team, TeamKind, Unit, UnitKind
from app.unit.service import (
    ancestors,
    effective_hotline,
    get_unit_by_code,
    route_for_unit,
)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """The demo hashes ten passwords; cheap Argon2 parameters keep these tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_demo_builds_a_supervised_county(session):
    assert demo.seed(session, only_if_empty=True) is True

    county = get_unit_by_code(session, code=demo.COUNTY_CODE)
    commission = session.exec(select(Team).where(col(Team.is_default).is_(True))).one()
    assert commission.name == "宁海县纪委监委"
    assert commission.home_unit_id == county.id
    assert county.hotline == "0574-12388"

    townships = session.exec(
        select(Unit).where(Unit.parent_id == county.id, col(Unit.kind).in_(TOWNSHIP_KINDS))
    ).all()
    assert len(townships) == 18
    hotlines = {unit.hotline for unit in townships}
    assert len(hotlines) == 18
    assert "0574-12388" not in hotlines
    for township in townships:
        team = session.get(Team, township.team_id)
        assert team is not None
        assert team.kind == TeamKind.TOWNSHIP
        assert team.home_unit_id == township.id
        assert team.parent_id == commission.id

    wufeng = get_unit_by_code(session, code="330226001001")
    yuelong = get_unit_by_code(session, code="330226001000")
    assert wufeng.hotline == ""
    hotline = effective_hotline(wufeng, ancestors(session, unit=wufeng))
    assert hotline.inherited_from(wufeng) == yuelong
    assert route_for_unit(session, unit=wufeng).team.name == "跃龙街道纪工委"

    minzheng = get_unit_by_code(session, code="330226-D01")
    assert minzheng.kind == UnitKind.OFFICE
    assert minzheng.parent_id == county.id
    group = route_for_unit(session, unit=minzheng).team
    assert group.name == "县纪委监委派驻第一纪检监察组"
    assert group.kind == TeamKind.DISPATCHED
    assert group.parent_id == commission.id


def test_every_demo_account_signs_in_with_its_documented_password(session):
    demo.seed(session, only_if_empty=True)

    for account in demo.DEMO_ACCOUNTS:
        user = account_service.authenticate(
            session, username=account.username, password=account.password
        )
        roles = session.exec(select(Membership.role).where(Membership.user_id == user.id)).all()
        assert roles == [account.role]
    editor = account_service.get_user_by_username(session, username="editor.yuelong")
    membership = session.exec(select(Membership).where(Membership.user_id == editor.id)).one()
    assert membership.include_descendants
    assert {a.role for a in demo.DEMO_ACCOUNTS} == set(Role)


def test_seed_again_adds_nothing_twice(session):
    demo.seed(session, only_if_empty=True)
    models = (Unit, Team, User, Membership, PowerList, ListVersion, SearchEntry, Ticket)
    totals = [count(session, model) for model in models]

    assert demo.seed(session, only_if_empty=True) is False
    assert demo.seed(session, only_if_empty=False) is True

    assert [count(session, model) for model in models] == totals


def published_item_counts(session, kind: ListKind) -> dict[int, int]:
    """unit id → items in the unit's current published list of `kind`."""
    rows = session.exec(
        select(PowerList.unit_id, func.count(col(PowerItem.id)))
        .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
        .outerjoin(PowerItem, col(PowerItem.version_id) == col(ListVersion.id))
        .where(PowerList.kind == kind, col(PowerList.unit_id).is_not(None))
        .group_by(col(PowerList.unit_id))
    ).all()
    return dict(rows)


def test_demo_publishes_lists_everywhere_with_history_and_one_stale_village(session):
    demo.seed(session, only_if_empty=True)
    county = get_unit_by_code(session, code=demo.COUNTY_CODE)
    units = session.exec(select(Unit).where(col(Unit.path).contains(f"/{county.id}/"))).all()
    grassroots = [u for u in units if u.kind in GRASSROOTS_KINDS]
    townships = [u for u in units if u.kind in TOWNSHIP_KINDS]
    assert len(grassroots) == 393
    assert {u.kind for u in grassroots} == {UnitKind.VILLAGE, UnitKind.COMMUNITY}

    duty = published_item_counts(session, ListKind.DUTY)
    assert all(duty.get(u.id, 0) >= 20 for u in grassroots)
    assert all(duty.get(u.id, 0) >= 5 for u in townships)
    for code in ("330226-D01", "330226-D03", "330226-I01", "330226-I02"):
        assert duty[get_unit_by_code(session, code=code).id] >= 5
    for kind in (ListKind.CADRE, ListKind.NEGATIVE):
        published = session.exec(
            select(PowerList.unit_id).where(
                PowerList.kind == kind, col(PowerList.current_version_id).is_not(None)
            )
        ).all()
        assert {u.id for u in grassroots} <= set(published)

    for revision in demo.DEMO_REVISIONS:
        unit = get_unit_by_code(session, code=revision.unit_code)
        power_list = service.find_list(session, unit=unit, kind=ListKind.DUTY)
        versions = service.list_versions(session, power_list=power_list)
        assert [(v.number, v.status) for v in versions] == [
            (2, VersionStatus.PUBLISHED),
            (1, VersionStatus.SUPERSEDED),
        ]
        diff = service.compare_versions(session, power_list=power_list, old_number=1, new_number=2)
        assert [(row.change, row.name) for row in diff.items] == [
            (ChangeKind.CHANGED, revision.item_name)
        ]

    stale = session.exec(service.stale_lists_statement(now=clock.now())).all()
    assert {unit.code for _, _, unit in stale} == {demo.STALE_UNIT_CODE}
    assert {power_list.kind for power_list, _, _ in stale} == set(ListKind)


def test_demo_lists_are_searchable(session):
    demo.seed(session, only_if_empty=True)

    relief = search.search_items(session, query="低保")
    assert relief.total >= 393
    # Names spelling 低保 out come first (民政局's 最低生活保障审批, the townships' …).
    assert all(hit.name.startswith("最低生活保障") for hit in relief.items)
    assert search.search_items(session, query="印").total >= 393
    homestead = search.search_items(session, query="宅基地审批", per_page=50)
    assert homestead.total >= 393 + 18
    assert all("宅基地审批" in hit.name for hit in homestead.items)
    units = [hit.unit.name for hit in search.search_units(session, query="wf", per_page=50).items]
    assert "五丰社区" in units
    assert [hit.unit.name for hit in search.search_units(session, query="wufeng").items][:1] == [
        "五丰社区"
    ]


def test_demo_tickets_cover_every_state_channel_and_kind(session):
    from app.ticket.models import Ticket, TicketChannel, TicketKind, TicketStatus

    demo.seed(session, only_if_empty=True)
    tickets = session.exec(select(Ticket)).all()
    assert len(tickets) >= 24
    statuses = {ticket.status for ticket in tickets}
    assert {
        TicketStatus.SUBMITTED,
        TicketStatus.ACCEPTED,
        TicketStatus.REJECTED,
        TicketStatus.MERGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_INFO,
        TicketStatus.ANSWERED,
        TicketStatus.CLOSED,
    } <= statuses
    assert {ticket.channel for ticket in tickets} == set(TicketChannel)
    assert {ticket.kind for ticket in tickets} == set(TicketKind)
    assert any(ticket.overdue_level > 0 for ticket in tickets)
    assert any(ticket.reopen_count == 1 for ticket in tickets)
    assert any(ticket.rating is not None for ticket in tickets)
