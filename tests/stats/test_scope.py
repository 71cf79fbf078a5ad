"""Who may see which figures: admins anything, team roles their own teams, others nothing."""

import pytest

from app.account.service import load_principal
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.stats.scope import public_scope, scope_for
from app.ticket.models import TicketKind
from tests.stats.factories import category


def test_admin_may_choose_anything_and_defaults_to_the_county(session, world):
    admin = load_principal(session, user=world.admin)
    scope = scope_for(session, admin)
    assert scope.allowed_team_ids is None
    assert scope.unit_id is None
    assert scope.query() == {}
    graft = category(session, "graft")
    chosen = scope_for(
        session,
        admin,
        unit_code=world.township.code,
        team_id=world.other_team.id,
        category_id=graft.id,
        kind="report",
    )
    assert chosen.unit_id == world.township.id
    assert chosen.kind == TicketKind.REPORT
    assert chosen.label.startswith("甲镇")
    assert chosen.query() == {
        "unit": world.township.code,
        "team": str(world.other_team.id),
        "category": str(graft.id),
        "kind": "report",
    }


def test_team_members_see_only_their_teams(session, world):
    member = load_principal(session, user=world.member)
    scope = scope_for(session, member)
    assert scope.allowed_team_ids == frozenset({world.township_team.id})
    assert scope.label == "甲镇纪委"
    assert scope_for(session, member, team_id=world.township_team.id).team_id == (
        world.township_team.id
    )
    with pytest.raises(NotFound):
        scope_for(session, member, team_id=world.other_team.id)


def test_unit_editors_get_no_statistics(session, world):
    with pytest.raises(PermissionDenied):
        scope_for(session, load_principal(session, user=world.editor))


def test_unknown_unit_category_or_kind(session, world):
    admin = load_principal(session, user=world.admin)
    with pytest.raises(NotFound):
        scope_for(session, admin, unit_code="nope")
    with pytest.raises(NotFound):
        scope_for(session, admin, category_id=999999)
    with pytest.raises(NotFound):
        scope_for(session, admin, team_id=999999)
    with pytest.raises(ValidationFailed):
        scope_for(session, admin, kind="gossip")


def test_public_scope(session, world):
    township = public_scope(session, unit=world.township)
    assert (township.label, township.unit_id, township.allowed_team_ids) == (
        "甲镇",
        world.township.id,
        None,
    )
    assert public_scope(session, unit=None).unit_id is None
