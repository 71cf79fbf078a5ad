"""/staff/users and /staff/account/password: pages, fragments, changes, permissions, CSRF."""

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from app.account import security
from app.account import service as account_service
from app.account.models import Membership, User
from app.account.permissions import Role
from app.audit.models import AuditEvent
from app.core import clock
from app.web import sessions
from tests import factories
from tests.factories import PASSWORD
from tests.html import one, parse, text, texts

HX = {"HX-Request": "true"}
NEW_PASSWORD = "another-pass-456"


def actions_about(session, user: User) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def assert_fragment(response, selector: str) -> None:
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert page.find("html") is None, "a fragment must not carry the page shell"
    assert page.find("h1") is None
    one(page, selector)


# --- list ---------------------------------------------------------------------------------------


def test_index_lists_users_with_roles_scopes_and_status(client, login_as, session, world):
    world.other_editor.is_active = False
    world.member.locked_until = clock.now() + timedelta(minutes=10)
    world.lead.last_login_at = clock.now()
    session.flush()

    response = login_as(world.admin).get("/staff/users")

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "用户管理"
    rows = {row["data-username"]: row for row in page.select("tr.user-row")}
    assert list(rows) == ["admin1", "editor1", "editor2", "lead1", "member1", "member2"]
    assert text(one(rows["editor1"], ".user-roles")) == "单位填报人员 · 甲村"
    assert text(one(rows["lead1"], ".user-roles")) == "监督单位负责人 · 甲镇纪委"
    assert text(one(rows["admin1"], ".user-roles")) == "系统管理员 · 全县"
    assert text(one(rows["admin1"], ".user-status")) == "启用"
    assert text(one(rows["editor2"], ".user-status")) == "停用"
    assert text(one(rows["member1"], ".user-status")) == "锁定"
    assert text(one(rows["admin1"], ".user-last-login")) == "从未登录"
    assert text(one(rows["lead1"], ".user-last-login")) != "从未登录"
    assert one(page, "a[href$='/staff/users/new']")
    form = one(page, "form#user-filters")
    assert (form["method"], form["hx-target"]) == ("get", "#user-table")


def test_index_fragment_is_only_the_table(client, login_as, world):
    response = login_as(world.admin).get("/staff/users?q=editor", headers=HX)
    assert response.status_code == 200
    assert_fragment(response, "section#user-table")
    assert texts(parse(response), "tr.user-row .user-username") == ["editor1", "editor2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=lead", ["lead1"]),
        ("role=team_member", ["member1", "member2"]),
        ("status=inactive", ["editor2"]),
        ("status=locked", []),
        ("role=unit_editor&status=active", ["editor1"]),
        ("role=nonsense", ["admin1", "editor1", "editor2", "lead1", "member1", "member2"]),
    ],
)
def test_index_filters(client, login_as, session, world, query, expected):
    world.other_editor.is_active = False
    session.flush()
    page = parse(login_as(world.admin).get(f"/staff/users?{query}", headers=HX))
    assert texts(page, "tr.user-row .user-username") == expected
    if not expected:
        assert text(one(page, ".empty")) == "没有符合条件的用户。"


def test_index_paginates_and_keeps_filters_in_links(client, login_as, session, world):
    for n in range(55):
        factories.make_user(session, username=f"bulk{n:02d}")
    page = parse(login_as(world.admin).get("/staff/users?q=bulk"))
    assert len(page.select("tr.user-row")) == 50
    assert text(one(page, "#user-count")) == "55"
    assert one(page, "a[rel=next]")["href"].endswith("/staff/users?page=2&q=bulk")
    second = parse(client.get("/staff/users?q=bulk&page=2"))
    assert texts(second, "tr.user-row .user-username") == [f"bulk{n}" for n in range(50, 55)]


# --- create -------------------------------------------------------------------------------------


