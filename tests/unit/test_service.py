"""Unit and team maintenance: search, edits with audit trail, creation, team structure."""

import pytest
from sqlmodel import col, select

from app.account.permissions import Role
from app.account.service import load_principal
from app.audit.models import AuditEvent
from app.core.errors import NotFound, ValidationFailed
from app.unit import service
from app.unit.models import TeamKind, Unit, UnitKind
from app.unit.pinyin import pinyin_keys
from tests import factories


def events(session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def named(session, world, name: str, **kwargs) -> Unit:
    """A village under 甲镇 with real pinyin keys, as the division import stores them."""
    unit = factories.make_unit(session, name=name, parent=world.township, **kwargs)
    unit.pinyin, unit.pinyin_initials = pinyin_keys(name)
    session.flush()
    return unit


# --- search ------------------------------------------------------------------------------------


def test_search_matches_name_code_prefix_pinyin_and_initials(session, world):
    wufeng = named(session, world, "五丰社区", code="330226001001")
    named(session, world, "车河社区", code="330226001002")

    def codes(query: str) -> set[str]:
        return {u.code for u in service.search_units(session, query=query).items}

    assert codes("五丰") == {wufeng.code}
    assert codes("丰社") == {wufeng.code}  # contains, not only a prefix
    assert codes("33022600100") == {"330226001001", "330226001002"}
    assert codes("wufeng") == {wufeng.code}
    assert codes("WFSQ") == {wufeng.code}
    assert codes("0226") == set()  # codes match by prefix only


def test_search_treats_like_wildcards_literally(session, world):
    named(session, world, "百分之百村")

    assert service.search_units(session, query="%").total == 0
    assert service.search_units(session, query="_").total == 0


def test_search_filters_by_kind_parent_and_active(session, world):
    closed = named(session, world, "丙村", is_active=False)

    villages = service.search_units(session, kind=UnitKind.VILLAGE)
    under_township = service.search_units(session, parent=world.township)
    by_parent_code = service.search_units(session, parent_code=world.township.code)
    inactive = service.search_units(session, active=False)

    assert {u.id for u in villages.items} == {world.village.id, closed.id}
    assert {u.id for u in under_township.items} == {world.village.id, closed.id}
    assert by_parent_code.total == under_township.total
    assert [u.id for u in inactive.items] == [closed.id]
    assert service.search_units(session, parent_code="nope").total == 0


def test_search_paginates_in_tree_order(session, world):
    first = service.search_units(session, per_page=2, page=1)
    second = service.search_units(session, per_page=2, page=2)

    assert first.total == 5
    assert first.items[0] == world.county
    assert first.has_next
    assert second.has_prev
    assert not {u.id for u in first.items} & {u.id for u in second.items}


def test_search_is_scoped_to_the_principal(session, world):
    editor = load_principal(session, user=world.editor)
    member = load_principal(session, user=world.member)

    assert [u.id for u in service.search_units(session, principal=editor).items] == [
        world.village.id
    ]
    assert service.search_units(session, principal=member).total == 5


def test_describe_units_resolves_inheritance_and_default_team(session, world):
    own_team = factories.make_team(session, name="派驻组")
    world.village.team_id = own_team.id
    world.village.hotline = "0574-1"
    session.flush()

    county, village, other_village = service.describe_units(
        session, units=[world.county, world.village, world.other_village]
    )

    assert county.team == world.commission
    assert county.team_source is None
    assert village.team == own_team
    assert village.team_inherited_from is None
    assert village.hotline.value == "0574-1"
    assert village.parent == world.township
    assert other_village.team == world.other_team
    assert other_village.team_inherited_from == world.other_township
    assert other_village.hotline.inherited_from(world.other_village) == world.county


def test_get_unit_raises_not_found(session):
    with pytest.raises(NotFound):
        service.get_unit(session, unit_id=999_999)


# --- update_unit -----------------------------------------------------------------------------


def test_update_unit_records_only_changed_fields(session, world):
    world.village.address = "甲村 1 号"
    session.flush()

    service.update_unit(
        session,
        unit=world.village,
        actor=world.admin,
        hotline=" 0574-6556 1234 ",
        address="甲村 1 号",
        team_id=world.other_team.id,
        is_active=True,
    )

    assert world.village.hotline == "0574-6556 1234"
    assert world.village.team_id == world.other_team.id
    (event,) = events(session, "unit.updated")
    assert event.object_type == "unit"
    assert event.object_id == str(world.village.id)
    assert event.actor_id == world.admin.id
    assert event.data == {
        "hotline": {"from": "", "to": "0574-6556 1234"},
        "team_id": {"from": None, "to": world.other_team.id},
    }


def test_update_unit_without_changes_writes_no_event(session, world):
    before = world.village.updated_at

    service.update_unit(
        session,
        unit=world.village,
        actor=world.admin,
        hotline="",
        address="",
        team_id=None,
        is_active=True,
    )

    assert events(session, "unit.updated") == []
    assert world.village.updated_at == before


def test_update_unit_team_none_means_inherit(session, world):
    service.update_unit(session, unit=world.township, actor=world.admin, team_id=None)

    assert world.township.team_id is None
    view = service.describe_unit(session, unit=world.village)
    assert view.team == world.commission
    assert view.team_source is None
    (event,) = events(session, "unit.updated")
    assert event.data == {"team_id": {"from": world.township_team.id, "to": None}}


def test_update_unit_rename_refreshes_pinyin(session, world):
    service.update_unit(session, unit=world.village, actor=world.admin, name="五丰社区")

    assert (world.village.pinyin, world.village.pinyin_initials) == ("wufengshequ", "wfsq")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hotline": "电话 123"}, "hotline"),
        ({"hotline": "1" * 41}, "hotline"),
        ({"hotline": "+-"}, "hotline"),
        ({"address": "路" * 201}, "address"),
        ({"name": "  "}, "name"),
        ({"team_id": 999_999}, "team_id"),
    ],
)
def test_update_unit_validation_errors_change_nothing(session, world, kwargs, field):
    with pytest.raises(ValidationFailed) as caught:
        service.update_unit(
            session, unit=world.village, actor=world.admin, is_active=False, **kwargs
        )

    assert field in caught.value.errors
    assert world.village.is_active is True  # the valid part of the request was not applied
    assert events(session, "unit.updated") == []


