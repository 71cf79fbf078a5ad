"""Staff sign-in and sign-out: cookies, errors, lockout with back-off, redirects, audit."""

from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.config import get_settings
from app.core import clock
from app.web.auth import safe_next
from app.web.sessions import SESSION_COOKIE
from tests.factories import PASSWORD
from tests.html import one, parse, text

HX = {"HX-Request": "true"}


def login(client: TestClient, csrf: str, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password, "csrf_token": csrf, **extra}
    return client.post("/login", data=data)


def set_cookie_attributes(response, name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The attributes of the Set-Cookie header for `name` (lower-case keys, flags as '')."""
    for header in response.headers.get_list("set-cookie"):
        if header.split("=", 1)[0].strip() == name:
            parts = [part.strip() for part in header.split(";")]
            attributes = {"value": parts[0].split("=", 1)[1]}
            for part in parts[1:]:
                key, _, value = part.partition("=")
                attributes[key.lower()] = value
            return attributes
    raise AssertionError(f"no Set-Cookie for {name}")


def audit_actions(session, user) -> list[str]:  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
        .order_by(col(AuditEvent.id))
    ).all()
    return list(rows)


# --- the page ---------------------------------------------------------------------------------


def test_login_page_renders_the_form(client):
    response = client.get("/login?next=/staff/units")
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "工作人员登录"
    form = one(page, "form#login-form")
    assert form["method"] == "post"
    assert form["action"].endswith("/login")
    assert one(form, "input[name=csrf_token]")["value"]
    assert one(form, "input[name=next]")["value"] == "/staff/units"
    assert one(form, "input[name=password]")["type"] == "password"
    assert response.headers["vary"] == "HX-Request"


def test_login_form_fragment_for_htmx(client, csrf, world):
    response = client.post(
        "/login",
        data={"username": "admin1", "password": "wrong-pass-1", "csrf_token": csrf},
        headers=HX,
    )
    assert response.status_code == 422
    page = parse(response)
    assert page.select("h1") == [], "the fragment must not contain the page around the form"
    assert text(one(page, "form#login-form .form-error")) == "用户名或密码错误"


def test_signed_in_user_visiting_login_goes_on(login_as, world):
    client = login_as(world.admin)
    response = client.get("/login?next=/staff/units")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/units"


# --- signing in -------------------------------------------------------------------------------


def test_correct_login_sets_a_safe_session_cookie(client, csrf, world):
    response = login(client, csrf, "admin1", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    cookie = set_cookie_attributes(response, SESSION_COOKIE)
    assert cookie["value"]
    assert "httponly" in cookie
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert "secure" not in cookie, "plain-http development must still be able to sign in"
    assert int(cookie["max-age"]) == get_settings().session_max_age_seconds
    assert client.get("/staff").status_code == 200


def test_session_cookie_is_secure_over_https(app, session, world):
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.cookies.set("xw_csrf", "tok-0123456789abcdef")
        response = login(client, "tok-0123456789abcdef", "admin1", PASSWORD)
    assert response.status_code == 303
    assert "secure" in set_cookie_attributes(response, SESSION_COOKIE)
    assert "strict-transport-security" in response.headers


def test_htmx_login_navigates_with_hx_redirect(client, csrf, world):
    response = client.post(
        "/login",
        data={"username": "admin1", "password": PASSWORD, "csrf_token": csrf, "next": "/staff"},
        headers=HX,
    )
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/staff"


@pytest.mark.parametrize("username", ["admin1", "nobody-here"])
def test_wrong_password_and_unknown_user_answer_alike(client, csrf, world, username):
    response = login(client, csrf, username, "wrong-pass-1")
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, ".form-error")) == "用户名或密码错误"
    assert one(page, "input[name=username]")["value"] == username, "input is kept"
    assert one(page, "input[name=password]").get("value", "") == "", "password is never echoed"
    assert SESSION_COOKIE not in response.cookies


def test_login_events_are_audited(client, csrf, world, session):
    login(client, csrf, "admin1", "wrong-pass-1")
    login(client, csrf, "admin1", PASSWORD)
    assert audit_actions(session, world.admin)[-2:] == ["account.login_failed", "account.logged_in"]


def test_inactive_user_cannot_sign_in(client, csrf, world, session):
    world.editor.is_active = False
    session.add(world.editor)
    session.flush()
    response = login(client, csrf, "editor1", PASSWORD)
    assert response.status_code == 422
    assert text(one(parse(response), ".form-error")) == "用户名或密码错误"


# --- lockout ----------------------------------------------------------------------------------


def fail_until_locked(client: TestClient, csrf: str) -> None:
    for _ in range(get_settings().login_max_failures):
        assert login(client, csrf, "admin1", "wrong-pass-1").status_code == 422


def test_lockout_after_repeated_failures_and_unlock_after_the_wait(client, csrf, world, session):
    start = clock.now()
    lockout = timedelta(seconds=get_settings().login_lockout_seconds)
    with clock.frozen(start):
        fail_until_locked(client, csrf)
        response = login(client, csrf, "admin1", PASSWORD)
    assert response.status_code == 422
    message = text(one(parse(response), ".form-error"))
    assert "锁定" in message
    assert SESSION_COOKIE not in response.cookies, "the right password is refused while locked"
    assert "account.login_failed" in audit_actions(session, world.admin)

    with clock.frozen(start + lockout - timedelta(seconds=5)):
        assert login(client, csrf, "admin1", PASSWORD).status_code == 422
    with clock.frozen(start + lockout + timedelta(seconds=1)):
        response = login(client, csrf, "admin1", PASSWORD)
    assert response.status_code == 303
    assert SESSION_COOKIE in response.cookies


def test_repeated_lockouts_double_the_wait(client, csrf, world):
    base = timedelta(seconds=get_settings().login_lockout_seconds)
    first = clock.now()
    with clock.frozen(first):
        fail_until_locked(client, csrf)
    second = first + base + timedelta(seconds=1)
    with clock.frozen(second):
        fail_until_locked(client, csrf)
    # The first lockout was `base` long; the second is twice that.
    with clock.frozen(second + base + timedelta(seconds=1)):
        response = login(client, csrf, "admin1", PASSWORD)
    assert response.status_code == 422
    assert "锁定" in text(one(parse(response), ".form-error"))
    with clock.frozen(second + 2 * base + timedelta(seconds=1)):
        assert login(client, csrf, "admin1", PASSWORD).status_code == 303


# --- signing out and session validity ---------------------------------------------------------


def test_logout_clears_the_cookie(client, csrf, world):
    login(client, csrf, "admin1", PASSWORD)
    assert client.get("/staff").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    cookie = set_cookie_attributes(response, SESSION_COOKIE)
    assert cookie["value"] in ("", '""')
    assert cookie["max-age"] == "0"
    response = client.get("/staff")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_staff_redirects_to_login_when_signed_out(client):
    response = client.get("/staff")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/staff"


def test_staff_redirect_for_htmx_uses_hx_redirect(client):
    response = client.get("/staff", headers=HX)
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/login?next=/staff"


def test_deactivated_users_session_stops_working(login_as, world, session):
    client = login_as(world.editor)
    assert client.get("/staff").status_code == 200
    world.editor.is_active = False
    session.add(world.editor)
    session.flush()
    assert client.get("/staff").status_code == 303


def test_session_version_bump_ends_existing_sessions(login_as, world, session):
    client = login_as(world.editor)
    world.editor.session_version += 1
    session.add(world.editor)
    session.flush()
    assert client.get("/staff").status_code == 303


def test_session_expires_after_max_age(login_as, world):
    client = login_as(world.editor)
    later = clock.now() + timedelta(seconds=get_settings().session_max_age_seconds + 5)
    with clock.frozen(later):
        assert client.get("/staff").status_code == 303


def test_tampered_session_cookie_is_ignored(client, world):
    from app.web.sessions import _serializer

    forged = _serializer().dumps({"uid": world.admin.id, "ver": 1})[:-2] + "xx"
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/staff").status_code == 303


# --- where `next` may lead --------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/staff",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_next_never_leaves_the_site(client, csrf, world, target):
    assert safe_next(target) == "/staff"
    response = login(client, csrf, "admin1", PASSWORD, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"


def test_next_keeps_same_site_paths(client, csrf, world):
    response = login(client, csrf, "admin1", PASSWORD, next="/staff/units?page=2")
    assert response.headers["location"] == "/staff/units?page=2"


def test_login_form_does_not_echo_an_offsite_next(client):
    page = parse(client.get("/login", params={"next": "//evil.example"}))
    assert one(page, "#login-form input[name=next]")["value"] == "/staff"


def test_simple_cookie_parsing_helper_agrees_with_stdlib(client, csrf, world):
    # Guards the helper above: the stdlib must read the same flags from the header.
    response = login(client, csrf, "admin1", PASSWORD)
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    parsed = SimpleCookie()
    parsed.load(header)
    assert parsed[SESSION_COOKIE]["httponly"] is True
    assert parsed[SESSION_COOKIE]["samesite"].lower() == "lax"
