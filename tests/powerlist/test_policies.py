"""Who may edit, review and publish lists, and the query scopes behind back-office lists."""

import pytest
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.permissions import ROLE_PERMISSIONS, Permission, Role
from app.account.service import Principal, load_principal
from app.powerlist import policies, service
from app.unit.models import Unit, UnitKind
from tests.factories import World, make_team, make_unit, make_user
from tests.powerlist.factories import make_draft


def principal(session: Session, user: User) -> Principal:
    return load_principal(session, user=user)


def test_role_permissions() -> None:
    assert Permission.POWERLIST_EDIT in ROLE_PERMISSIONS[Role.UNIT_EDITOR]
    assert Permission.POWERLIST_REVIEW not in ROLE_PERMISSIONS[Role.UNIT_EDITOR]
    assert Permission.POWERLIST_REVIEW in ROLE_PERMISSIONS[Role.TEAM_MEMBER]
    assert Permission.POWERLIST_PUBLISH not in ROLE_PERMISSIONS[Role.TEAM_MEMBER]
    assert {Permission.POWERLIST_REVIEW, Permission.POWERLIST_PUBLISH} <= ROLE_PERMISSIONS[
        Role.TEAM_LEAD
    ]
    assert Permission.STANDARDLIST_MANAGE in ROLE_PERMISSIONS[Role.ADMIN]
    assert Permission.STANDARDLIST_MANAGE not in ROLE_PERMISSIONS[Role.TEAM_LEAD]


def test_editors_edit_their_own_unit_only(session: Session, world: World) -> None:
    editor = principal(session, world.editor)
    assert policies.can_edit_list(editor, world.village)
    assert not policies.can_edit_list(editor, world.other_village)
    assert not policies.can_edit_list(editor, world.township)
    assert not policies.can_edit_list(editor, None)  # standard lists
    assert not policies.can_edit_list(principal(session, world.lead), world.village)
    admin = principal(session, world.admin)
    assert policies.can_edit_list(admin, world.village)
    assert policies.can_edit_list(admin, None)


def test_editor_with_descendants_edits_the_subtree(session: Session, world: World) -> None:
    user = make_user(session, role=Role.UNIT_EDITOR, unit=world.township, include_descendants=True)
    editor = principal(session, user)
    assert policies.can_edit_list(editor, world.township)
    assert policies.can_edit_list(editor, world.village)
    assert not policies.can_edit_list(editor, world.other_village)


def test_supervising_team_reviews_and_its_lead_publishes(session: Session, world: World) -> None:
    lead, member = principal(session, world.lead), principal(session, world.member)
    outsider = principal(session, world.outsider_member)
    for unit in (world.village, world.township):
        assert policies.can_review(session, lead, unit)
        assert policies.can_review(session, member, unit)
        assert policies.can_publish(session, lead, unit)
        assert not policies.can_publish(session, member, unit)
        assert not policies.can_review(session, outsider, unit)
    assert policies.can_review(session, outsider, world.other_village)
    assert not policies.can_review(session, principal(session, world.editor), world.village)
    admin = principal(session, world.admin)
    assert policies.can_publish(session, admin, world.other_village)


def test_nobody_approves_their_own_submission(session: Session, world: World) -> None:
    # A lead who also edits the village may not approve what they submitted themselves.
    user = make_user(session, role=Role.TEAM_LEAD, team=world.township_team)
    draft = make_draft(session, unit=world.village, actor=user)
    service.submit(session, version=draft, actor=user)
    assert not policies.can_publish(session, principal(session, user), world.village, draft)
    assert policies.can_publish(session, principal(session, world.lead), world.village, draft)


def test_default_team_reviews_units_without_a_team(session: Session, world: World) -> None:
    commission_member = make_user(session, role=Role.TEAM_MEMBER, team=world.commission)
    member = principal(session, commission_member)
    assert policies.can_review(session, member, world.county)
    assert not policies.can_review(session, member, world.village)


def supervised(session: Session, who: Principal, units: list[Unit]) -> set[int | None]:
    ids = [u.id for u in units]
    return set(
        session.exec(
            select(Unit.id).where(
                col(Unit.id).in_(ids), policies.supervised_unit_clause(session, who)
            )
        ).all()
    )


def test_supervised_clause_agrees_with_can_review(session: Session, world: World) -> None:
    # A village inside 甲镇 reassigned to 乙街道's team, and a hamlet under it back to 甲镇.
    reassigned = make_unit(session, parent=world.township, team=world.other_team)
    back = make_unit(session, kind=UnitKind.VILLAGE, parent=reassigned, team=world.township_team)
    below = make_unit(session, parent=reassigned)
    units = [
        world.county,
        world.township,
        world.village,
        world.other_township,
        world.other_village,
        reassigned,
        back,
        below,
    ]
    commission_member = make_user(session, role=Role.TEAM_MEMBER, team=world.commission)
    people = [
        world.admin,
        world.lead,
        world.member,
        world.outsider_member,
        world.editor,
        commission_member,
        make_user(session, role=Role.TEAM_MEMBER, team=make_team(session)),
    ]
    for user in people:
        who = principal(session, user)
        expected = {u.id for u in units if policies.can_review(session, who, u)}
        assert supervised(session, who, units) == expected, user.username
    lead = principal(session, world.lead)
    assert supervised(session, lead, units) == {
        world.township.id,
        world.village.id,
        back.id,
    }


def test_editable_clause(session: Session, world: World) -> None:
    descendant_editor = make_user(
        session, role=Role.UNIT_EDITOR, unit=world.township, include_descendants=True
    )
    units = [world.county, world.township, world.village, world.other_village]
    for user in (world.admin, world.editor, world.other_editor, world.lead, descendant_editor):
        who = principal(session, user)
        ids = set(
            session.exec(
                select(Unit.id).where(
                    col(Unit.id).in_([u.id for u in units]), policies.editable_unit_clause(who)
                )
            ).all()
        )
        assert ids == {u.id for u in units if policies.can_edit_list(who, u)}, user.username


@pytest.fixture
def submissions(session: Session, world: World) -> dict[str, int | None]:
    village = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=village, actor=world.editor)
    other = make_draft(session, unit=world.other_village, actor=world.other_editor)
    service.submit(session, version=other, actor=world.other_editor)
    make_draft(session, unit=world.township, actor=world.admin)  # a draft: not in the queue
    return {"village": village.id, "other": other.id}


def test_review_queue_is_scoped_to_the_team(
    session: Session, world: World, submissions: dict[str, int | None]
) -> None:
    def queue(user: User) -> list[int | None]:
        statement = policies.review_queue_statement(session, principal(session, user))
        return [row[0].id for row in session.exec(statement).all()]

    assert queue(world.member) == [submissions["village"]]
    assert queue(world.outsider_member) == [submissions["other"]]
    assert queue(world.admin) == [submissions["village"], submissions["other"]]
    assert queue(world.editor) == []


def test_open_drafts_are_scoped_to_the_editor(
    session: Session, world: World, submissions: dict[str, int | None]
) -> None:
    rows = session.exec(policies.open_drafts_statement(principal(session, world.editor))).all()
    assert [row[0].id for row in rows] == [submissions["village"]]
    assert (
        len(session.exec(policies.open_drafts_statement(principal(session, world.admin))).all())
        == 3
    )