def test_update_unit_refuses_an_inactive_team_but_keeps_a_retired_one(session, world):
    retired = factories.make_team(session, name="已撤销组")
    retired.is_active = False
    world.village.team_id = retired.id
    session.flush()

    # Editing other fields of a unit still assigned to a retired team works…
    service.update_unit(
        session, unit=world.village, actor=world.admin, hotline="110", team_id=retired.id
    )
    assert world.village.hotline == "110"
    # …but a retired team cannot be chosen anew.
    with pytest.raises(ValidationFailed) as caught:
        service.update_unit(
            session, unit=world.other_village, actor=world.admin, team_id=retired.id
        )
    assert caught.value.errors["team_id"] == "所选监督单位已停用，请选择其他监督单位"


# --- create_unit -----------------------------------------------------------------------------


def test_create_unit_under_a_township_gets_internal_code_path_and_event(session, world):
    first = service.create_unit(
        session, parent=world.township, actor=world.admin, name="甲镇 便民服务中心", kind="station"
    )
    second = service.create_unit(
        session, parent=world.county, actor=world.admin, name="民政局", kind=UnitKind.OFFICE
    )

    assert (first.code, second.code) == ("N000000001", "N000000002")
    assert first.name == "甲镇 便民服务中心"
    assert first.path == f"{world.township.path}{world.township.id}/"
    assert first.depth == world.township.depth + 1
    assert first.pinyin == "jiazhenbianminfuwuzhongxin"
    assert service.ancestors(session, unit=first) == [world.county, world.township]
    created = events(session, "unit.created")
    assert [e.object_id for e in created] == [str(first.id), str(second.id)]
    assert created[0].data["kind"] == "station"
    assert created[0].data["parent_id"] == world.township.id


