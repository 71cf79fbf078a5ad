"""GET/POST /staff/tickets/new — hotline, visit and letter tickets entered on a citizen's behalf:
the unit by code or name, validation with the input kept, and the receipt shown once."""

import re

from sqlmodel import col, select

from app.ticket.models import Ticket, TicketChannel
from tests import factories
from tests.html import one, parse, text, texts
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, fragment_root, local, post_form


def form(world, **overrides) -> dict[str, str]:
    data = {
        "channel": "hotline",
        "unit": world.village.code,
        "category_code": "delay",
        "content": tf.COMPLAINT_TEXT,
        "identity": "anonymous",
    }
    data.update(overrides)
    return data


def tickets(session) -> list[Ticket]:
    return list(session.exec(select(Ticket).order_by(col(Ticket.id))).all())


def test_form_full_page(login_as, world):
    response = login_as(world.member).get("/staff/tickets/new")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = parse(response)
    page_form = one(soup, "form#ticket-form")
    assert page_form["method"] == "post"
    assert page_form["enctype"] == "multipart/form-data"
    assert local(page_form["action"]) == "/staff/tickets/new"
    assert one(page_form, "input[name=csrf_token]")
    assert texts(soup, "input[name=channel] + label") == ["来电", "来访", "来信"]
    assert texts(soup, "#field-category_code optgroup") != []
    assert [g["label"] for g in soup.select("#field-category_code optgroup")] == [
        "检举控告",
        "投诉",
        "意见建议",
    ]
    assert one(soup, "#field-unit")["hx-target"] == "#unit-candidates"


def test_unit_candidates_fragment(session, login_as, world):
    factories.make_unit(session, name="甲村二组", parent=world.township)

    response = login_as(world.member).get("/staff/tickets/new?unit=甲村", headers=HTMX)

    root = fragment_root(response)
    assert root["id"] == "unit-candidates"
    labels = texts(root, "label")
    assert labels[0] == f"甲村 村 · {world.village.code}"
    assert labels[1].startswith("甲村二组")
    assert len(root.select("input[name=unit_code][type=radio]")) == 2


def test_entering_a_hotline_call_shows_the_receipt_once(session, login_as, world, csrf):
    client = login_as(world.member)

    response = post_form(
        client,
        "/staff/tickets/new",
        csrf,
        form(world, identity="real", name=tf.SECRET_NAME, mobile=tf.SECRET_MOBILE),
        files=[("attachments", ("来信.png", tf.image_bytes(), "image/png"))],
    )

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    soup = parse(response)
    [ticket] = tickets(session)
    assert ticket.channel == TicketChannel.HOTLINE
    assert ticket.created_by_id == world.member.id
    assert not ticket.is_anonymous
    assert text(one(soup, "#receipt-number")) == ticket.number
    code = text(one(soup, "#receipt-code"))
    assert re.fullmatch(r"[\d ]{16,}", code)
    assert code.replace(" ", "") not in text(one(soup, "title"))
    assert "location" not in response.headers
    events = tf.events(session, "ticket.submitted", ticket)
    assert events[0].data["channel"] == "hotline"
    assert events[0].data["attachments"] == 1
    # The code was shown once; nothing stored lets anyone see it again.
    assert code.replace(" ", "") not in client.get(f"/staff/tickets/{ticket.number}").text


def test_a_name_with_one_match_is_taken(session, login_as, world, csrf):
    response = post_form(
        login_as(world.member), "/staff/tickets/new", csrf, form(world, unit="乙社区")
    )

    assert response.status_code == 200
    [ticket] = tickets(session)
    assert ticket.unit_id == world.other_village.id
    assert ticket.team_id == world.other_team.id


def test_several_matches_ask_to_choose_and_keep_the_input(session, login_as, world, csrf):
    second = factories.make_unit(session, name="甲村二组", parent=world.township)
    client = login_as(world.member)

    first_try = post_form(client, "/staff/tickets/new", csrf, form(world, unit="甲村"))

    assert first_try.status_code == 422
    soup = parse(first_try)
    assert "请从下列单位中选择" in text(one(soup, ".error-summary"))
    assert len(soup.select("#unit-candidates input[type=radio]")) == 2
    assert one(soup, "#field-content").get_text() == tf.COMPLAINT_TEXT
    assert tickets(session) == []

    second_try = post_form(
        client, "/staff/tickets/new", csrf, form(world, unit="甲村", unit_code=second.code)
    )

    assert second_try.status_code == 200
    assert tickets(session)[0].unit_id == second.id


def test_validation_errors_are_listed_in_chinese(session, login_as, world, csrf):
    response = post_form(
        login_as(world.member),
        "/staff/tickets/new",
        csrf,
        form(world, channel="web", unit="不存在的单位", content="短", identity="real", mobile="1"),
    )

    assert response.status_code == 422
    soup = parse(response)
    messages = texts(soup, ".error-summary li")
    assert "请选择来电、来访或来信" in messages
    assert "未找到该单位，请换个名称或代码再试" in messages
    assert any("请至少写" in m for m in messages)
    assert "请填写 11 位手机号码" in messages
    assert one(soup, "#identity-real").has_attr("checked")
    assert tickets(session) == []


def test_anonymous_text_with_a_phone_number_asks_for_confirmation(session, login_as, world, csrf):
    content = tf.COMPLAINT_TEXT + "我的电话是13912345678。"
    client = login_as(world.member)

    warned = post_form(client, "/staff/tickets/new", csrf, form(world, content=content))
    confirmed = post_form(
        client, "/staff/tickets/new", csrf, form(world, content=content, confirm_exposure="1")
    )

    assert warned.status_code == 422
    assert one(parse(warned), "#field-confirm_exposure")
    assert confirmed.status_code == 200
    assert len(tickets(session)) == 1


def test_unit_editors_may_not_enter_tickets(login_as, world, csrf):
    client = login_as(world.editor)

    assert client.get("/staff/tickets/new").status_code == 403
    assert post_form(client, "/staff/tickets/new", csrf, form(world)).status_code == 403


def test_post_without_csrf_creates_nothing(session, login_as, world):
    response = post_form(login_as(world.member), "/staff/tickets/new", None, form(world))

    assert response.status_code == 403
    assert tickets(session) == []
