"""文号 prefixes: a distinct default per team, refusing a prefix another team uses, and a clear
Conflict (never a 500) when a number is taken all the same."""

import pytest
from sqlmodel import Session, col, select

from app.account.permissions import Role
from app.account.service import Principal
from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import Conflict, ValidationFailed
from app.supervision import notices, numbering
from app.supervision.models import NoticeNumbering, NoticeStatus, SupervisionNotice
from app.unit.models import Team, TeamKind, UnitKind
from tests.factories import make_team, make_unit, make_user
from tests.html import parse, texts
from tests.supervision.factories import MONDAY, draft, issued, principal
from tests.web.ticket_helpers import post_form

TOWNSHIP = TeamKind.TOWNSHIP


def _draft_for(session: Session, team: Team, unit_id: int) -> tuple[SupervisionNotice, Principal]:
    """A draft of `team` to the unit, by a new lead of that team."""
    lead = principal(session, make_user(session, role=Role.TEAM_LEAD, team=team))
    notice = notices.create_notice(
        session,
        principal=lead,
        team_id=team.id,
        unit_id=unit_id,
        problems="村务公开不及时",
        requirements="立即整改",
        deadline_days=5,
    )
    return notice, lead


def _issue_for(session: Session, team: Team, unit_id: int) -> SupervisionNotice:
    notice, lead = _draft_for(session, team, unit_id)
    assert notice.id is not None
    return notices.issue_notice(session, principal=lead, notice_id=notice.id)


def _prefix_events(session: Session) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "supervision.prefix_changed")
        ).all()
    )


def test_defaults_follow_the_kind_and_name_of_each_team(session, world):
    yuelong = make_unit(session, name="跃龙街道", kind=UnitKind.SUBDISTRICT, parent=world.county)
    chayuan = make_unit(session, name="茶院乡", kind=UnitKind.TOWNSHIP, parent=world.county)
    teams = {
        "跃龙": make_team(
            session, name="跃龙街道纪工委", kind=TeamKind.TOWNSHIP, home_unit=yuelong
        ),
        "茶院": make_team(session, name="茶院乡纪委", kind=TeamKind.TOWNSHIP, home_unit=chayuan),
        # No home unit: the township is read from the team's name.
        "前童": make_team(session, name="前童镇纪委", kind=TOWNSHIP),
        "派一": make_team(session, name="测试县纪委监委派驻第一纪检监察组"),
        "派三": make_team(session, name="测试县纪委监委派驻第三纪检监察组"),
        "其他": make_team(session, name="（县）巡察办"),
    }

    def default(team: Team) -> str:
        return numbering.default_prefix(session, team_id=team.id, year=2026)

    assert default(world.commission) == "测纪督"
    assert default(world.township_team) == "甲纪督"
    assert default(world.other_team) == "乙纪督"  # 乙街道 without 街道
    assert {key: default(team) for key, team in teams.items()} == {
        "跃龙": "跃龙纪督",
        "茶院": "茶院纪督",
        "前童": "前童纪督",
        "派一": "测纪派一督",
        "派三": "测纪派三督",
        "其他": "县巡督",  # brackets cannot be printed in a 文号, so they are left out
    }


def test_a_default_already_taken_gets_the_team_id_appended(session, world):
    # An admin gave the commission 丙纪督 before a team in 丙镇 existed.
    numbering.set_prefix(session, team_id=world.commission.id, prefix="丙纪督", actor=None)
    bing = make_unit(session, name="丙镇", kind=UnitKind.TOWNSHIP, parent=world.county)
    bing_team = make_team(session, name="丙镇纪委", kind=TeamKind.TOWNSHIP, home_unit=bing)
    # A second team in 甲镇 derives 甲纪督 too: the older team keeps it.
    second = make_team(session, name="甲镇纪工委", kind=TeamKind.TOWNSHIP, home_unit=world.township)

    assert numbering.current_prefix(session, team_id=bing_team.id) == f"丙纪督{bing_team.id}"
    assert numbering.current_prefix(session, team_id=world.township_team.id) == "甲纪督"
    assert numbering.current_prefix(session, team_id=second.id) == f"甲纪督{second.id}"


