"""/api/v1/units — public search and lookup; PATCH for admins only."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.unit.pinyin import pinyin_keys
from tests import factories
from tests.factories import PASSWORD


def token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def unit_updates(session) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "unit.updated")
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_anonymous_search_lists_active_units_with_effective_settings(client, session, world):
    factories.make_unit(session, name="停用村", parent=world.township, is_active=False)

    response = client.get("/api/v1/units", params={"parent": world.township.code})

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["page"] == 1
    assert body["pages"] == 1
    assert body["items"] == [
        {
            "code": world.village.code,
            "name": "甲村",
            "kind": "village",
            "parent_code": world.township.code,
            "address": "",
            "hotline": "0574-11111111",
            "team": "甲镇纪委",
            "is_active": True,
        }
    ]


def test_search_by_pinyin_kind_and_pages(client, session, world):
    unit = factories.make_unit(session, name="五丰社区", parent=world.township)
    unit.pinyin, unit.pinyin_initials = pinyin_keys(unit.name)
    session.flush()

    by_pinyin = client.get("/api/v1/units", params={"q": "wfsq"}).json()
    by_kind = client.get("/api/v1/units", params={"kind": "subdistrict"}).json()
    paged = client.get("/api/v1/units", params={"per_page": 2, "page": 2}).json()

    assert [item["name"] for item in by_pinyin["items"]] == ["五丰社区"]
    assert [item["name"] for item in by_kind["items"]] == ["乙街道"]
    assert paged["total"] == 6
    assert paged["pages"] == 3
    assert len(paged["items"]) == 2


def test_bad_query_parameters_answer_422_json(client):
    assert client.get("/api/v1/units", params={"kind": "castle"}).status_code == 422
    assert client.get("/api/v1/units", params={"per_page": 1000}).status_code == 422


def test_unknown_parent_gives_an_empty_page(client, world):
    assert client.get("/api/v1/units", params={"parent": "nope"}).json()["total"] == 0


def test_anonymous_get_one_unit(client, world):
    response = client.get(f"/api/v1/units/{world.county.code}")

    assert response.status_code == 200
    body = response.json()
    assert body["parent_code"] is None
    # Nothing names a team for the county, so the county default team answers.
    assert body["team"] == "测试县纪委监委"


def test_unknown_and_inactive_units_are_404(client, session, world):
    closed = factories.make_unit(session, name="停用村", parent=world.township, is_active=False)
    session.commit()  # an error response rolls back the request; keep the test's data

    missing = client.get("/api/v1/units/nope")
    inactive = client.get(f"/api/v1/units/{closed.code}")

    assert missing.status_code == 404
    assert inactive.status_code == 404
    assert missing.json()["detail"] == "单位不存在"


def test_admin_patches_a_unit(client, session, world):
    response = client.patch(
        f"/api/v1/units/{world.village.code}",
        json={"hotline": "0574-65561234", "team_id": world.other_team.id},
        headers=token(client, "admin1"),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hotline"] == "0574-65561234"
    assert body["team"] == "乙街道纪工委"
    assert world.village.address == ""  # fields not sent stay as they are
    (event,) = unit_updates(session)
    assert event.data == {
        "hotline": {"from": "", "to": "0574-65561234"},
        "team_id": {"from": None, "to": world.other_team.id},
    }


def test_patch_team_null_means_inherit(client, session, world):
    response = client.patch(
        f"/api/v1/units/{world.township.code}",
        json={"team_id": None},
        headers=token(client, "admin1"),
    )

    assert response.json()["team"] == "测试县纪委监委"
    assert world.township.team_id is None


def test_patch_validation_errors_answer_422_with_fields(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    headers = token(client, "admin1")

    response = client.patch(
        f"/api/v1/units/{world.village.code}",
        json={"hotline": "call me", "team_id": 424242},
        headers=headers,
    )
    unknown_field = client.patch(
        f"/api/v1/units/{world.village.code}", json={"code": "x"}, headers=headers
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"hotline", "team_id"}
    assert unknown_field.status_code == 422
    assert unit_updates(session) == []


def test_patch_is_forbidden_without_unit_update(client, session, world):
    session.commit()  # an error response rolls back the request; keep the test's data
    for username in ("editor1", "member1", "lead1"):
        response = client.patch(
            f"/api/v1/units/{world.village.code}",
            json={"hotline": "110"},
            headers=token(client, username),
        )
        assert response.status_code == 403, username
    anonymous = client.patch(f"/api/v1/units/{world.village.code}", json={"hotline": "110"})

    assert anonymous.status_code == 401
    assert world.village.hotline == ""
    assert unit_updates(session) == []


def test_patch_unknown_unit_is_404(client, world):
    response = client.patch(
        "/api/v1/units/nope", json={"hotline": "110"}, headers=token(client, "admin1")
    )

    assert response.status_code == 404


def test_openapi_documents_examples(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    assert schemas["UnitOut"]["examples"][0]["name"] == "五丰社区"
    assert schemas["UnitPatch"]["examples"]
    assert schemas["TeamCreate"]["examples"]
