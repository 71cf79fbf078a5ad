"""/api/v1/inspections and /api/v1/talks — list, get and create, scoped like the pages: talks
only for the talk's own team (admins get 404), findings all or nothing."""

from datetime import date

import pytest
from sqlmodel import select

from app.core import clock
from app.supervision import inspections
from app.supervision.models import Inspection, Rectification, TalkKind
from tests.supervision.factories import MONDAY, principal
from tests.web.ticket_helpers import bearer


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(MONDAY):
        yield


def body(world, **fields):
    data = {
        "held_on": "2026-11-02",
        "subject": "专项检查",
        "unit_codes": [world.village.code, world.township.code],
        "findings": [
            {"unit_code": world.village.code, "problem": "公示不及时", "deadline": "2026-11-30"},
            {"unit_code": world.township.code, "problem": "台账不全", "deadline": "2026-12-15"},
        ],
    }
    data.update(fields)
    return data


def test_create_list_and_get_an_inspection(session, client, world):
    headers = bearer(world.member)
    response = client.post("/api/v1/inspections", json=body(world), headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert [u["code"] for u in created["units"]] == [world.township.code, world.village.code]
    assert len(created["entry_ids"]) == 2

    listed = client.get("/api/v1/inspections", headers=headers).json()
    assert [i["id"] for i in listed["items"]] == [created["id"]]
    url = f"/api/v1/inspections/{created['id']}"
    assert client.get(url, headers=bearer(world.admin)).status_code == 200
    assert client.get(url, headers=bearer(world.outsider_member)).status_code == 404
    assert client.get(url, headers=bearer(world.editor)).status_code == 403


def test_a_bad_finding_saves_nothing(session, client, world):
    data = body(world)
    data["findings"][1]["unit_code"] = world.other_village.code
    response = client.post("/api/v1/inspections", json=data, headers=bearer(world.member))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "findings-2-unit": "第 2 条问题：责任单位须是被检查单位之一"
    }
    data = body(world)
    data["findings"][1]["problem"] = ""
    response = client.post("/api/v1/inspections", json=data, headers=bearer(world.member))
    assert response.status_code == 422
    assert "findings-2-problem" in response.json()["errors"]
    assert session.exec(select(Inspection)).all() == []
    assert session.exec(select(Rectification)).all() == []
    admin = client.post("/api/v1/inspections", json=body(world), headers=bearer(world.admin))
    assert admin.status_code == 403


def test_talks_are_for_their_team_only(session, client, world):
    inspections.record_talk(
        session,
        principal=principal(session, world.outsider_member),
        team_id=world.other_team.id,
        kind=TalkKind.HEART,
        held_on=date(2026, 10, 1),
        interviewees="别的人",
    )
    headers = bearer(world.member)
    response = client.post(
        "/api/v1/talks",
        json={"kind": "integrity", "held_on": "2026-11-02", "interviewees": "张三\n李四"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    talk = response.json()
    assert (talk["kind_label"], talk["person_count"]) == ("廉政谈话", 2)

    listed = client.get("/api/v1/talks", headers=headers).json()
    assert (listed["total"], listed["persons"]) == (1, 2)
    assert client.get("/api/v1/talks?kind=heart", headers=headers).json()["total"] == 0
    url = f"/api/v1/talks/{talk['id']}"
    assert client.get(url, headers=bearer(world.lead)).status_code == 200
    assert client.get(url, headers=bearer(world.admin)).status_code == 404
    assert client.get("/api/v1/talks", headers=bearer(world.admin)).json()["total"] == 0
    assert client.get(url, headers=bearer(world.editor)).status_code == 403

    invalid = client.post(
        "/api/v1/talks",
        json={"kind": "heart", "held_on": "2026-11-02", "interviewees": " ", "person_count": 0},
        headers=headers,
    )
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"interviewees", "person_count"}