def test_new_user_page(client, login_as, world):
    response = login_as(world.admin).get("/staff/users/new")
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "新建用户"
    form = one(page, "form#user-form")
    assert form["method"] == "post"
    assert form["action"].endswith("/staff/users/new")
    assert one(form, "input[name=csrf_token]")["value"]
    assert texts(form, "select[name=team_id] option") == [
        "请选择",
        "乙街道纪工委",
        "测试县纪委监委",
        "甲镇纪委",
    ]


def test_new_user_page_fragment(client, login_as, world):
    response = login_as(world.admin).get("/staff/users/new", headers=HX)
    assert_fragment(response, "form#user-form")


def test_create_user_with_a_team_role(client, login_as, csrf, session, world):
    response = login_as(world.admin).post(
        "/staff/users/new",
        data={
            "csrf_token": csrf,
            "username": "wangfang",
            "display_name": "王芳",
            "phone": "13800000000",
            "password": NEW_PASSWORD,
            "role": "team_member",
            "team_id": str(world.other_team.id),
        },
    )
    assert response.status_code == 303
    user = session.exec(select(User).where(User.username == "wangfang")).one()
    assert response.headers["location"] == f"/staff/users/{user.id}?done=created"
    assert actions_about(session, user) == ["account.user_created", "account.role_granted"]
    detail = parse(client.get(response.headers["location"]))
    assert text(one(detail, "#notice")) == "用户已创建。"
    assert texts(detail, "li.membership .role-scope") == ["监督单位工作人员 · 乙街道纪工委"]


def test_create_user_errors_are_shown_in_chinese_with_input_kept(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        "/staff/users/new",
        data={
            "csrf_token": csrf,
            "username": "editor1",
            "display_name": "重名的人",
            "password": "abc",
            "role": "unit_editor",
            "unit_code": "330226999999",
        },
        headers=HX,
    )
    assert response.status_code == 422
    assert_fragment(response, "form#user-form")
    form = one(parse(response), "form#user-form")
    assert text(one(form, "#error-username")) == "该用户名已被使用"
    assert text(one(form, "#error-password")) == "密码至少 8 位"
    assert text(one(form, "#error-unit_code")) == "未找到该单位代码"
    assert one(form, "input[name=username]")["value"] == "editor1"
    assert one(form, "input[name=display_name]")["value"] == "重名的人"
    assert one(form, "input[name=unit_code]")["value"] == "330226999999"
    assert one(form, "input[name=password]")["value"] == "", "passwords are never echoed"
    assert one(form, "select[name=role] option[selected]")["value"] == "unit_editor"


def test_create_user_without_javascript_shows_the_whole_page_on_errors(
    client, login_as, csrf, world
):
    response = login_as(world.admin).post(
        "/staff/users/new",
        data={"csrf_token": csrf, "username": "", "password": NEW_PASSWORD, "role": "team_lead"},
    )
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "h1")) == "新建用户"
    assert text(one(page, "#error-team_id")) == "监督单位人员须选择监督单位"


def test_create_user_without_csrf_creates_nothing(client, login_as, session, world):
    before = audit_count(session)
    response = login_as(world.admin).post(
        "/staff/users/new",
        data={"username": "sneaky", "password": NEW_PASSWORD, "role": "admin"},
    )
    assert response.status_code == 403
    assert session.exec(select(User).where(User.username == "sneaky")).first() is None
    assert audit_count(session) == before


# --- detail -------------------------------------------------------------------------------------


def test_detail_page(client, login_as, world):
    response = login_as(world.admin).get(f"/staff/users/{world.editor.id}")
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "editor1 editor1"
    assert one(page, "section#user-profile input[name=display_name]")["value"] == "editor1"
    assert texts(page, "li.membership .role-scope") == ["单位填报人员 · 甲村"]
    remove = one(page, "li.membership form")
    assert remove["hx-confirm"].startswith("确定撤销")
    assert remove["action"].endswith("/delete")
    assert one(page, "form#grant-form")["hx-target"] == "#user-memberships"
    assert one(page, "section#user-password input[name=new_password]")
    assert text(one(page, "#user-status button")) == "停用账号"
    for form in page.select("main form"):
        assert form["method"] == "post"
        assert form["action"]
        assert one(form, "input[name=csrf_token]")


