"""/api/v1/teams — listing for team staff, create and update for admins."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.unit.models import Team
from tests import factories
from tests.factories import PASSWORD


def token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def team_events(session) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["team.created", "team.updated"]))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_admin_lists_every_team_with_counts(client, world):
    response = client.get("/api/v1/teams", headers=token(client, "admin1"))

    assert response.status_code == 200
    body = response.json()
    assert [team["name"] for team in body] == ["测试县纪委监委", "乙街道纪工委", "甲镇纪委"]
    township = body[2]
    assert township == {
        "id": world.township_team.id,
        "name": "甲镇纪委",
        "kind": "township",
        "parent_id": world.commission.id,
        "phone": "",
        "home_unit_code": world.township.code,
        "is_default": False,
        "is_active": True,
        "units_supervised": 1,
        "members": 2,
    }


def test_team_member_lists_only_their_team(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    headers = token(client, "member1")

    listed = client.get("/api/v1/teams", headers=headers).json()
    own = client.get(f"/api/v1/teams/{world.township_team.id}", headers=headers)
    other = client.get(f"/api/v1/teams/{world.other_team.id}", headers=headers)

    assert [team["name"] for team in listed] == ["甲镇纪委"]
    assert own.status_code == 200
    assert other.status_code == 404


def test_editor_and_anonymous_cannot_list_teams(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    assert client.get("/api/v1/teams", headers=token(client, "editor1")).status_code == 403
    assert client.get("/api/v1/teams").status_code == 401


def test_admin_creates_a_team(client, session, world):
    response = client.post(
        "/api/v1/teams",
        json={
            "name": "派驻第一纪检监察组",
            "kind": "dispatched",
            "parent_id": world.commission.id,
            "home_unit_code": world.county.code,
        },
        headers=token(client, "admin1"),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    team = session.get(Team, body["id"])
    assert team is not None
    assert team.name == "派驻第一纪检监察组"
    assert body["home_unit_code"] == world.county.code
    assert body["units_supervised"] == 0
    (event,) = team_events(session)
    assert event.action == "team.created"
    assert event.object_id == str(team.id)


def test_create_validation_answers_422_with_fields(client, session, world):
    response = client.post(
        "/api/v1/teams",
        json={"name": "甲镇纪委", "kind": "dispatched", "parent_id": 424242},
        headers=token(client, "admin1"),
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "parent_id"}
    assert team_events(session) == []


def test_admin_patches_a_team(client, session, world):
    response = client.patch(
        f"/api/v1/teams/{world.township_team.id}",
        json={"phone": "0574-9"},
        headers=token(client, "admin1"),
    )

    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "0574-9"
    assert response.json()["name"] == "甲镇纪委"  # fields not sent stay as they are
    (event,) = team_events(session)
    assert event.data == {"phone": {"from": "", "to": "0574-9"}}


def test_patch_refuses_a_parent_loop(client, session, world):
    child = factories.make_team(session, name="下级组", parent=world.township_team)

    response = client.patch(
        f"/api/v1/teams/{world.township_team.id}",
        json={"parent_id": child.id},
        headers=token(client, "admin1"),
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"parent_id": "上级监督单位不能是本单位或其下级"}


def test_create_and_update_are_forbidden_to_non_admins(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    for username in ("editor1", "member1", "lead1"):
        headers = token(client, username)
        created = client.post(
            "/api/v1/teams", json={"name": "越权组", "kind": "dispatched"}, headers=headers
        )
        updated = client.patch(
            f"/api/v1/teams/{world.township_team.id}", json={"phone": "1"}, headers=headers
        )
        assert (created.status_code, updated.status_code) == (403, 403), username
    assert world.township_team.phone == ""
    assert team_events(session) == []


def test_patch_unknown_team_is_404(client, world):
    response = client.patch(
        "/api/v1/teams/999999", json={"phone": "1"}, headers=token(client, "admin1")
    )

    assert response.status_code == 404
