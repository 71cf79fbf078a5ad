"""Supervision figures and list coverage within a scope and period."""

from datetime import date, timedelta

from app.powerlist.models import ListVersion, PowerList, VersionStatus
from app.powerlist.specs import ListKind
from app.stats.measures import Rate
from app.stats.periods import Period
from app.stats.scope import StatsScope
from app.stats.supervision import list_coverage, supervision_figures
from app.supervision.models import (
    Inspection,
    InspectionUnit,
    NoticeStatus,
    Rectification,
    RectificationSource,
    RectificationStatus,
    SupervisionNotice,
    Talk,
    TalkKind,
)
from tests.stats.factories import local

NOVEMBER = Period.month(2026, 11)
TODAY = date(2026, 11, 20)
COUNTY = StatsScope(label="测试县")


def notice(session, world, *, issued, status=NoticeStatus.ISSUED, due=None, unit=None, team=None):
    row = SupervisionNotice(
        team_id=(team or world.township_team).id,
        unit_id=(unit or world.village).id,
        status=status,
        problems="问题",
        requirements="要求",
        deadline_days=5,
        issued_at=issued,
        due_at=due or issued + timedelta(days=7),
    )
    session.add(row)
    session.flush()
    return row


def rectification(
    session,
    world,
    *,
    created,
    deadline,
    status=RectificationStatus.IN_PROGRESS,
    unit=None,
    team=None,
):
    row = Rectification(
        team_id=(team or world.township_team).id,
        unit_id=(unit or world.village).id,
        source=RectificationSource.MANUAL,
        problem="问题",
        deadline=deadline,
        status=status,
        created_at=created,
        updated_at=created,
    )
    session.add(row)
    session.flush()
    return row


def build(session, world):
    notice(session, world, issued=local(2026, 11, 2), status=NoticeStatus.ACCEPTED)
    notice(session, world, issued=local(2026, 11, 3), due=local(2026, 11, 10, 23, 59))  # overdue
    notice(session, world, issued=local(2026, 11, 16))  # due 23 November
    notice(  # answered, waiting for review: not overdue even past its deadline
        session,
        world,
        issued=local(2026, 11, 4),
        status=NoticeStatus.RESPONDED,
        due=local(2026, 11, 9, 23, 59),
    )
    notice(session, world, issued=local(2026, 10, 30))  # October
    notice(
        session, world, issued=local(2026, 11, 5), unit=world.other_village, team=world.other_team
    )

    rectification(session, world, created=local(2026, 11, 2), deadline=date(2026, 11, 19))
    rectification(session, world, created=local(2026, 11, 2), deadline=date(2026, 11, 20))
    rectification(
        session,
        world,
        created=local(2026, 11, 3),
        deadline=date(2026, 11, 5),
        status=RectificationStatus.VERIFIED,
    )
    rectification(
        session,
        world,
        created=local(2026, 11, 3),
        deadline=date(2026, 11, 5),
        status=RectificationStatus.SUBMITTED,
    )
    rectification(session, world, created=local(2026, 10, 3), deadline=date(2026, 10, 5))

    inspection = Inspection(
        team_id=world.township_team.id, held_on=date(2026, 11, 6), subject="检查"
    )
    elsewhere = Inspection(team_id=world.other_team.id, held_on=date(2026, 11, 6), subject="检查")
    earlier = Inspection(team_id=world.township_team.id, held_on=date(2026, 10, 31), subject="检查")
    session.add_all([inspection, elsewhere, earlier])
    session.flush()
    session.add_all(
        [
            InspectionUnit(inspection_id=inspection.id, unit_id=world.village.id),
            InspectionUnit(inspection_id=inspection.id, unit_id=world.township.id),
            InspectionUnit(inspection_id=elsewhere.id, unit_id=world.other_village.id),
        ]
    )
    session.add_all(
        [
            Talk(
                team_id=world.township_team.id,
                kind=TalkKind.HEART,
                held_on=date(2026, 11, 1),
                unit_id=world.village.id,
                interviewees="甲\n乙\n丙",
                person_count=3,
            ),
            Talk(
                team_id=world.township_team.id,
                kind=TalkKind.INTEGRITY,
                held_on=date(2026, 11, 30),
                interviewees="丁",
                person_count=1,
            ),
            Talk(
                team_id=world.other_team.id,
                kind=TalkKind.HEART,
                held_on=date(2026, 11, 3),
                unit_id=world.other_village.id,
                interviewees="戊\n己",
                person_count=2,
            ),
            Talk(
                team_id=world.township_team.id,
                kind=TalkKind.HEART,
                held_on=date(2026, 12, 1),
                interviewees="庚",
                person_count=1,
            ),
        ]
    )
    session.flush()