def test_detail_fragment_is_the_membership_list(client, login_as, world):
    response = login_as(world.admin).get(f"/staff/users/{world.editor.id}", headers=HX)
    assert_fragment(response, "section#user-memberships")


def test_detail_of_a_missing_user_is_404(client, login_as, world):
    assert login_as(world.admin).get("/staff/users/999999").status_code == 404


def test_admin_viewing_themself_cannot_deactivate(client, login_as, world):
    page = parse(login_as(world.admin).get(f"/staff/users/{world.admin.id}"))
    assert not page.select("form[action$='/deactivate']")
    assert text(one(page, "#user-status .muted")) == "不能停用自己的账号。"


# --- profile ------------------------------------------------------------------------------------


def test_update_profile_without_javascript_redirects(client, login_as, csrf, session, world):
    url = f"/staff/users/{world.editor.id}/profile"
    response = login_as(world.admin).post(
        url, data={"csrf_token": csrf, "display_name": "李四", "phone": "0574-1234"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/users/{world.editor.id}?done=saved"
    assert (world.editor.display_name, world.editor.phone) == ("李四", "0574-1234")
    assert actions_about(session, world.editor)[-1] == "account.user_updated"


def test_update_profile_with_htmx_returns_the_block(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/profile",
        data={"csrf_token": csrf, "display_name": "李四", "phone": ""},
        headers=HX,
    )
    assert response.status_code == 200
    assert_fragment(response, "section#user-profile")
    assert text(one(parse(response), ".notice")) == "资料已保存。"


def test_update_profile_errors_keep_input(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/profile",
        data={"csrf_token": csrf, "display_name": "", "phone": "电话号码"},
        headers=HX,
    )
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#error-display_name")) == "请填写姓名"
    assert one(page, "input[name=phone]")["value"] == "电话号码"
    assert world.editor.display_name == "editor1"


# --- memberships --------------------------------------------------------------------------------


def test_add_membership_with_htmx(client, login_as, csrf, session, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/memberships",
        data={
            "csrf_token": csrf,
            "role": "unit_editor",
            "unit_code": world.other_township.code,
            "include_descendants": "1",
        },
        headers=HX,
    )
    assert response.status_code == 200
    assert_fragment(response, "section#user-memberships")
    assert texts(parse(response), "li.membership .role-scope") == [
        "单位填报人员 · 甲村",
        "单位填报人员 · 乙街道（含下级单位）",
    ]
    assert actions_about(session, world.editor)[-1] == "account.role_granted"


def test_add_membership_without_javascript_redirects(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/memberships",
        data={"csrf_token": csrf, "role": "admin"},
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("?done=role_granted")


def test_add_membership_errors(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/memberships",
        data={"csrf_token": csrf, "role": "unit_editor", "unit_code": "nope"},
        headers=HX,
    )
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#error-unit_code")) == "未找到该单位代码"
    assert one(page, "input[name=unit_code]")["value"] == "nope"


def test_remove_membership(client, login_as, csrf, session, world):
    membership = session.exec(select(Membership).where(Membership.user_id == world.editor.id)).one()
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/memberships/{membership.id}/delete",
        data={"csrf_token": csrf},
        headers=HX,
    )
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, ".empty")) == "该用户尚无角色，登录后无法使用任何功能。"
    assert session.get(Membership, membership.id) is None
    assert actions_about(session, world.editor)[-1] == "account.role_revoked"


def test_the_last_admin_role_cannot_be_removed(client, login_as, csrf, session, world):
    membership = session.exec(select(Membership).where(Membership.user_id == world.admin.id)).one()
    response = login_as(world.admin).post(
        f"/staff/users/{world.admin.id}/memberships/{membership.id}/delete",
        data={"csrf_token": csrf},
        headers=HX,
    )
    assert response.status_code == 422
    assert text(one(parse(response), ".form-error")) == "这是系统中最后一名系统管理员，不能撤销"
    assert session.get(Membership, membership.id) is not None


