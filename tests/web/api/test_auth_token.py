"""POST /api/v1/auth/token and bearer authentication of /api routes."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

import jwt
import pytest
from fastapi import Depends
from fastapi.routing import APIRoute

from app.account.permissions import Permission
from app.account.service import Principal
from app.config import get_settings
from app.core import clock
from app.web.deps import require
from tests.factories import PASSWORD

PROBE = "/api/v1/_test/whoami"


@pytest.fixture
def probe(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A guarded /api route that exists only during the test, so these tests do not depend on
    which API routes other parts of the product have."""

    def whoami(
        principal: Annotated[Principal, Depends(require(Permission.USER_READ))],
    ) -> dict[str, str]:
        return {"username": principal.user.username}

    app.add_api_route(PROBE, whoami, methods=["GET"], name="test.whoami")
    route = app.router.routes[-1]
    assert isinstance(route, APIRoute)
    assert route.path == PROBE
    try:
        yield PROBE
    finally:
        app.router.routes.remove(route)


def get_token(client, username: str = "admin1", password: str = PASSWORD) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_for_valid_credentials(client, world):
    response = client.post("/api/v1/auth/token", data={"username": "admin1", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().api_token_minutes * 60
    assert body["access_token"]


@pytest.mark.parametrize(("username", "password"), [("admin1", "wrong-pass-1"), ("ghost", "x")])
def test_invalid_credentials_answer_401_json_in_chinese(client, world, username, password):
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"] == "用户名或密码错误"


def test_missing_fields_answer_422_json(client):
    response = client.post("/api/v1/auth/token", data={})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误"


def test_token_authenticates_a_guarded_route(client, world, probe):
    response = client.get(probe, headers=bearer(get_token(client)))
    assert response.status_code == 200
    assert response.json() == {"username": "admin1"}


def test_token_without_the_permission_is_forbidden(client, world, probe):
    response = client.get(probe, headers=bearer(get_token(client, "editor1")))
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限"


def test_no_token_answers_401_with_bearer_challenge(client, probe):
    response = client.get(probe)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "未登录或令牌已失效"


def test_expired_token_is_refused(client, world, probe):
    token = get_token(client)
    lifetime = timedelta(minutes=get_settings().api_token_minutes)
    with clock.frozen(clock.now() + lifetime - timedelta(seconds=30)):
        assert client.get(probe, headers=bearer(token)).status_code == 200
    with clock.frozen(clock.now() + lifetime + timedelta(seconds=1)):
        assert client.get(probe, headers=bearer(token)).status_code == 401


def test_token_dies_when_session_version_changes(client, world, session, probe):
    token = get_token(client)
    world.admin.session_version += 1
    session.add(world.admin)
    session.flush()
    assert client.get(probe, headers=bearer(token)).status_code == 401


def test_token_of_a_deactivated_user_is_refused(client, world, session, probe):
    token = get_token(client)
    world.admin.is_active = False
    session.add(world.admin)
    session.flush()
    assert client.get(probe, headers=bearer(token)).status_code == 401


def test_forged_and_foreign_tokens_are_refused(client, world, probe):
    now = int(clock.now().timestamp())
    claims = {"sub": str(world.admin.id), "ver": 1, "exp": now + 600, "aud": "xiaowei-api"}
    wrong_key = jwt.encode(claims, "another-secret-key-that-is-long-enough-123", algorithm="HS256")
    wrong_audience = jwt.encode(
        {**claims, "aud": "someone-else"}, get_settings().secret_key, algorithm="HS256"
    )
    unsigned = jwt.encode(claims, None, algorithm="none")
    for token in (wrong_key, wrong_audience, unsigned, "not-a-token"):
        assert client.get(probe, headers=bearer(token)).status_code == 401, token


def test_cookie_session_does_not_authenticate_the_api(login_as, world, probe):
    client = login_as(world.admin)
    assert client.get("/staff").status_code == 200, "the cookie itself is valid"
    response = client.get(probe)
    assert response.status_code == 401


def test_bearer_token_does_not_authenticate_pages(client, world):
    response = client.get("/staff", headers=bearer(get_token(client)))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
