"""GET /complaints/new, POST /complaints — the public form, its receipt, and every refusal."""

import re
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from app.audit.models import AuditEvent
from app.ticket import receipts
from app.ticket.models import Ticket, TicketAttachment, TicketChannel
from app.web import ratelimit
from tests.html import one, parse, text, texts
from tests.ticket.factories import (
    COMPLAINT_TEXT,
    SECRET_ID,
    SECRET_MOBILE,
    SECRET_NAME,
    image_bytes,
    published_item,
)

CODE_PATTERN = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")


@pytest.fixture(autouse=True)
def fresh_limits():  # type: ignore[no-untyped-def]
    """The limiters live in process memory; every test starts with clean counts."""
    for limiter in ratelimit.LIMITERS:
        limiter.reset()
    yield
    for limiter in ratelimit.LIMITERS:
        limiter.reset()


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def form_data(world: Any, csrf: str, **fields: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf,
        "unit_code": world.village.code,
        "kind": "complaint",
        "category_code": "delay",
        "content": COMPLAINT_TEXT,
        "identity": "anonymous",
    }
    data.update(fields)
    return data


def tickets(session) -> list[Ticket]:  # type: ignore[no-untyped-def]
    return list(session.exec(select(Ticket)).all())


def every_stored_value(session) -> list[str]:  # type: ignore[no-untyped-def]
    """Every value of every row of every table, as text (to prove what is NOT stored)."""
    values = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(sa_select(table)).all():
            values.extend(str(value) for value in row)
    return values


# --- The form ---------------------------------------------------------------------------------


def test_form_prefilled_from_unit_and_item(client, session, world):
    item = published_item(session, world)

    response = client.get(f"/complaints/new?unit={world.village.code}&item={item.key}")

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert text(one(page, "title")).startswith("我要投诉举报")
    assert text(one(page, "#chosen-unit")) == "甲村 （甲镇）"
    assert text(one(page, "#chosen-team")) == "由 甲镇纪委 受理"
    form = one(page, "form#complaint")
    assert form["method"] == "post"
    assert path_of(form["action"]) == "/complaints"
    assert form["enctype"] == "multipart/form-data"
    assert one(form, "input[name=unit_code]")["value"] == world.village.code
    assert one(form, "input[name=item_key]")["value"] == item.key
    assert text(one(page, "#chosen-item")) == f"{item.number} {item.name}"
    assert one(form, "input[name=csrf_token]")["type"] == "hidden"
    # Three kinds, each explained; every category grouped by kind without JavaScript.
    assert texts(page, "#field-kind label") == ["检举控告", "投诉", "意见建议"]
    assert len(page.select("#field-kind .hint")) == 3
    groups = [group["label"] for group in page.select("#field-category_code optgroup")]
    assert groups == ["检举控告", "投诉", "意见建议"]
    assert "办事拖延" in texts(page, "#field-category_code optgroup[label=投诉] option")
    files = one(form, "input[type=file][name=attachments]")
    assert files.has_attr("multiple")
    assert files["accept"] == "image/jpeg,image/png,image/webp,application/pdf"
    assert one(form, "#field-content")["maxlength"] == "2000"
    assert one(form, "#identity-anonymous").has_attr("checked")
    # Honeypot: hidden by a CSS class, never by style="" (the CSP forbids inline styles).
    honeypot = one(form, ".hp-field input[name=website]")
    assert honeypot["tabindex"] == "-1"
    assert not any(tag.has_attr("style") for tag in page.find_all(True))
    who = texts(page, "#who-sees-what li")
    assert any("监督单位" in line and "全部内容" in line for line in who)
    assert any("被反映的单位" in line and "看不到您的姓名" in line for line in who)
    assert any("不记录您的 IP 地址" in line for line in who)


def test_item_link_alone_names_its_unit(client, session, world):
    item = published_item(session, world)

    page = parse(client.get(f"/complaints/new?item={item.key}"))

    assert text(one(page, "#chosen-unit")) == "甲村 （甲镇）"
    assert one(page, "input[name=item_key]")["value"] == item.key


def test_item_of_another_unit_is_dropped_with_a_notice(client, session, world):
    item = published_item(session, world)

    page = parse(client.get(f"/complaints/new?unit={world.other_village.code}&item={item.key}"))

    assert text(one(page, "#chosen-unit")) == "乙社区 （乙街道）"
    assert page.select("input[name=item_key]") == []
    assert "不在此单位当前公布的清单中" in text(one(page, ".subject-notice"))


