"""Administering staff accounts: listing, profile, passwords, (de)activation, lockout, roles."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.account import security
from app.account import service as account_service
from app.account.models import Membership, User
from app.account.permissions import ROLE_PERMISSIONS, Permission, Role
from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from tests import factories
from tests.factories import PASSWORD

NEW_PASSWORD = "another-pass-456"


def events(session, user: User) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def last_event(session, user: User) -> AuditEvent:
    found = events(session, user)
    assert found, "no audit event for the user"
    return found[-1]


def principal(session, user: User) -> account_service.Principal:
    return account_service.load_principal(session, user=user)


# --- permissions ------------------------------------------------------------------------------


def test_every_role_may_change_its_own_password():
    assert all(Permission.ACCOUNT_SELF in granted for granted in ROLE_PERMISSIONS.values())


# --- listing ----------------------------------------------------------------------------------


def test_list_users_filters_by_text_role_and_status(session, world):
    admin = principal(session, world.admin)
    world.member.display_name = "张三丰"
    world.member.phone = "13900001111"
    world.other_editor.is_active = False
    world.editor.locked_until = clock.now() + timedelta(minutes=5)
    session.flush()

    def usernames(**filters) -> list[str]:
        return [
            u.username
            for u in account_service.list_users(session, visible_to=admin, **filters).items
        ]

    assert usernames(query="三丰") == ["member1"]
    assert usernames(query="0000111") == ["member1"]
    assert usernames(query="EDITOR") == ["editor1", "editor2"]
    assert usernames(query="100%") == []  # LIKE wildcards are literal
    assert usernames(role=Role.TEAM_MEMBER) == ["member1", "member2"]
    assert usernames(active=False) == ["editor2"]
    assert usernames(locked=True) == ["editor1"]
    assert "editor1" not in usernames(active=True, locked=False)


def test_list_users_is_scoped_for_non_admins(session, world):
    listed = account_service.list_users(session, visible_to=principal(session, world.lead))
    assert [u.username for u in listed.items] == ["lead1"]


def test_out_of_scope_user_is_not_found(session, world):
    with pytest.raises(NotFound):
        account_service.get_visible_user(
            session, principal=principal(session, world.lead), user_id=world.editor.id
        )


def test_memberships_by_user_loads_units_and_teams(session, world):
    views = account_service.memberships_by_user(session, user_ids=[world.editor.id, world.lead.id])
    assert [
        (v.membership.role, v.unit.name if v.unit else None) for v in views[world.editor.id]
    ] == [(Role.UNIT_EDITOR, "甲村")]
    assert views[world.lead.id][0].team.name == "甲镇纪委"


# --- profile ----------------------------------------------------------------------------------


def test_update_user_records_only_changed_fields(session, world):
    account_service.update_user(
        session,
        user=world.editor,
        display_name="李四",
        phone="",
        actor=world.admin,
    )
    event = last_event(session, world.editor)
    assert event.action == "account.user_updated"
    assert event.data == {"display_name": "李四"}
    assert event.actor_id == world.admin.id


def test_update_user_rejects_bad_input_in_chinese(session, world):
    with pytest.raises(ValidationFailed) as caught:
        account_service.update_user(
            session, user=world.editor, display_name=" ", phone="call me", actor=world.admin
        )
    assert caught.value.errors == {
        "display_name": "请填写姓名",
        "phone": "电话只能包含数字、空格和 + - ( )，不超过 20 位",
    }


# --- passwords --------------------------------------------------------------------------------


def test_reset_password_bumps_version_clears_lockout_and_logs_no_secret(session, world):
    user = world.editor
    user.failed_logins, user.lockouts = 3, 2
    user.locked_until = clock.now() + timedelta(hours=1)
    version = user.session_version

    account_service.reset_password(session, user=user, new_password=NEW_PASSWORD, actor=world.admin)

    assert user.session_version == version + 1
    assert (user.failed_logins, user.lockouts, user.locked_until) == (0, 0, None)
    assert security.verify_password(user.password_hash, NEW_PASSWORD)
    event = last_event(session, user)
    assert event.action == "account.password_reset"
    assert event.data == {}
    assert account_service.authenticate(session, username="editor1", password=NEW_PASSWORD) is user


def test_reset_password_rejects_a_weak_password(session, world):
    with pytest.raises(ValidationFailed) as caught:
        account_service.reset_password(
            session, user=world.editor, new_password="12345678", actor=world.admin
        )
    assert caught.value.errors == {"new_password": "密码须同时包含字母和数字"}


def test_change_own_password_needs_the_current_one(session, world):
    with pytest.raises(ValidationFailed) as caught:
        account_service.change_own_password(
            session,
            user=world.editor,
            current_password="wrong-pass-1",
            new_password=NEW_PASSWORD,
            confirm=NEW_PASSWORD,
        )
    assert caught.value.errors == {"current_password": "当前密码不正确"}


def test_change_own_password_checks_confirmation_and_sameness(session, world):
    with pytest.raises(ValidationFailed) as caught:
        account_service.change_own_password(
            session,
            user=world.editor,
            current_password=PASSWORD,
            new_password=PASSWORD,
            confirm=PASSWORD,
        )
    assert caught.value.errors == {"new_password": "新密码不能与当前密码相同"}
    with pytest.raises(ValidationFailed) as caught:
        account_service.change_own_password(
            session,
            user=world.editor,
            current_password=PASSWORD,
            new_password=NEW_PASSWORD,
            confirm="x",
        )
    assert caught.value.errors == {"confirm": "两次输入的新密码不一致"}


def test_change_own_password(session, world):
    version = world.editor.session_version
    account_service.change_own_password(
        session,
        user=world.editor,
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert world.editor.session_version == version + 1
    event = last_event(session, world.editor)
    assert (event.action, event.actor_id, event.data) == (
        "account.password_changed",
        world.editor.id,
        {},
    )


# --- activation and lockout -------------------------------------------------------------------


def test_deactivate_and_reactivate(session, world):
    user = world.editor
    version = user.session_version

    account_service.deactivate_user(session, user=user, actor=world.admin)
    assert not user.is_active
    assert user.session_version == version + 1
    assert last_event(session, user).action == "account.user_deactivated"
    with pytest.raises(AuthenticationFailed):
        account_service.authenticate(session, username="editor1", password=PASSWORD)

    account_service.reactivate_user(session, user=user, actor=world.admin)
    assert user.is_active
    assert user.session_version == version + 2
    assert last_event(session, user).action == "account.user_reactivated"


def test_deactivating_an_inactive_user_changes_nothing(session, world):
    world.editor.is_active = False
    before = len(events(session, world.editor))
    account_service.deactivate_user(session, user=world.editor, actor=world.admin)
    assert len(events(session, world.editor)) == before


def test_an_admin_cannot_deactivate_themself(session, world):
    with pytest.raises(Conflict, match="不能停用自己的账号"):
        account_service.deactivate_user(session, user=world.admin, actor=world.admin)
    assert world.admin.is_active


def test_the_last_active_admin_cannot_be_deactivated(session, world):
    with pytest.raises(Conflict, match="至少需要保留一名"):
        account_service.deactivate_user(session, user=world.admin, actor=None)
    second = factories.make_user(session, username="admin2", role=Role.ADMIN)
    account_service.deactivate_user(session, user=world.admin, actor=second)
    assert not world.admin.is_active


def test_unlock_user(session, world):
    world.editor.failed_logins = 4
    world.editor.locked_until = clock.now() + timedelta(minutes=10)
    assert account_service.is_locked(world.editor)

    account_service.unlock_user(session, user=world.editor, actor=world.admin)

    assert not account_service.is_locked(world.editor)
    assert world.editor.failed_logins == 0
    assert last_event(session, world.editor).action == "account.user_unlocked"


# --- memberships ------------------------------------------------------------------------------


def admin_membership(session, user: User) -> Membership:
    found = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.role == Role.ADMIN)
    ).one()
    return found


def test_the_last_admin_membership_cannot_be_removed(session, world):
    membership = admin_membership(session, world.admin)
    with pytest.raises(Conflict, match="最后一名系统管理员"):
        account_service.remove_membership(session, membership=membership, actor=world.admin)
    assert session.get(Membership, membership.id) is not None


def test_an_inactive_admin_does_not_count_as_the_remaining_one(session, world):
    factories.make_user(session, username="admin2", role=Role.ADMIN, is_active=False)
    with pytest.raises(Conflict):
        account_service.remove_membership(
            session, membership=admin_membership(session, world.admin), actor=world.admin
        )


def test_remove_membership_records_what_was_revoked(session, world):
    factories.make_user(session, username="admin2", role=Role.ADMIN)
    membership = admin_membership(session, world.admin)

    account_service.remove_membership(session, membership=membership, actor=world.admin)

    assert session.get(Membership, membership.id) is None
    event = last_event(session, world.admin)
    assert event.action == "account.role_revoked"
    assert event.data == {"role": "admin", "unit_id": None, "team_id": None}


def test_grant_role_by_unit_code_and_team(session, world):
    user = factories.make_user(session, username="newbie")
    editor = account_service.grant_role(
        session,
        user=user,
        role="unit_editor",
        unit_code=world.township.code,
        include_descendants=True,
        actor=world.admin,
    )
    member = account_service.grant_role(
        session, user=user, role="team_member", team_id=world.other_team.id, actor=world.admin
    )
    assert (editor.unit_id, editor.include_descendants) == (world.township.id, True)
    assert member.team_id == world.other_team.id
    assert [e.action for e in events(session, user)] == ["account.role_granted"] * 2


def test_grant_role_reports_problems_by_field(session, world):
    user = factories.make_user(session, username="newbie")
    cases = [
        ({"role": "boss"}, {"role": "请选择角色"}),
        ({"role": "unit_editor"}, {"unit_code": "单位填报人员须指定单位代码"}),
        ({"role": "unit_editor", "unit_code": "999"}, {"unit_code": "未找到该单位代码"}),
        ({"role": "team_lead", "team_id": 987654}, {"team_id": "监督单位人员须选择监督单位"}),
        ({"role": "unit_editor", "unit_code": world.village.code}, None),
        ({"role": "unit_editor", "unit_code": world.village.code}, {"role": "该用户已有此角色"}),
    ]
    for kwargs, expected in cases:
        if expected is None:
            account_service.grant_role(session, user=user, actor=world.admin, **kwargs)
            continue
        with pytest.raises(ValidationFailed) as caught:
            account_service.grant_role(session, user=user, actor=world.admin, **kwargs)
        assert caught.value.errors == expected


# --- creating with a first role ---------------------------------------------------------------


def test_create_user_with_role(session, world):
    user = account_service.create_user_with_role(
        session,
        username=" wangfang ",
        password=NEW_PASSWORD,
        display_name="王芳",
        phone="0574-65512345",
        role="team_lead",
        team_id=world.township_team.id,
        actor=world.admin,
    )
    assert (user.username, user.display_name, user.phone) == ("wangfang", "王芳", "0574-65512345")
    assert [m.role for m in principal(session, user).memberships] == [Role.TEAM_LEAD]
    assert [e.action for e in events(session, user)] == [
        "account.user_created",
        "account.role_granted",
    ]


def test_create_user_with_role_reports_every_problem_and_writes_nothing(session, world):
    with pytest.raises(ValidationFailed) as caught:
        account_service.create_user_with_role(
            session,
            username="editor1",
            password="short",
            phone="abc",
            role="unit_editor",
            unit_code="nope",
            actor=world.admin,
        )
    assert set(caught.value.errors) == {"username", "password", "phone", "unit_code"}
    assert caught.value.errors["username"] == "该用户名已被使用"
    assert session.exec(select(User).where(User.username == "editor1")).all() == [world.editor]