def test_a_membership_of_another_user_is_404(client, login_as, csrf, session, world):
    membership = session.exec(select(Membership).where(Membership.user_id == world.lead.id)).one()
    # An error response rolls the request's transaction back; keep the test's data out of it.
    session.commit()
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/memberships/{membership.id}/delete",
        data={"csrf_token": csrf},
    )
    assert response.status_code == 404
    assert session.get(Membership, membership.id) is not None


# --- password, status ---------------------------------------------------------------------------


def test_reset_password_signs_the_user_out(client, login_as, csrf, session, world):
    editor_cookie = sessions._serializer().dumps(
        {"uid": world.editor.id, "ver": world.editor.session_version}
    )
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/password",
        data={"csrf_token": csrf, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("?done=password_reset")
    assert security.verify_password(world.editor.password_hash, NEW_PASSWORD)
    assert actions_about(session, world.editor)[-1] == "account.password_reset"
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert NEW_PASSWORD not in str(event.data)

    client.cookies.set(sessions.SESSION_COOKIE, editor_cookie)
    stale = client.get("/staff")
    assert stale.status_code == 303
    assert stale.headers["location"] == "/login?next=/staff"


def test_session_version_bump_sends_an_open_session_to_login(client, login_as, session, world):
    browser = login_as(world.editor)
    assert browser.get("/staff").status_code == 200

    account_service.reset_password(
        session, user=world.editor, new_password=NEW_PASSWORD, actor=world.admin
    )

    response = browser.get("/staff")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_reset_password_errors(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.editor.id}/password",
        data={"csrf_token": csrf, "new_password": "short"},
        headers=HX,
    )
    assert response.status_code == 422
    assert_fragment(response, "section#user-password")
    assert text(one(parse(response), "#error-new_password")) == "密码至少 8 位"


