"""POST /staff/tickets/{number}/identity — the reveal of a real-name complainant: only the ticket's
own team, only with a reason, audited, listed for the lead, shown once and never cached."""

from sqlmodel import select

from app.ticket.models import IdentityReveal
from tests.html import one, parse, text, texts
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, fragment_root, page, post_form

REASON = "需要电话核实举报的具体情况"


def reveal_url(number: str) -> str:
    return f"{page(number)}/identity"


def test_the_panel_asks_for_a_reason_before_showing_anything(session, login_as, world):
    receipt = tf.submit(session, world, tf.report(world))

    soup = parse(login_as(world.member).get(page(receipt.number)))

    panel = one(soup, "#ticket-identity")
    form = one(panel, "form")
    assert form["method"] == "post"
    assert form["hx-target"] == "#ticket-identity"
    assert one(form, "textarea[name=reason]").has_attr("required")
    assert tf.SECRET_NAME not in soup.get_text()
    assert tf.SECRET_MOBILE not in soup.get_text()


def test_reveal_with_htmx_shows_the_identity_once_and_is_audited(session, login_as, world, csrf):
    receipt = tf.submit(session, world, tf.report(world))
    client = login_as(world.member)

    response = post_form(client, reveal_url(receipt.number), csrf, {"reason": REASON}, headers=HTMX)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    root = fragment_root(response)
    assert root["id"] == "ticket-identity"
    assert text(one(root, "#identity-name")) == tf.SECRET_NAME
    assert text(one(root, "#identity-mobile")) == tf.SECRET_MOBILE
    assert text(one(root, "#identity-id-number")) == tf.SECRET_ID
    timeline = one(parse(response), "#ticket-timeline")
    assert timeline["hx-swap-oob"] == "true"
    assert REASON in text(timeline)
    events = tf.events(session, "ticket.identity_revealed", receipt.ticket)
    assert [e.data["reason"] for e in events] == [REASON]
    assert events[0].actor_id == world.member.id
    # Nothing keeps it: the next page view shows the form again, not the identity.
    again = parse(client.get(page(receipt.number)))
    assert tf.SECRET_NAME not in again.get_text()
    assert one(again, "#ticket-identity form")


def test_reveal_without_js_renders_the_whole_page_with_the_identity(session, login_as, world, csrf):
    receipt = tf.submit(session, world, tf.report(world))

    response = post_form(
        login_as(world.member), reveal_url(receipt.number), csrf, {"reason": REASON}
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = parse(response)
    assert soup.find("html") is not None
    assert text(one(soup, "#identity-name")) == tf.SECRET_NAME
    assert tf.SECRET_NAME not in text(one(soup, "title"))


def test_reveal_requires_a_reason(session, login_as, world, csrf):
    receipt = tf.submit(session, world, tf.report(world))

    response = post_form(
        login_as(world.member), reveal_url(receipt.number), csrf, {"reason": "看"}, headers=HTMX
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "ticket-identity"
    assert "事由" in text(one(root, ".error-summary"))
    assert one(root, "textarea[name=reason]").get_text() == "看"
    assert tf.SECRET_NAME not in response.text
    assert tf.events(session, "ticket.identity_revealed", receipt.ticket) == []
    assert session.exec(select(IdentityReveal)).all() == []


def test_anonymous_ticket_has_nothing_to_reveal(session, login_as, world, csrf):
    receipt = tf.submit(session, world)

    response = post_form(
        login_as(world.member), reveal_url(receipt.number), csrf, {"reason": REASON}
    )

    assert response.status_code == 422
    assert "匿名" in text(one(parse(response), "#ticket-identity"))


def test_the_lead_sees_the_reveal_log_and_members_do_not(session, login_as, world, csrf):
    receipt = tf.submit(session, world, tf.report(world))
    post_form(login_as(world.member), reveal_url(receipt.number), csrf, {"reason": REASON})

    lead = parse(login_as(world.lead).get(page(receipt.number)))
    member = parse(login_as(world.member).get(page(receipt.number)))

    rows = lead.select("#ticket-identity .reveal-log tbody tr")
    assert len(rows) == 1
    cells = texts(rows[0], "td")
    assert cells[0] == "member1"
    assert cells[2] == REASON
    assert member.select(".reveal-log") == []


def test_admins_other_teams_and_units_cannot_reveal(session, login_as, world, csrf):
    receipt = tf.forwarded(session, world, tf.report(world))
    url = reveal_url(receipt.number)

    assert post_form(login_as(world.admin), url, csrf, {"reason": REASON}).status_code == 404
    outsider = post_form(login_as(world.outsider_member), url, csrf, {"reason": REASON})
    assert outsider.status_code == 404
    assert post_form(login_as(world.editor), url, csrf, {"reason": REASON}).status_code == 403
    assert tf.events(session, "ticket.identity_revealed") == []


def test_reveal_without_csrf_reveals_nothing(session, login_as, world):
    receipt = tf.submit(session, world, tf.report(world))

    response = post_form(
        login_as(world.member), reveal_url(receipt.number), None, {"reason": REASON}
    )

    assert response.status_code == 403
    assert tf.SECRET_NAME not in response.text
    assert tf.events(session, "ticket.identity_revealed") == []