def test_create_unit_validates_kind_parent_and_duplicate_names(session, world):
    service.create_unit(
        session, parent=world.township, actor=world.admin, name="财政所", kind="station"
    )

    with pytest.raises(ValidationFailed) as caught:
        service.create_unit(
            session, parent=world.township, actor=world.admin, name="财政所", kind="village"
        )
    assert set(caught.value.errors) == {"name", "kind"}
    with pytest.raises(ValidationFailed) as caught:
        service.create_unit(
            session, parent=world.village, actor=world.admin, name="村站", kind="station"
        )
    assert set(caught.value.errors) == {"parent"}
    assert len(events(session, "unit.created")) == 1


# --- tree ------------------------------------------------------------------------------------


def test_unit_tree_expands_roots_and_opened_units_within_scope(session, world):
    admin = load_principal(session, user=world.admin)
    editor = load_principal(session, user=world.editor)

    tree = service.unit_tree(session, principal=admin, open_ids=[world.township.id])
    editor_tree = service.unit_tree(session, principal=editor, open_ids=[world.township.id])

    assert tree.roots == [world.county]
    assert tree.children[world.county.id] == [world.township, world.other_township]
    assert tree.children[world.township.id] == [world.village]
    assert world.other_township.id not in tree.children
    assert tree.child_counts[world.other_township.id] == 1
    assert editor_tree.roots == [world.village]
    assert world.township.id not in editor_tree.children  # not in the editor's scope


def test_editor_with_descendants_sees_the_subtree(session, world):
    user = factories.make_user(
        session, role=Role.UNIT_EDITOR, unit=world.township, include_descendants=True
    )
    principal = load_principal(session, user=user)

    tree = service.unit_tree(session, principal=principal, open_ids=[])

    assert tree.roots == [world.township]
    assert tree.children[world.township.id] == [world.village]


# --- teams -----------------------------------------------------------------------------------


def test_create_team_writes_event(session, world):
    team = service.create_team(
        session,
        actor=world.admin,
        name=" 派驻第一纪检监察组 ",
        kind="dispatched",
        parent_id=world.commission.id,
        phone="0574-1234",
        home_unit_code=world.county.code,
    )

    assert team.name == "派驻第一纪检监察组"
    assert team.kind == TeamKind.DISPATCHED
    assert team.home_unit_id == world.county.id
    (event,) = events(session, "team.created")
    assert event.object_id == str(team.id)
    assert event.data["name"] == "派驻第一纪检监察组"
    assert event.data["kind"] == "dispatched"
    assert event.data["parent_id"] == world.commission.id


def test_create_team_validation(session, world):
    with pytest.raises(ValidationFailed) as caught:
        service.create_team(
            session,
            actor=world.admin,
            name="甲镇纪委",
            kind="nonsense",
            parent_id=999_999,
            phone="abc",
            home_unit_code="000",
        )

    assert set(caught.value.errors) == {"name", "kind", "parent_id", "phone", "home_unit_code"}
    assert events(session, "team.created") == []


def test_update_team_records_changed_fields_only(session, world):
    service.update_team(
        session,
        team=world.township_team,
        actor=world.admin,
        name="甲镇纪委",
        kind="dispatched",
        phone="0574-2",
        parent_id=world.commission.id,
    )

    (event,) = events(session, "team.updated")
    assert event.data == {
        "kind": {"from": "township", "to": "dispatched"},
        "phone": {"from": "", "to": "0574-2"},
    }
    service.update_team(session, team=world.township_team, actor=world.admin, phone="0574-2")
    assert len(events(session, "team.updated")) == 1