def test_resetting_ones_own_password_keeps_one_signed_in(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.admin.id}/password",
        data={"csrf_token": csrf, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert client.get("/staff").status_code == 200


def test_deactivate_and_reactivate(client, login_as, csrf, session, world):
    browser = login_as(world.admin)
    response = browser.post(f"/staff/users/{world.editor.id}/deactivate", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert not world.editor.is_active
    page = parse(client.get(response.headers["location"]))
    assert text(one(page, "#notice")) == "账号已停用，该用户已被强制退出。"
    assert text(one(page, "#user-status-badge")) == "停用"

    response = browser.post(
        f"/staff/users/{world.editor.id}/reactivate", data={"csrf_token": csrf}, headers=HX
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith("?done=reactivated")
    assert world.editor.is_active
    assert actions_about(session, world.editor)[-2:] == [
        "account.user_deactivated",
        "account.user_reactivated",
    ]


def test_deactivating_oneself_is_refused(client, login_as, csrf, world):
    response = login_as(world.admin).post(
        f"/staff/users/{world.admin.id}/deactivate", data={"csrf_token": csrf}, headers=HX
    )
    assert response.status_code == 422
    assert_fragment(response, "section#user-status")
    assert text(one(parse(response), ".form-error")) == "不能停用自己的账号"
    assert world.admin.is_active


def test_unlock(client, login_as, csrf, session, world):
    world.editor.failed_logins = 2
    world.editor.locked_until = clock.now() + timedelta(minutes=15)
    session.flush()
    browser = login_as(world.admin)
    page = parse(browser.get(f"/staff/users/{world.editor.id}"))
    assert text(one(page, "#user-status-badge")) == "锁定"

    response = browser.post(f"/staff/users/{world.editor.id}/unlock", data={"csrf_token": csrf})

    assert response.status_code == 303
    assert world.editor.locked_until is None
    assert actions_about(session, world.editor)[-1] == "account.user_unlocked"


# --- permissions and CSRF on every route --------------------------------------------------------

PAGES = ["/staff/users", "/staff/users/new", "/staff/users/{id}"]
POSTS = [
    "/staff/users/new",
    "/staff/users/{id}/profile",
    "/staff/users/{id}/memberships",
    "/staff/users/{id}/memberships/{membership}/delete",
    "/staff/users/{id}/password",
    "/staff/users/{id}/deactivate",
    "/staff/users/{id}/reactivate",
    "/staff/users/{id}/unlock",
]


def fill(path: str, session, world) -> str:
    membership = session.exec(select(Membership).where(Membership.user_id == world.editor.id)).one()
    return path.format(id=world.editor.id, membership=membership.id)


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_are_admin_only(client, login_as, session, world, who, path):
    response = login_as(getattr(world, who)).get(fill(path, session, world))
    assert response.status_code == 403
    assert "您没有执行此操作的权限" in text(one(parse(response), "#error-box"))


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
@pytest.mark.parametrize("path", POSTS)
def test_changes_are_admin_only(client, login_as, csrf, session, world, who, path):
    before = audit_count(session)
    response = login_as(getattr(world, who)).post(
        fill(path, session, world),
        data={
            "csrf_token": csrf,
            "username": "x1",
            "display_name": "x",
            "role": "admin",
            "new_password": NEW_PASSWORD,
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    assert "您没有执行此操作的权限" in text(one(parse(response), "#error-box"))
    assert audit_count(session) == before


@pytest.mark.parametrize("path", POSTS)
def test_changes_without_csrf_change_nothing(client, login_as, session, world, path):
    before = audit_count(session)
    version = world.editor.session_version
    response = login_as(world.admin).post(
        fill(path, session, world),
        data={
            "username": "x1",
            "display_name": "x",
            "role": "admin",
            "new_password": NEW_PASSWORD,
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    assert audit_count(session) == before
    session.refresh(world.editor)
    assert (world.editor.display_name, world.editor.session_version) == ("editor1", version)
    assert world.editor.is_active


def test_signed_out_visitors_are_sent_to_login(client, world):
    response = client.get("/staff/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/staff/users"


# --- one's own password -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "lead", "member", "editor"])
def test_every_role_can_open_the_password_page(client, login_as, world, who):
    response = login_as(getattr(world, who)).get("/staff/account/password")
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "修改密码"
    form = one(page, "section#password-form form")
    assert form["method"] == "post"
    assert form["action"].endswith("/staff/account/password")


def test_password_page_fragment(client, login_as, world):
    response = login_as(world.editor).get("/staff/account/password", headers=HX)
    assert_fragment(response, "section#password-form")


def test_change_own_password(client, login_as, csrf, session, world):
    browser = login_as(world.editor)
    response = browser.post(
        "/staff/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/account/password?done=1"
    assert security.verify_password(world.editor.password_hash, NEW_PASSWORD)
    assert actions_about(session, world.editor)[-1] == "account.password_changed"
    # This browser got a fresh cookie and stays signed in.
    page = parse(browser.get(response.headers["location"]))
    assert text(one(page, "#notice")).startswith("密码已修改")


def test_change_own_password_with_a_wrong_current_password(client, login_as, csrf, world):
    response = login_as(world.editor).post(
        "/staff/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "not-my-pass-1",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        headers=HX,
    )
    assert response.status_code == 422
    assert_fragment(response, "section#password-form")
    assert text(one(parse(response), "#error-current_password")) == "当前密码不正确"
    assert security.verify_password(world.editor.password_hash, PASSWORD)


def test_change_own_password_without_csrf_changes_nothing(client, login_as, world):
    response = login_as(world.editor).post(
        "/staff/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    assert security.verify_password(world.editor.password_hash, PASSWORD)


def test_admin_role_filter_lists_admins(client, login_as, session, world):
    factories.make_user(session, username="admin2", role=Role.ADMIN)
    page = parse(login_as(world.admin).get("/staff/users?role=admin", headers=HX))
    assert texts(page, "tr.user-row .user-username") == ["admin1", "admin2"]
