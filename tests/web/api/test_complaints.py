"""/api/v1/complaints — filing by JSON or multipart, tracking by number and code, limits."""

import json

import pytest
from sqlmodel import select

from app.ticket import receipts
from app.ticket.models import Ticket, TicketAttachment, TicketChannel
from app.web import ratelimit
from tests.ticket.factories import COMPLAINT_TEXT, answered, image_bytes, submit


@pytest.fixture(autouse=True)
def fresh_limits():  # type: ignore[no-untyped-def]
    for limiter in ratelimit.LIMITERS:
        limiter.reset()
    yield
    for limiter in ratelimit.LIMITERS:
        limiter.reset()


def body(world, **fields):  # type: ignore[no-untyped-def]
    data = {
        "unit_code": world.village.code,
        "category_code": "delay",
        "content": COMPLAINT_TEXT,
        "is_anonymous": True,
    }
    return data | fields


def test_json_submission_returns_number_and_code_once(client, session, world):
    response = client.post("/api/v1/complaints", json=body(world))

    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == {"number", "code"}
    [ticket] = session.exec(select(Ticket)).all()
    assert ticket.number == data["number"]
    assert ticket.channel == TicketChannel.API
    assert ticket.receipt_code_hash == receipts.hash_code(data["number"], data["code"])


def test_multipart_submission_carries_files(client, session, world):
    fields = {
        key: json.dumps(value) if isinstance(value, bool) else value
        for key, value in body(world).items()
    }

    response = client.post(
        "/api/v1/complaints",
        data=fields,
        files=[("attachments", ("照片.png", image_bytes("PNG"), "image/png"))],
    )

    assert response.status_code == 201, response.text
    [attachment] = session.exec(select(TicketAttachment)).all()
    assert attachment.content_type == "image/png"


def test_validation_errors_are_listed_per_field_in_chinese(client, session, world):
    response = client.post(
        "/api/v1/complaints",
        json=body(world, category_code="", content="太慢", is_anonymous=False, mobile="123"),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["category_code"] == "请选择问题类别"
    assert errors["mobile"] == "请填写 11 位手机号码"
    assert "至少写 10 个字" in errors["content"]
    assert session.exec(select(Ticket)).all() == []


def test_a_body_that_is_not_a_submission_is_refused(client, world):
    assert (
        client.post(
            "/api/v1/complaints", content=b"[1, 2]", headers={"Content-Type": "application/json"}
        ).status_code
        == 422
    )
    refused = client.post("/api/v1/complaints", json=body(world, is_anonymous="perhaps"))
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"is_anonymous": "格式不正确"}


def test_exposure_warning_then_confirmation(client, session, world):
    content = "我的电话是13812345678，村里办证明一直拖着不给办，请督促。"

    warned = client.post("/api/v1/complaints", json=body(world, content=content))
    confirmed = client.post(
        "/api/v1/complaints", json=body(world, content=content, confirm_exposure=True)
    )

    assert warned.status_code == 422
    assert "这可能暴露您的身份" in warned.json()["errors"]["confirm_exposure"]
    assert confirmed.status_code == 201


def test_submissions_share_the_rate_limit_with_the_form(client, world, monkeypatch):
    monkeypatch.setattr(ratelimit.COMPLAINTS, "limit", lambda: (1, 3600))

    first = client.post("/api/v1/complaints", json=body(world))
    second = client.post("/api/v1/complaints", json=body(world))

    assert first.status_code == 201
    assert second.status_code == 429
    assert "Retry-After" in second.headers
    assert "提交过于频繁" in second.json()["detail"]


def test_track_returns_the_citizen_view(client, session, world):
    receipt = answered(session, world)

    response = client.post(
        "/api/v1/complaints/track", json={"number": receipt.number, "code": receipt.formatted_code}
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.json()
    assert data["number"] == receipt.number
    assert data["status"] == "answered"
    assert data["status_label"] == "已答复"
    assert data["can_rate"] is True
    assert "前评价" in data["due_note"]
    assert "村委会已为您办理证明" in data["public_reply"]
    assert "content" not in data  # the citizen view never repeats the original text
    assert [item["kind"] for item in data["timeline"]][0] == "submitted"


def test_track_gives_one_answer_for_every_mistake(client, session, world):
    receipt = submit(session, world)

    wrong_code = client.post(
        "/api/v1/complaints/track", json={"number": receipt.number, "code": "12" * 8}
    )
    unknown = client.post(
        "/api/v1/complaints/track", json={"number": "TS-20990101-0001", "code": receipt.code}
    )

    assert wrong_code.status_code == unknown.status_code == 422
    assert wrong_code.json() == unknown.json()


def test_track_is_rate_limited(client, session, world, monkeypatch):
    monkeypatch.setattr(ratelimit.TRACKING, "limit", lambda: (1, 3600))
    receipt = submit(session, world)
    payload = {"number": receipt.number, "code": receipt.code}

    assert client.post("/api/v1/complaints/track", json=payload).status_code == 200
    assert client.post("/api/v1/complaints/track", json=payload).status_code == 429


def test_openapi_documents_both_bodies_and_examples(client):
    spec = client.get("/openapi.json").json()
    create = spec["paths"]["/api/v1/complaints"]["post"]
    content = create["requestBody"]["content"]

    assert set(content) == {"application/json", "multipart/form-data"}
    assert {"anonymous", "real_name"} <= set(content["application/json"]["examples"])
    files = content["multipart/form-data"]["schema"]["properties"]["attachments"]
    assert files["items"]["format"] == "binary"
    assert {"201", "413", "422", "429"} <= set(create["responses"])
    track = spec["paths"]["/api/v1/complaints/track"]["post"]
    assert "receipt" in str(track["requestBody"])