def test_update_team_refuses_a_parent_cycle(session, world):
    child = factories.make_team(session, name="下级组", parent=world.township_team)

    with pytest.raises(ValidationFailed) as self_parent:
        service.update_team(
            session, team=world.township_team, actor=world.admin, parent_id=world.township_team.id
        )
    with pytest.raises(ValidationFailed) as loop:
        service.update_team(
            session, team=world.township_team, actor=world.admin, parent_id=child.id
        )

    assert self_parent.value.errors["parent_id"] == "上级监督单位不能是本单位或其下级"
    assert loop.value.errors["parent_id"] == "上级监督单位不能是本单位或其下级"
    assert world.township_team.parent_id == world.commission.id
    assert events(session, "team.updated") == []


def test_update_team_refuses_a_taken_name(session, world):
    with pytest.raises(ValidationFailed) as caught:
        service.update_team(
            session, team=world.township_team, actor=world.admin, name=world.other_team.name
        )

    assert caught.value.errors == {"name": "该名称已被其他监督单位使用"}


def test_default_team_and_teams_with_units_cannot_be_deactivated(session, world):
    idle = factories.make_team(session, name="空闲组")

    with pytest.raises(ValidationFailed):
        service.update_team(session, team=world.commission, actor=world.admin, is_active=False)
    with pytest.raises(ValidationFailed) as caught:
        service.update_team(session, team=world.township_team, actor=world.admin, is_active=False)
    service.update_team(session, team=idle, actor=world.admin, is_active=False)

    assert "1 个单位" in caught.value.errors["is_active"]
    assert world.commission.is_active
    assert world.township_team.is_active
    assert idle.is_active is False


def test_units_supervised_and_inheriting(session, world):
    extra_village = factories.make_unit(session, parent=world.township)
    own = factories.make_team(session, name="村务监督组")
    factories.make_unit(session, parent=world.township, team=own)

    assert service.units_supervised(session, team=world.township_team) == [world.township]
    # 甲村 and the extra village inherit; the village with its own team does not.
    assert service.count_units_inheriting(session, team=world.township_team) == 2
    assert service.count_units_inheriting(session, team=own) == 0
    # The commission supervises nothing directly (it is only the fallback).
    assert service.units_supervised(session, team=world.commission) == []
    assert extra_village.team_id is None


def test_team_members_and_summary_counts(session, world):
    factories.make_user(session, role=Role.TEAM_MEMBER, team=world.township_team, is_active=False)

    members = service.team_members(session, team=world.township_team)
    (summary,) = service.summarise_teams(session, teams=[world.township_team])

    assert [(m.user.username, m.role) for m in members][:2] == [
        ("lead1", Role.TEAM_LEAD),
        ("member1", Role.TEAM_MEMBER),
    ]
    assert len(members) == 3
    assert summary.members == 2  # inactive accounts are not counted as staff
    assert summary.units_supervised == 1
    assert summary.parent == world.commission
    assert summary.home_unit == world.township


def test_list_teams_is_scoped(session, world):
    admin = load_principal(session, user=world.admin)
    member = load_principal(session, user=world.member)
    editor = load_principal(session, user=world.editor)

    assert service.list_teams(session, principal=admin)[0] == world.commission
    assert service.list_teams(session, principal=member) == [world.township_team]
    assert service.list_teams(session, principal=editor) == []


def test_assign_and_unassign_unit(session, world):
    service.assign_unit(session, team=world.other_team, code=world.village.code, actor=world.admin)
    assert world.village.team_id == world.other_team.id

    with pytest.raises(ValidationFailed) as again:
        service.assign_unit(
            session, team=world.other_team, code=world.village.code, actor=world.admin
        )
    with pytest.raises(ValidationFailed) as unknown:
        service.assign_unit(session, team=world.other_team, code="nope", actor=world.admin)
    with pytest.raises(NotFound):
        service.unassign_unit(
            session, team=world.township_team, unit=world.village, actor=world.admin
        )
    service.unassign_unit(session, team=world.other_team, unit=world.village, actor=world.admin)

    assert "已由本监督单位监督" in again.value.errors["code"]
    assert unknown.value.errors == {"code": "未找到代码为 nope 的单位"}
    assert world.village.team_id is None
    assert [e.data["team_id"]["to"] for e in events(session, "unit.updated")] == [
        world.other_team.id,
        None,
    ]