def test_supervision_figures_for_the_county(session, world):
    build(session, world)
    figures = supervision_figures(session, COUNTY, NOVEMBER, today=TODAY)
    assert (figures.notices_issued, figures.notices_accepted, figures.notices_overdue) == (5, 1, 2)
    assert (
        figures.rectifications_found,
        figures.rectifications_verified,
        figures.rectifications_overdue,
        figures.rectifications_in_progress,
    ) == (4, 1, 1, 1)
    assert figures.rectification_rate == Rate(1, 4)
    assert (figures.inspections, figures.talks, figures.talk_persons) == (2, 3, 6)


def test_supervision_figures_by_unit_subtree_and_team(session, world):
    build(session, world)
    township = StatsScope(label="甲镇", unit_id=world.township.id)
    figures = supervision_figures(session, township, NOVEMBER, today=TODAY)
    # The talk without a unit is not in any unit's subtree.
    assert (figures.notices_issued, figures.inspections, figures.talks, figures.talk_persons) == (
        4,
        1,
        1,
        3,
    )
    other = StatsScope(label="乙", allowed_team_ids=frozenset({world.other_team.id}))
    figures = supervision_figures(session, other, NOVEMBER, today=TODAY)
    assert (figures.notices_issued, figures.rectifications_found, figures.inspections) == (1, 0, 1)
    assert (figures.talks, figures.talk_persons) == (1, 2)
    team = StatsScope(label="甲", team_id=world.township_team.id)
    assert supervision_figures(session, team, NOVEMBER, today=TODAY).talks == 2


def published(session, unit, *, kind=ListKind.DUTY, at):
    power_list = PowerList(unit_id=unit.id, kind=kind)
    session.add(power_list)
    session.flush()
    version = ListVersion(
        list_id=power_list.id, number=1, status=VersionStatus.PUBLISHED, published_at=at
    )
    session.add(version)
    session.flush()
    power_list.current_version_id = version.id
    session.add(power_list)
    session.flush()


def test_list_coverage_and_staleness(session, world):
    published(session, world.village, at=local(2026, 6, 1))
    published(session, world.township, at=local(2025, 11, 1))  # more than a year ago
    published(session, world.other_village, kind=ListKind.CADRE, at=local(2026, 6, 1))
    coverage = list_coverage(session, COUNTY, today=TODAY)
    # Two townships and two villages; the other village has no duty list.
    assert (coverage.units, coverage.with_published, coverage.stale) == (4, 2, 1)
    assert coverage.rate == Rate(2, 4)
    township = list_coverage(
        session, StatsScope(label="甲镇", unit_id=world.township.id), today=TODAY
    )
    assert (township.units, township.with_published, township.stale) == (2, 2, 1)
    other_team = StatsScope(label="乙", allowed_team_ids=frozenset({world.other_team.id}))
    coverage = list_coverage(session, other_team, today=TODAY)
    assert (coverage.units, coverage.with_published) == (2, 0)
    assert list_coverage(session, other_team, today=TODAY).rate.percent == "0.0%"
