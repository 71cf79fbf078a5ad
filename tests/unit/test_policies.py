"""Who sees and changes which units and teams."""

import pytest
from sqlmodel import col, select

from app.account.permissions import Role
from app.account.service import load_principal
from app.core.errors import NotFound
from app.unit import policies
from app.unit.models import Team, Unit
from tests import factories


def visible_ids(session, principal) -> set[int]:
    return set(session.exec(policies.visible_units(principal, select(Unit.id))).all())


def all_ids(session) -> set[int]:
    return set(session.exec(select(Unit.id)).all())


def test_admin_and_team_staff_see_every_unit(session, world):
    for user in (world.admin, world.lead, world.member, world.outsider_member):
        principal = load_principal(session, user=user)
        assert visible_ids(session, principal) == all_ids(session)
        assert policies.can_read_unit(principal, world.other_village)


def test_editor_sees_only_their_unit(session, world):
    editor = load_principal(session, user=world.editor)

    assert visible_ids(session, editor) == {world.village.id}
    assert policies.can_read_unit(editor, world.village)
    assert not policies.can_read_unit(editor, world.township)
    assert not policies.can_read_unit(editor, world.other_village)


def test_editor_with_descendants_sees_the_subtree_but_not_siblings(session, world):
    sibling = factories.make_unit(session, parent=world.county)
    grandchild = factories.make_unit(session, parent=world.village)
    user = factories.make_user(
        session, role=Role.UNIT_EDITOR, unit=world.township, include_descendants=True
    )
    principal = load_principal(session, user=user)

    assert visible_ids(session, principal) == {world.township.id, world.village.id, grandchild.id}
    assert policies.can_read_unit(principal, grandchild)
    assert not policies.can_read_unit(principal, sibling)


def test_descendant_scope_does_not_match_ids_that_only_share_digits(session, world):
    # Unit 1's subtree must not include a unit whose path holds id 11 or 21.
    user = factories.make_user(
        session, role=Role.UNIT_EDITOR, unit=world.county, include_descendants=True
    )
    principal = load_principal(session, user=user)
    stranger = factories.make_unit(session)
    stranger.path = f"/{world.county.id}1/"
    session.flush()

    assert stranger.id not in visible_ids(session, principal)
    assert not policies.can_read_unit(principal, stranger)


def test_user_without_memberships_sees_nothing(session, world):
    nobody = load_principal(session, user=factories.make_user(session))

    assert visible_ids(session, nobody) == set()
    with pytest.raises(NotFound):
        policies.ensure_can_read_unit(nobody, world.county)


def test_ensure_can_read_unit_answers_not_found_outside_scope(session, world):
    editor = load_principal(session, user=world.editor)

    assert policies.ensure_can_read_unit(editor, world.village) is world.village
    with pytest.raises(NotFound):
        policies.ensure_can_read_unit(editor, world.other_village)


def test_only_admin_updates_units(session, world):
    assert policies.can_update_unit(load_principal(session, user=world.admin), world.village)
    for user in (world.lead, world.member, world.editor):
        principal = load_principal(session, user=user)
        assert not policies.can_update_unit(principal, world.village)
        assert not policies.can_create_unit(principal, world.township)


def test_teams_visible_to_admin_and_own_staff(session, world):
    admin = load_principal(session, user=world.admin)
    member = load_principal(session, user=world.member)
    editor = load_principal(session, user=world.editor)

    def team_ids(principal) -> set[int]:
        statement = policies.visible_teams(principal, select(Team.id).order_by(col(Team.id)))
        return set(session.exec(statement).all())

    assert team_ids(admin) == set(session.exec(select(Team.id)).all())
    assert team_ids(member) == {world.township_team.id}
    assert team_ids(editor) == set()
    assert policies.can_read_team(member, world.township_team)
    assert not policies.can_read_team(member, world.other_team)
    with pytest.raises(NotFound):
        policies.ensure_can_read_team(member, world.other_team)


def test_only_admin_creates_and_updates_teams(session, world):
    admin = load_principal(session, user=world.admin)
    lead = load_principal(session, user=world.lead)

    assert policies.can_create_team(admin)
    assert policies.can_update_team(admin, world.township_team)
    assert not policies.can_create_team(lead)
    assert not policies.can_update_team(lead, world.township_team)
