"""CSRF: every unsafe request outside /api needs the cookie's token in a field or header."""

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEvent
from app.web.csrf import CSRF_COOKIE, CSRF_HEADER
from app.web.sessions import SESSION_COOKIE
from tests.factories import PASSWORD
from tests.html import one, parse, text

TOKEN = "csrf-cookie-token-0123456789abcdef"


def audit_count(session) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def assert_refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403
    assert "页面已过期" in text(one(parse(response), "#error-box"))
    assert not [h for h in response.headers.get_list("set-cookie") if h.startswith("xw_session")]


@pytest.fixture
def with_cookie(client):  # type: ignore[no-untyped-def]
    client.cookies.set(CSRF_COOKIE, TOKEN)
    return client


# --- refused: no token, a wrong token, or no cookie ------------------------------------------


@pytest.mark.parametrize(
    ("sent", "cookie"),
    [(None, TOKEN), ("wrong-token-0123456789abcdef", TOKEN), (TOKEN, None)],
    ids=["no-token", "wrong-token", "no-cookie"],
)
def test_login_without_a_valid_token_is_refused_and_records_nothing(
    client, session, world, sent, cookie
):
    if cookie:
        client.cookies.set(CSRF_COOKIE, cookie)
    before = audit_count(session)
    data = {"username": "admin1", "password": PASSWORD}
    if sent:
        data["csrf_token"] = sent
    assert_refused(client.post("/login", data=data))
    assert audit_count(session) == before, "no login event without a valid token"


@pytest.mark.parametrize("sent", [None, "wrong-token-0123456789abcdef"])
def test_logout_without_a_valid_token_keeps_the_session(login_as, world, sent):
    client = login_as(world.admin)
    client.cookies.set(CSRF_COOKIE, TOKEN)
    data = {"csrf_token": sent} if sent else {}
    response = client.post("/logout", data=data)
    assert_refused(response)
    assert SESSION_COOKIE not in response.cookies
    assert client.get("/staff").status_code == 200


@pytest.mark.parametrize("sent", [None, "wrong-token-0123456789abcdef"])
def test_text_size_without_a_valid_token_changes_nothing(with_cookie, sent):
    data = {"size": "large", "next": "/"}
    if sent:
        data["csrf_token"] = sent
    response = with_cookie.post("/prefs/text-size", data=data)
    assert_refused(response)
    assert "xw_text" not in response.cookies


def test_wrong_header_token_is_refused_even_with_a_right_field(with_cookie):
    # The header wins when present; a mismatch there is never rescued by the form field.
    response = with_cookie.post(
        "/prefs/text-size",
        data={"size": "large", "csrf_token": TOKEN},
        headers={CSRF_HEADER: "wrong-token-0123456789abcdef"},
    )
    assert response.status_code == 403


def test_json_body_without_header_is_refused(with_cookie):
    response = with_cookie.post("/prefs/text-size", json={"size": "large", "csrf_token": TOKEN})
    assert response.status_code == 403


def test_htmx_refusal_is_a_fragment(with_cookie):
    response = with_cookie.post(
        "/prefs/text-size", data={"size": "large"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    page = parse(response)
    assert page.select("html") == []
    one(page, "#error-box")


# --- accepted: the token in the form field or the htmx header ---------------------------------


def test_login_with_token_in_field(with_cookie, world):
    response = with_cookie.post(
        "/login", data={"username": "admin1", "password": PASSWORD, "csrf_token": TOKEN}
    )
    assert response.status_code == 303
    assert SESSION_COOKIE in response.cookies


def test_login_with_token_in_header(with_cookie, world):
    response = with_cookie.post(
        "/login",
        data={"username": "admin1", "password": PASSWORD},
        headers={CSRF_HEADER: TOKEN, "HX-Request": "true"},
    )
    assert response.status_code == 204
    assert SESSION_COOKIE in response.cookies


def test_logout_with_token(login_as, world):
    client = login_as(world.admin)
    client.cookies.set(CSRF_COOKIE, TOKEN)
    response = client.post("/logout", data={"csrf_token": TOKEN})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize("via", ["field", "header"])
def test_text_size_with_token(with_cookie, via):
    data = {"size": "large", "next": "/"}
    headers = {}
    if via == "field":
        data["csrf_token"] = TOKEN
    else:
        headers[CSRF_HEADER] = TOKEN
    response = with_cookie.post("/prefs/text-size", data=data, headers=headers)
    assert response.status_code == 303
    assert response.cookies.get("xw_text") == "large"


# --- the token the pages hand out -------------------------------------------------------------


def test_first_page_view_sets_the_cookie_matching_the_forms(client):
    response = client.get("/login")
    cookie = response.cookies.get(CSRF_COOKIE)
    assert cookie
    page = parse(response)
    assert one(page, "#login-form input[name=csrf_token]")["value"] == cookie
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(CSRF_COOKIE))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_token_handed_out_by_the_page_works(client, world):
    page = parse(client.get("/login"))
    token = one(page, "#login-form input[name=csrf_token]")["value"]
    response = client.post(
        "/login", data={"username": "admin1", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303


def test_api_is_exempt_because_it_takes_no_cookies(client, world):
    response = client.post("/api/v1/auth/token", data={"username": "admin1", "password": PASSWORD})
    assert response.status_code == 200
