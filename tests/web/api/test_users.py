"""/api/v1/users: list, create, update, grant roles; admin only; never a password hash."""

import pytest
from sqlmodel import col, func, select

from app.account.models import User
from app.audit.models import AuditEvent
from app.web import sessions

NEW_PASSWORD = "another-pass-456"


def bearer(user: User) -> dict[str, str]:
    token, _ = sessions.issue_api_token(user)
    return {"Authorization": f"Bearer {token}"}


def actions_about(session, user_id: int) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user_id))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_list_users(client, world):
    response = client.get("/api/v1/users?role=unit_editor", headers=bearer(world.admin))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    editor = body["items"][0]
    assert editor["username"] == "editor1"
    assert editor["memberships"] == [
        {
            "id": editor["memberships"][0]["id"],
            "role": "unit_editor",
            "role_label": "单位填报人员",
            "unit_id": world.village.id,
            "unit_code": world.village.code,
            "unit_name": "甲村",
            "include_descendants": False,
            "team_id": None,
            "team_name": None,
        }
    ]
    assert "password" not in response.text
    assert "session_version" not in response.text


def test_list_users_filters(client, session, world):
    world.other_editor.is_active = False
    session.flush()
    headers = bearer(world.admin)
    inactive = client.get("/api/v1/users?active=false", headers=headers).json()
    assert [u["username"] for u in inactive["items"]] == ["editor2"]
    found = client.get("/api/v1/users?q=member&per_page=1&page=2", headers=headers).json()
    assert (found["total"], found["pages"], found["items"][0]["username"]) == (2, 2, "member2")


def test_create_user(client, session, world):
    response = client.post(
        "/api/v1/users",
        json={
            "username": "wangfang",
            "display_name": "王芳",
            "password": NEW_PASSWORD,
            "role": "unit_editor",
            "unit_code": world.township.code,
            "include_descendants": True,
        },
        headers=bearer(world.admin),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "wangfang"
    assert body["is_active"] is True
    assert body["memberships"][0]["unit_name"] == "甲镇"
    assert body["memberships"][0]["include_descendants"] is True
    assert "password" not in response.text
    assert actions_about(session, body["id"]) == ["account.user_created", "account.role_granted"]


def test_create_user_reports_problems_in_chinese(client, session, world):
    session.commit()  # the error response rolls back the request, not the test's users
    response = client.post(
        "/api/v1/users",
        json={"username": "editor1", "password": "abc", "role": "team_lead"},
        headers=bearer(world.admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "username": "该用户名已被使用",
        "password": "密码至少 8 位",
        "team_id": "监督单位人员须选择监督单位",
    }
    assert session.exec(select(func.count()).select_from(User)).one() == 6


def test_update_user(client, session, world):
    response = client.patch(
        f"/api/v1/users/{world.editor.id}",
        json={"display_name": "李四", "is_active": False},
        headers=bearer(world.admin),
    )
    assert response.status_code == 200
    assert (response.json()["display_name"], response.json()["is_active"]) == ("李四", False)
    assert actions_about(session, world.editor.id)[-2:] == [
        "account.user_updated",
        "account.user_deactivated",
    ]


def test_update_user_refuses_self_deactivation(client, world):
    response = client.patch(
        f"/api/v1/users/{world.admin.id}", json={"is_active": False}, headers=bearer(world.admin)
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "不能停用自己的账号"


def test_update_missing_user_is_404(client, world):
    response = client.patch("/api/v1/users/999999", json={}, headers=bearer(world.admin))
    assert response.status_code == 404


def test_add_membership(client, session, world):
    response = client.post(
        f"/api/v1/users/{world.editor.id}/memberships",
        json={"role": "team_member", "team_id": world.other_team.id},
        headers=bearer(world.admin),
    )
    assert response.status_code == 201
    assert response.json()["team_name"] == "乙街道纪工委"
    assert actions_about(session, world.editor.id)[-1] == "account.role_granted"


def test_add_membership_errors(client, world):
    response = client.post(
        f"/api/v1/users/{world.editor.id}/memberships",
        json={"role": "unit_editor", "unit_code": world.village.code},
        headers=bearer(world.admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"role": "该用户已有此角色"}


def test_a_token_issued_before_a_password_reset_stops_working(client, session, world):
    headers = bearer(world.admin)
    world.admin.session_version += 1
    session.flush()
    assert client.get("/api/v1/users", headers=headers).status_code == 401


CALLS = [
    ("get", "/api/v1/users", None),
    ("post", "/api/v1/users", {"username": "x1", "password": NEW_PASSWORD, "role": "admin"}),
    ("patch", "/api/v1/users/{id}", {"display_name": "x"}),
    ("post", "/api/v1/users/{id}/memberships", {"role": "admin"}),
]


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_non_admins_are_refused(client, session, world, who, method, path, body):
    url = path.format(id=world.editor.id)
    kwargs = {"json": body} if body is not None else {}
    response = client.request(method, url, headers=bearer(getattr(world, who)), **kwargs)
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限"


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_anonymous_calls_are_refused(client, world, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    response = client.request(method, path.format(id=world.editor.id), **kwargs)
    assert response.status_code == 401