def test_unknown_unit_shows_the_picker_with_a_notice(client, world):
    page = parse(client.get("/complaints/new?unit=999999999999"))

    assert page.select("#chosen-unit") == []
    assert one(page, "#unit-q")
    assert "未找到链接中的单位" in text(one(page, ".subject-notice"))


def test_form_fragment_for_htmx(client, world):
    response = client.get(
        f"/complaints/new?unit={world.village.code}", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    page = parse(response)
    assert page.select("#who-sees-what") == []
    assert one(page, "section#complaint-form")
    assert text(one(page, "#chosen-unit")) == "甲村 （甲镇）"


def test_unit_picker_without_javascript_lists_candidates_as_radios(client, world):
    page = parse(client.get("/complaints/new?q=甲"))

    search = one(page, "form#unit-search")
    assert search["method"] == "get"
    assert path_of(search["action"]) == "/complaints/new"
    assert one(page, "#unit-q")["form"] == "unit-search"
    radios = page.select("#unit-candidates input[type=radio][name=unit_code]")
    assert {radio["value"] for radio in radios} == {world.township.code, world.village.code}
    # The radios sit inside the POST form (the search input only joins the GET form).
    assert all(radio.find_parent("form")["id"] == "complaint" for radio in radios)
    assert "甲村 （甲镇）" in texts(page, "#unit-candidates label")


def test_unit_picker_live_search_returns_only_the_candidates(client, world):
    response = client.get("/complaints/units?q=乙社区", headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = parse(response)
    root = page.find(True)
    assert root.name == "div"
    assert root["id"] == "unit-candidates"
    assert texts(page, "label") == ["乙社区 （乙街道）"]


def test_unit_picker_says_when_nothing_matches(client, world):
    response = client.get("/complaints/units?q=不存在的地方", headers={"HX-Request": "true"})

    assert "没有找到" in text(one(parse(response), ".no-candidates"))


def test_unit_picker_without_htmx_renders_the_whole_form(client, world):
    response = client.get("/complaints/units?q=乙社区")

    page = parse(response)
    assert one(page, "h1").get_text() == "我要投诉举报"
    assert texts(page, "#unit-candidates label") == ["乙社区 （乙街道）"]


def test_category_select_follows_the_kind(client, world):
    response = client.get(
        "/complaints/categories?kind=report&category_code=graft", headers={"HX-Request": "true"}
    )

    page = parse(response)
    root = page.find(True)
    assert root["id"] == "category-field"
    assert page.select("optgroup") == []
    assert texts(page, "option") == ["请选择", "吃拿卡要", "优亲厚友", "截留挪用"]
    assert one(page, "option[selected]")["value"] == "graft"


# --- A successful submission ------------------------------------------------------------------


def test_submission_shows_the_receipt_once_and_stores_only_a_hash(client, csrf, session, world):
    response = client.post("/complaints", data=form_data(world, csrf))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.url.path == "/complaints"  # no redirect: the code is in no URL
    page = parse(response)
    number = text(one(page, "#receipt-number"))
    shown = text(one(page, "#receipt-code"))
    assert receipts.NUMBER_PATTERN.match(number)
    assert CODE_PATTERN.match(shown)
    code = shown.replace(" ", "")
    assert code not in text(one(page, "title"))
    assert shown not in text(one(page, "title"))
    assert "仅显示这一次" in text(one(page, "#receipt-warning h2"))
    assert "甲镇纪委" in text(one(page, "#receipt-summary"))
    assert one(page, "#receipt-ack-due")
    assert one(page, "#print-receipt").has_attr("hidden")  # revealed by static JS only

    [ticket] = tickets(session)
    assert ticket.number == number
    assert ticket.channel == TicketChannel.WEB
    assert ticket.is_anonymous
    assert ticket.receipt_code_hash == receipts.hash_code(number, code)
    stored = every_stored_value(session)
    assert not [value for value in stored if code in value]
    # Nor the client's address (the test client calls itself "testclient").
    assert not [value for value in stored if "testclient" in value]
    [event] = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "ticket.submitted")
    ).all()
    assert event.object_id == number