def test_two_teams_without_a_prefix_of_their_own_both_issue_in_the_same_year(session, world):
    second = make_team(session, name="甲镇纪工委", kind=TeamKind.TOWNSHIP, home_unit=world.township)
    with clock.frozen(MONDAY):
        commission = _issue_for(session, world.commission, world.village.id)
        township = issued(session, world)
        other = _issue_for(session, world.other_team, world.other_village.id)
        twin = _issue_for(session, second, world.village.id)

    assert [n.number for n in (commission, township, other, twin)] == [
        "测纪督〔2026〕1号",
        "甲纪督〔2026〕1号",
        "乙纪督〔2026〕1号",
        f"甲纪督{second.id}〔2026〕1号",
    ]
    # The prefix a team first numbered under is kept in its row: a team created later and
    # deriving the same default does not take it over.
    assert (
        session.exec(
            select(NoticeNumbering.prefix).where(col(NoticeNumbering.team_id) == second.id)
        ).one()
        == f"甲纪督{second.id}"
    )


def test_set_prefix_refuses_a_prefix_another_team_uses_this_year(session, world):
    with clock.frozen(MONDAY):
        # The default of a team that has not issued anything yet counts as used.
        with pytest.raises(ValidationFailed) as by_default:
            numbering.set_prefix(
                session, team_id=world.other_team.id, prefix="甲纪督", actor=world.admin
            )
        numbering.set_prefix(
            session, team_id=world.township_team.id, prefix="甲纪工督", actor=world.admin
        )
        with pytest.raises(ValidationFailed) as own:
            numbering.set_prefix(
                session, team_id=world.other_team.id, prefix=" 甲纪工督 ", actor=world.admin
            )

    assert by_default.value.errors == {"prefix": "文号前缀“甲纪督”已由 甲镇纪委 使用"}
    assert own.value.errors == {"prefix": "文号前缀“甲纪工督”已由 甲镇纪委 使用"}
    assert numbering.current_prefix(session, team_id=world.other_team.id, year=2026) == "乙纪督"
    assert [e.object_id for e in _prefix_events(session)] == [str(world.township_team.id)]


def test_a_prefix_given_up_this_year_stays_taken_by_the_numbers_issued_under_it(session, world):
    with clock.frozen(MONDAY):
        issued(session, world)  # 甲纪督〔2026〕1号
        numbering.set_prefix(
            session, team_id=world.township_team.id, prefix="甲纪工督", actor=world.admin
        )
        with pytest.raises(ValidationFailed) as caught:
            numbering.set_prefix(
                session, team_id=world.other_team.id, prefix="甲纪督", actor=world.admin
            )
        # The team itself may go back to it: its count within the year goes on.
        numbering.set_prefix(
            session, team_id=world.township_team.id, prefix="甲纪督", actor=world.admin
        )
        again = issued(session, world)

    assert caught.value.errors == {"prefix": "文号前缀“甲纪督”已由 甲镇纪委 使用"}
    assert again.number == "甲纪督〔2026〕2号"


def test_setting_the_same_prefix_again_changes_nothing(session, world):
    with clock.frozen(MONDAY):
        numbering.set_prefix(session, team_id=world.township_team.id, prefix="甲纪督", actor=None)

    assert _prefix_events(session) == []


def test_a_number_taken_all_the_same_is_a_conflict_and_the_draft_stays(session, world):
    # Two teams given one prefix behind the checks' back (by hand in the database).
    for team in (world.township_team, world.other_team):
        session.add(NoticeNumbering(team_id=team.id, year=2026, prefix="同纪督", last_number=0))
    session.flush()
    with clock.frozen(MONDAY):
        first = issued(session, world)
        notice, lead = _draft_for(session, world.other_team, world.other_village.id)
        with pytest.raises(Conflict) as caught:
            notices.issue_notice(session, principal=lead, notice_id=notice.id)

    assert first.number == "同纪督〔2026〕1号"
    assert caught.value.message == (
        "文号 同纪督〔2026〕1号 已被使用，请管理员为本监督单位设置不同的文号前缀"
    )
    assert notice.status is NoticeStatus.DRAFT
    assert notice.number is None
    row = session.exec(
        select(NoticeNumbering).where(col(NoticeNumbering.team_id) == world.other_team.id)
    ).one()
    assert row.last_number == 0


def test_the_notice_page_shows_the_conflict_as_a_message(session, login_as, world, csrf):
    for team in (world.township_team, world.commission):
        session.add(NoticeNumbering(team_id=team.id, year=2026, prefix="同纪督", last_number=0))
    session.flush()
    with clock.frozen(MONDAY):
        _issue_for(session, world.commission, world.village.id)
        notice = draft(session, world)
        session.commit()
        response = post_form(login_as(world.lead), f"/staff/notices/{notice.id}/issue", csrf, {})

    assert response.status_code == 422
    assert texts(parse(response), "#notice-actions .error-summary li") == [
        "文号 同纪督〔2026〕1号 已被使用，请管理员为本监督单位设置不同的文号前缀"
    ]
    session.refresh(notice)
    assert notice.status is NoticeStatus.DRAFT
