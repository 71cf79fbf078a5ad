"""/api/v1/audit-events: the log with the same filters as the back office; admin only."""

from datetime import UTC, datetime

import pytest

from app.audit import service as audit_service
from app.core import clock
from app.web import sessions


def bearer(user) -> dict[str, str]:
    token, _ = sessions.issue_api_token(user)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def events(session, world):
    first = audit_service.record(
        session,
        actor=world.admin,
        action="account.role_granted",
        object_type="user",
        object_id=world.editor.id,
        data={"role": "unit_editor", "unit_id": world.village.id, "team_id": None},
    )
    with clock.frozen(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)):
        second = audit_service.record(
            session, actor=None, action="unit.updated", object_type="unit", object_id=7
        )
    return first, second


def test_list_events(client, world, events):
    first, second = events
    response = client.get("/api/v1/audit-events", headers=bearer(world.admin))
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]][:2] == [second.id, first.id]
    granted = next(item for item in body["items"] if item["id"] == first.id)
    assert granted["actor"] == "admin1"
    assert granted["description"] == "授予角色：单位填报人员"
    assert granted["data"]["role"] == "unit_editor"
    assert granted["hash"] == first.hash


@pytest.mark.parametrize(
    ("query", "which"),
    [
        ("action=unit.updated", [1]),
        ("actor=admin1", [0]),
        ("object_type=unit&object_id=7", [1]),
        ("date_from=2026-03-02&date_to=2026-03-02&actor=system", [1]),
        ("date_to=2026-03-01&actor=system", []),
    ],
)
def test_filters(client, world, events, query, which):
    response = client.get(f"/api/v1/audit-events?{query}", headers=bearer(world.admin))
    assert [item["id"] for item in response.json()["items"]] == [events[i].id for i in which]


def test_bad_filters_are_422(client, session, world):
    session.commit()  # each error response rolls its request back, not the test's users
    headers = bearer(world.admin)
    bad_date = client.get("/api/v1/audit-events?date_from=2026-13-01", headers=headers)
    assert bad_date.status_code == 422
    reversed_range = client.get(
        "/api/v1/audit-events?date_from=2026-03-02&date_to=2026-03-01", headers=headers
    )
    assert reversed_range.status_code == 422
    assert reversed_range.json()["errors"] == {"date_to": "结束日期不能早于开始日期"}


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
def test_non_admins_are_refused(client, world, who):
    response = client.get("/api/v1/audit-events", headers=bearer(getattr(world, who)))
    assert response.status_code == 403


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/audit-events").status_code == 401