def test_a_photo_is_stored_with_the_ticket(client, csrf, session, world):
    photo = image_bytes("JPEG")

    response = client.post(
        "/complaints",
        data=form_data(world, csrf),
        files=[("attachments", ("现场.jpg", photo, "image/jpeg"))],
    )

    assert response.status_code == 200
    [attachment] = session.exec(select(TicketAttachment)).all()
    assert attachment.content_type == "image/jpeg"
    assert attachment.original_name == "现场.jpg"


def browser_multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A body as browsers send a form whose file input was left empty: a part with
    filename="" and no content (httpx leaves the filename out, which browsers never do)."""
    boundary = "----xiaoweiTestBoundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_empty_file_field_is_no_attachment(client, csrf, session, world):
    body, content_type = browser_multipart(form_data(world, csrf))

    response = client.post("/complaints", content=body, headers={"Content-Type": content_type})

    assert response.status_code == 200
    assert session.exec(select(TicketAttachment)).all() == []


def test_real_name_identity_is_never_stored_in_clear(client, csrf, session, world):
    data = form_data(
        world, csrf, identity="real", name=SECRET_NAME, mobile=SECRET_MOBILE, id_number=SECRET_ID
    )

    response = client.post("/complaints", data=data)

    assert response.status_code == 200
    [ticket] = tickets(session)
    assert not ticket.is_anonymous
    stored = every_stored_value(session)
    for secret in (SECRET_NAME, SECRET_MOBILE, SECRET_ID):
        assert not [value for value in stored if secret in value]


# --- Refusals ---------------------------------------------------------------------------------


def test_errors_rerender_the_form_with_the_input_kept(client, csrf, session, world):
    data = form_data(world, csrf, category_code="", content="太慢了")

    response = client.post("/complaints", data=data)

    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response)
    summary = texts(page, ".error-summary li")
    assert "请选择问题类别" in summary
    assert any("至少写 10 个字" in line for line in summary)
    assert text(one(page, "#error-category_code")) == "请选择问题类别"
    assert one(page, "textarea#field-content").get_text() == "太慢了"
    assert text(one(page, "#chosen-unit")) == "甲村 （甲镇）"
    assert one(page, "#kind-complaint").has_attr("checked")
    assert tickets(session) == []


def test_errors_for_htmx_rerender_only_the_form_block(client, csrf, session, world):
    response = client.post(
        "/complaints",
        data=form_data(world, csrf, content="太慢了"),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "<html" not in response.text
    page = parse(response)
    assert page.find(True)["id"] == "complaint-form"
    assert one(page, "textarea#field-content").get_text() == "太慢了"


def test_bad_mobile_and_id_number_are_explained(client, csrf, session, world):
    data = form_data(
        world, csrf, identity="real", name="李四", mobile="12345", id_number="110105194912310021"
    )

    page = parse(client.post("/complaints", data=data))

    assert text(one(page, "#error-mobile")) == "请填写 11 位手机号码"
    assert text(one(page, "#error-id_number")) == "身份证号校验位不正确，请核对"
    assert one(page, "#field-name")["value"] == "李四"
    assert one(page, "#identity-real").has_attr("checked")
    assert "show" in one(page, "#real-name-fields")["class"]
    assert tickets(session) == []


def test_a_text_file_named_jpg_is_refused(client, csrf, session, world):
    response = client.post(
        "/complaints",
        data=form_data(world, csrf),
        files=[("attachments", ("photo.jpg", b"just some text, not a picture", "image/jpeg"))],
    )

    assert response.status_code == 422
    page = parse(response)
    assert "不是 JPG、PNG、WEBP 图片或 PDF 文件" in text(one(page, "#error-attachments"))
    assert "重新选择附件" in text(one(page, "#files-dropped"))
    assert one(page, "textarea#field-content").get_text() == COMPLAINT_TEXT
    assert tickets(session) == []


def test_a_category_of_another_kind_is_refused(client, csrf, session, world):
    page = parse(client.post("/complaints", data=form_data(world, csrf, kind="report")))

    assert "不属于“检举控告”" in text(one(page, "#error-category_code"))
    assert tickets(session) == []


def test_anonymous_text_with_a_phone_number_warns_then_confirmation_submits(
    client, csrf, session, world
):
    content = "我是住在三组的老王，电话 13812345678，村里办证明一直拖着不给办。"

    warned = client.post("/complaints", data=form_data(world, csrf, content=content))

    assert warned.status_code == 422
    page = parse(warned)
    warning = one(page, "#exposure-warning")
    assert text(one(warning, "h2")) == "这可能暴露您的身份"
    checkbox = one(warning, "input[type=checkbox][name=confirm_exposure]")
    assert checkbox["form"] == "complaint"
    assert text(one(warning, "label")) == "我已知晓，仍然提交"
    assert page.select(".error-summary") == []  # a warning, not an error
    assert one(page, "textarea#field-content").get_text() == content
    assert tickets(session) == []

    confirmed = client.post(
        "/complaints", data=form_data(world, csrf, content=content, confirm_exposure="1")
    )

    assert confirmed.status_code == 200
    assert one(parse(confirmed), "#receipt-number")
    assert len(tickets(session)) == 1


def test_honeypot_gets_a_decoy_receipt_and_nothing_is_stored(client, csrf, session, world):
    response = client.post(
        "/complaints", data=form_data(world, csrf, website="http://spam.example")
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response)
    assert receipts.NUMBER_PATTERN.match(text(one(page, "#receipt-number")))
    assert CODE_PATTERN.match(text(one(page, "#receipt-code")))
    assert tickets(session) == []
    assert session.exec(select(AuditEvent)).all() == []


def test_rate_limit_answers_429_after_the_allowed_attempts(
    client, csrf, session, world, monkeypatch
):
    monkeypatch.setattr(ratelimit.COMPLAINTS, "limit", lambda: (2, 3600))

    first = client.post("/complaints", data=form_data(world, csrf))
    second = client.post("/complaints", data=form_data(world, csrf, content="太短"))  # counts
    third = client.post("/complaints", data=form_data(world, csrf))

    assert (first.status_code, second.status_code, third.status_code) == (200, 422, 429)
    assert int(third.headers["Retry-After"]) > 0
    page = parse(third)
    assert text(one(page, "h1")) == "操作过于频繁"
    assert "提交过于频繁" in text(one(page, ".error-message"))
    assert len(tickets(session)) == 1


def test_a_post_without_csrf_token_creates_nothing(client, session, world):
    data = form_data(world, "")
    del data["csrf_token"]

    response = client.post("/complaints", data=data)

    assert response.status_code == 403
    assert tickets(session) == []


def test_an_oversized_body_is_refused_before_it_is_read(client, csrf, session, world, monkeypatch):
    monkeypatch.setattr(ratelimit, "upload_limit", lambda: 50_000)

    response = client.post(
        "/complaints",
        data=form_data(world, csrf),
        files=[("attachments", ("big.jpg", b"\xff\xd8\xff" + bytes(60_000), "image/jpeg"))],
    )

    assert response.status_code == 413
    assert "提交的内容过大" in text(one(parse(response), ".error-message"))
    assert tickets(session) == []


def test_an_oversized_chunked_body_is_cut_off_while_it_arrives(
    client, csrf, session, world, monkeypatch
):
    monkeypatch.setattr(ratelimit, "upload_limit", lambda: 50_000)
    body, content_type = browser_multipart(form_data(world, csrf, filler="x" * 60_000))

    def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = client.post("/complaints", content=chunks(), headers={"Content-Type": content_type})

    assert response.status_code == 413
    assert tickets(session) == []


def test_the_rate_limit_is_checked_before_the_body_is_read(
    client, csrf, session, world, monkeypatch
):
    monkeypatch.setattr(ratelimit.COMPLAINTS, "limit", lambda: (1, 3600))
    monkeypatch.setattr(ratelimit, "upload_limit", lambda: 50_000)
    client.post("/complaints", data=form_data(world, csrf, content="太短"))

    response = client.post(
        "/complaints",
        data=form_data(world, csrf),
        files=[("attachments", ("big.jpg", b"\xff\xd8\xff" + bytes(60_000), "image/jpeg"))],
    )

    assert response.status_code == 429  # not 413: the oversized body was never looked at


def test_pages_answering_a_post_hide_the_text_size_toggle(client, csrf, session, world):
    """It would navigate away (a GET of /complaints); on the receipt the code would be lost."""
    form = parse(client.get("/complaints/new"))
    receipt = parse(client.post("/complaints", data=form_data(world, csrf)))

    assert "posted-page" not in form.body["class"]
    assert "posted-page" in receipt.body["class"]
