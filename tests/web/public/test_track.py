"""GET/POST /track, POST /track/supplement, POST /track/rate — following a ticket by receipt."""

import pytest
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.ticket import service
from app.ticket.models import EntryKind, TicketEntry, TicketStatus
from app.web import ratelimit
from tests.html import one, parse, text, texts
from tests.ticket.factories import answered, image_bytes, principal, submit


@pytest.fixture(autouse=True)
def fresh_limits():  # type: ignore[no-untyped-def]
    for limiter in ratelimit.LIMITERS:
        limiter.reset()
    yield
    for limiter in ratelimit.LIMITERS:
        limiter.reset()


def actions(session, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all())


def test_track_form_full_page(client):
    response = client.get("/track")

    assert response.status_code == 200
    page = parse(response)
    form = one(page, "#track-form form")
    assert form["method"] == "post"
    assert form["action"].endswith("/track")
    assert one(form, "#field-code")["autocomplete"] == "off"
    assert one(form, "input[name=csrf_token]")


def test_track_form_fragment_for_htmx(client):
    response = client.get("/track", headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert parse(response).find(True)["id"] == "track-form"


def test_tracking_shows_the_citizen_view_and_is_never_cached(client, csrf, session, world):
    receipt = submit(session, world)

    response = client.post(
        "/track", data={"csrf_token": csrf, "number": receipt.number, "code": receipt.code}
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response)
    assert text(one(page, "#track-number")) == receipt.number
    assert text(one(page, "#track-status")) == "待受理"
    assert "前受理" in text(one(page, "#track-due"))
    assert text(one(page, "#track-unit")) == "甲村"
    assert text(one(page, "#track-kind")) == "投诉 · 办事拖延"
    kinds = texts(page, "#track-timeline .track-entry-kind")
    assert kinds == ["提交"]  # the routing entry is internal
    assert receipt.code not in text(one(page, "title"))
    # The code travels on in hidden fields of the POST forms, never in a link.
    hidden = page.select("#supplement input[type=hidden][name=code]")
    assert [field["value"] for field in hidden] == [receipt.code]
    assert not [a for a in page.select("a[href]") if receipt.code in a["href"]]
    assert page.select("#rate") == []  # nothing to rate before an answer


def test_a_formatted_code_is_accepted(client, csrf, session, world):
    receipt = submit(session, world)

    response = client.post(
        "/track",
        data={"csrf_token": csrf, "number": receipt.number.lower(), "code": receipt.formatted_code},
    )

    assert response.status_code == 200


def test_wrong_code_and_unknown_number_get_the_same_generic_answer(client, csrf, session, world):
    receipt = submit(session, world)
    wrong_code = "0" * 16 if receipt.code != "0" * 16 else "1" * 16

    wrong = client.post(
        "/track", data={"csrf_token": csrf, "number": receipt.number, "code": wrong_code}
    )
    unknown = client.post(
        "/track", data={"csrf_token": csrf, "number": "TS-20990101-9999", "code": receipt.code}
    )

    assert wrong.status_code == unknown.status_code == 422
    assert wrong.headers["Cache-Control"] == "no-store"
    wrong_page, unknown_page = parse(wrong), parse(unknown)
    assert text(one(wrong_page, "#track-error")) == text(one(unknown_page, "#track-error"))
    assert text(one(wrong_page, "#track-error")) == "受理编号或查询码不正确，请核对后重试。"
    assert one(wrong_page, "#field-number")["value"] == receipt.number
    assert one(wrong_page, "#field-code")["value"] == ""  # the secret is not echoed


def test_tracking_is_rate_limited_per_client(client, csrf, session, world, monkeypatch):
    monkeypatch.setattr(ratelimit.TRACKING, "limit", lambda: (2, 3600))
    receipt = submit(session, world)
    data = {"csrf_token": csrf, "number": receipt.number, "code": "1234"}

    statuses = [client.post("/track", data=data).status_code for _ in range(3)]
    right = client.post("/track", data=data | {"code": receipt.code})

    assert statuses == [422, 422, 429]
    assert right.status_code == 429  # even the right code waits: guessing must not pay
    assert "查询过于频繁" in text(one(parse(right), ".error-message"))


def test_script_in_a_supplement_is_shown_as_text(client, csrf, session, world):
    receipt = submit(session, world)
    payload = "<script>alert('x')</script>补充：当天还有两位村民在场"

    response = client.post(
        "/track/supplement",
        data={"csrf_token": csrf, "number": receipt.number, "code": receipt.code, "text": payload},
    )

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "#track-notice")) == "补充材料已提交，监督单位会一并办理。"
    assert payload in texts(page, "#track-timeline .track-entry-body")
    assert all(script.has_attr("src") for script in page.select("script"))
    assert "<script>alert" not in response.text


def test_supplement_with_a_file_resumes_a_waiting_ticket(client, csrf, session, world):
    receipt = submit(session, world)
    member = principal(session, world.member)
    service.accept(session, ticket=receipt.ticket, principal=member)
    service.request_info(
        session, ticket=receipt.ticket, principal=member, question="请提供办理证明的具体日期。"
    )

    before = parse(
        client.post(
            "/track", data={"csrf_token": csrf, "number": receipt.number, "code": receipt.code}
        )
    )
    assert text(one(before, "#track-status")) == "待您补充材料"
    assert "请提供办理证明的具体日期。" in text(one(before, "#track-info-request"))

    response = client.post(
        "/track/supplement",
        data={
            "csrf_token": csrf,
            "number": receipt.number,
            "code": receipt.code,
            "text": "11月20日上午去的村委会。",
        },
        files=[("attachments", ("收据.png", image_bytes("PNG"), "image/png"))],
    )

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "#track-notice")) == "补充材料已提交，该件已恢复办理。"
    assert text(one(page, "#track-status")) == "办理中"
    assert text(one(page, "#track-attachments")) == "1 个"
    assert len(actions(session, "ticket.supplemented")) == 1


