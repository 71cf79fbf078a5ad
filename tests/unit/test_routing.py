"""Inherited hotline and supervising team, and which team a complaint about a unit goes to (§4)."""

from app.unit.models import TeamKind, UnitKind
from app.unit.service import (
    ancestors,
    default_team,
    effective_hotline,
    effective_team,
    route_for_unit,
)
from tests import factories


def test_ancestors_run_from_the_root_down(session, world):
    assert ancestors(session, unit=world.village) == [world.county, world.township]
    assert ancestors(session, unit=world.county) == []


def test_village_inherits_the_nearest_hotline_above_it(session, world):
    chain = ancestors(session, unit=world.village)

    hotline = effective_hotline(world.village, chain)

    assert hotline.value == "0574-11111111"
    assert hotline.source == world.county
    assert hotline.inherited_from(world.village) == world.county


def test_nearer_ancestor_hotline_beats_the_county(session, world):
    world.township.hotline = "0574-65561001"

    hotline = effective_hotline(world.village, ancestors(session, unit=world.village))

    assert hotline.value == "0574-65561001"
    assert hotline.source == world.township


def test_own_hotline_wins_and_is_not_inherited(session, world):
    world.village.hotline = "0574-65560001"

    hotline = effective_hotline(world.village, ancestors(session, unit=world.village))

    assert hotline.value == "0574-65560001"
    assert hotline.inherited_from(world.village) is None


def test_no_hotline_anywhere_is_empty(session):
    county = factories.make_unit(session, kind=UnitKind.COUNTY)
    village = factories.make_unit(session, parent=county)

    hotline = effective_hotline(village, ancestors(session, unit=village))

    assert (hotline.value, hotline.source) == ("", None)


def test_village_inherits_its_township_team(session, world):
    assignment = effective_team(session, unit=world.village)

    assert assignment.team == world.township_team
    assert assignment.source == world.township


def test_own_team_wins_over_the_township_team(session, world):
    own = factories.make_team(session, name="派驻组", parent=world.commission)
    world.village.team_id = own.id

    assignment = effective_team(session, unit=world.village)

    assert assignment.team == own
    assert assignment.source == world.village


def test_unit_with_no_team_on_the_way_up_has_none(session, world):
    office = factories.make_unit(session, kind=UnitKind.OFFICE, parent=world.county)

    assignment = effective_team(session, unit=office)

    assert (assignment.team, assignment.source) == (None, None)


def test_route_for_a_village_names_the_township_it_inherits_from(session, world):
    route = route_for_unit(session, unit=world.village)

    assert route.team == world.township_team
    assert route.reason == "按单位 甲村 的上级单位 甲镇 的监督单位"


def test_route_by_the_unit_s_own_team(session, world):
    group = factories.make_team(session, name="派驻第一组", parent=world.commission)
    office = factories.make_unit(
        session, name="民政局", kind=UnitKind.OFFICE, parent=world.county, team=group
    )

    route = route_for_unit(session, unit=office)

    assert route.team == group
    assert route.reason == "按单位 民政局 的监督单位"


def test_item_override_beats_the_unit_team(session, world):
    group = factories.make_team(session, name="派驻第二组", parent=world.commission)

    route = route_for_unit(session, unit=world.village, item_team=group, item_name="低保申请")

    assert route.team == group
    assert route.reason == "按事项“低保申请”指定的监督单位"


def test_county_default_team_when_nothing_is_set(session, world):
    office = factories.make_unit(session, name="档案馆", kind=UnitKind.OFFICE, parent=world.county)

    route = route_for_unit(session, unit=office)

    assert default_team(session) == world.commission
    assert route.team == world.commission
    assert "未设置监督单位" in route.reason


def test_no_team_at_all_routes_nowhere_rather_than_guessing(session):
    county = factories.make_unit(session, kind=UnitKind.COUNTY)

    route = route_for_unit(session, unit=county)

    assert route.team is None


def test_complaint_about_the_team_s_own_unit_escalates_to_the_parent_team(session, world):
    route = route_for_unit(session, unit=world.township)

    assert route.team == world.commission
    assert "回避" in route.reason
    assert "甲镇纪委" in route.reason
    assert world.commission.name in route.reason


def test_item_override_pointing_at_the_unit_s_own_team_also_escalates(session, world):
    route = route_for_unit(
        session, unit=world.township, item_team=world.township_team, item_name="工程招标"
    )

    assert route.team == world.commission
    assert "回避" in route.reason


def test_team_of_own_unit_without_a_parent_team_keeps_the_ticket(session):
    county = factories.make_unit(session, kind=UnitKind.COUNTY)
    commission = factories.make_team(
        session, kind=TeamKind.COMMISSION, home_unit=county, is_default=True
    )

    route = route_for_unit(session, unit=county)

    assert route.team == commission


def test_township_team_keeps_complaints_about_its_villages(session, world):
    # Only the team's own unit triggers 回避; its villages are what it exists to supervise.
    route = route_for_unit(session, unit=world.other_village)

    assert route.team == world.other_team