def test_supplement_errors_keep_the_page_and_the_receipt(client, csrf, session, world):
    receipt = submit(session, world)

    response = client.post(
        "/track/supplement",
        data={"csrf_token": csrf, "number": receipt.number, "code": receipt.code, "text": ""},
    )

    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#supplement .field-error")) == "请填写补充内容或上传附件"
    assert one(page, "#supplement input[name=code]")["value"] == receipt.code
    assert actions(session, "ticket.supplemented") == []


def test_supplement_with_a_wrong_code_changes_nothing(client, csrf, session, world):
    receipt = submit(session, world)

    response = client.post(
        "/track/supplement",
        data={
            "csrf_token": csrf,
            "number": receipt.number,
            "code": "1" * 15,
            "text": "补充内容补充",
        },
    )

    assert response.status_code == 422
    assert text(one(parse(response), "#track-error")) == "受理编号或查询码不正确，请核对后重试。"
    assert actions(session, "ticket.supplemented") == []


def test_supplement_without_csrf_token_changes_nothing(client, session, world):
    receipt = submit(session, world)

    response = client.post(
        "/track/supplement",
        data={"number": receipt.number, "code": receipt.code, "text": "补充内容补充"},
    )

    assert response.status_code == 403
    entries = session.exec(
        select(TicketEntry).where(col(TicketEntry.kind) == EntryKind.SUPPLEMENT)
    ).all()
    assert entries == []


def rate(client, csrf, receipt, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf, "number": receipt.number, "code": receipt.code}
    return client.post("/track/rate", data=data | fields)


def test_an_answered_ticket_shows_the_reply_and_the_rating_form(client, csrf, session, world):
    receipt = answered(session, world)

    page = parse(
        client.post(
            "/track", data={"csrf_token": csrf, "number": receipt.number, "code": receipt.code}
        )
    )

    assert text(one(page, "#track-status")) == "已答复"
    assert "村委会已为您办理证明" in text(one(page, "#track-reply .public-reply"))
    assert "前评价" in text(one(page, "#track-due"))
    assert texts(page, "#field-rating label") == ["满意", "基本满意", "不满意"]
    assert texts(page, "#field-resolved label") == ["已解决", "未解决"]
    assert one(page, "#rate input[name=code]")["value"] == receipt.code


def test_a_satisfied_rating_closes_the_ticket(client, csrf, session, world):
    receipt = answered(session, world)

    response = rate(client, csrf, receipt, rating="satisfied", resolved="yes", comment="办得好")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response)
    assert text(one(page, "#track-notice")) == "感谢您的评价，该件已办结。"
    assert text(one(page, "#track-status")) == "已办结"
    assert text(one(page, "#track-rating")) == "您的评价： 满意 ，问题已解决"
    assert page.select("#rate") == []
    assert page.select("#supplement") == []
    [event] = actions(session, "ticket.rated")
    assert event.data["rating"] == "satisfied"


def test_an_unsatisfied_rating_reopens_the_ticket_once(client, csrf, session, world):
    receipt = answered(session, world)

    response = rate(client, csrf, receipt, rating="unsatisfied", resolved="no")

    assert response.status_code == 200
    page = parse(response)
    assert "已重新办理（重办）" in text(one(page, "#track-notice"))
    assert text(one(page, "#track-status")) == "办理中"
    assert text(one(page, "#track-reopened")) == "重办"
    assert "您对答复不满意，该件已重新办理" in texts(page, "#track-timeline .track-entry-body")
    assert receipt.ticket.status == TicketStatus.IN_PROGRESS
    assert len(actions(session, "ticket.reopened")) == 1


def test_a_rating_needs_both_answers(client, csrf, session, world):
    receipt = answered(session, world)

    response = rate(client, csrf, receipt, rating="basically", comment="一般")

    assert response.status_code == 422
    page = parse(response)
    assert "请选择问题是否已经解决" in texts(page, "#field-resolved .field-error")
    assert one(page, "#rating-basically").has_attr("checked")
    assert one(page, "#field-comment").get_text() == "一般"
    assert actions(session, "ticket.rated") == []


def test_a_second_rating_is_refused_politely(client, csrf, session, world):
    receipt = answered(session, world)
    rate(client, csrf, receipt, rating="satisfied", resolved="yes")

    again = rate(client, csrf, receipt, rating="unsatisfied", resolved="no")

    assert again.status_code == 409
    assert "不能评价" in text(one(parse(again), "#track-notice"))
    assert len(actions(session, "ticket.rated")) == 1


def test_a_rejected_ticket_explains_itself(client, csrf, session, world):
    receipt = submit(session, world)
    service.reject(
        session,
        ticket=receipt.ticket,
        principal=principal(session, world.member),
        reason="该事项属于法院审理范围，请向法院反映。",
    )

    page = parse(
        client.post(
            "/track", data={"csrf_token": csrf, "number": receipt.number, "code": receipt.code}
        )
    )

    assert text(one(page, "#track-status")) == "不予受理"
    assert "不予受理" in text(one(page, "#track-due"))
    assert "该事项属于法院审理范围，请向法院反映。" in texts(
        page, "#track-timeline .track-entry-body"
    )
    assert page.select("#supplement") == []
