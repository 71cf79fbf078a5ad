"""POST /staff/tickets/{number}/<action> — each team and unit action: the change and its audit
event without JavaScript (303) and with htmx (blocks swapped, out of band), 422 with the input
kept, 403 for the wrong role, 404 out of scope, and nothing changes without the CSRF token."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.ticket import service
from app.ticket.models import Ticket, TicketStatus, UnitStage
from tests.html import one, parse, text, texts
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, fragment_root, local, page, post_form

SUMMARY = "群众反映村里办理证明拖延，请核实并于期限内回复办理情况。"
UNIT_REPLY = "经核实，已为群众办理证明，并对经办人员进行了批评教育。"


def _submitted(session, world):
    return tf.submit(session, world).ticket, {}


def _accepted(session, world):
    return tf.accepted(session, world).ticket, {}


def _with_target(session, world):
    target = tf.submit(session, world).ticket
    return tf.submit(session, world).ticket, {"into": target.number}


def _forwarded(session, world):
    return tf.forwarded(session, world).ticket, {}


def _forwarded_with_file(session, world):
    receipt = tf.submit(session, world, files=[("photo.png", tf.image_bytes())])
    member = tf.principal(session, world.member)
    service.accept(session, ticket=receipt.ticket, principal=member)
    service.forward(session, ticket=receipt.ticket, principal=member, summary=SUMMARY)
    attachment = service.staff_view(session, ticket=receipt.ticket, principal=member).attachments
    return receipt.ticket, {"attachments": [str(attachment[0].id)]}


def _returned(session, world):
    ticket = tf.forwarded(session, world).ticket
    service.unit_return(
        session,
        ticket=ticket,
        principal=tf.principal(session, world.editor),
        reason="该事项不属于本村职责",
    )
    return ticket, {}


def _waiting(session, world):
    ticket = tf.accepted(session, world).ticket
    service.request_info(
        session,
        ticket=ticket,
        principal=tf.principal(session, world.member),
        question="请补充办理的日期",
    )
    return ticket, {}


def _answered(session, world):
    return tf.answered(session, world).ticket, {}


def _report_accepted(session, world):
    return tf.accepted(session, world, tf.report(world)).ticket, {}


def _report_proposed(session, world):
    ticket = tf.accepted(session, world, tf.report(world)).ticket
    service.set_disposition(
        session, ticket=ticket, principal=tf.principal(session, world.member), disposition="talk"
    )
    return ticket, {}


def _closed_real_name(session, world):
    ticket = tf.answered(session, world, tf.real_name(world)).ticket
    service.close(session, ticket=ticket, principal=tf.principal(session, world.lead))
    return ticket, {}


@dataclass(frozen=True)
class Case:
    action: str  # the path segment and the notice key
    setup: Callable[[Any, Any], tuple[Ticket, dict[str, Any]]]
    actor: str  # World attribute of who may act
    data: dict[str, Any]
    audit: str
    check: Callable[[Ticket], bool]
    forbidden: str  # a role the route refuses (403)
    outsider: str = "admin"  # someone with the permission but outside the ticket's scope (404)
    invalid: dict[str, Any] | None = None  # a submission the service refuses (422)
    kept: dict[str, str] = field(default_factory=dict)  # field id → value kept after a 422


CASES = [
    Case(
        "accept",
        _submitted,
        "member",
        {"note": "已受理"},
        "ticket.accepted",
        lambda t: t.status == TicketStatus.ACCEPTED,
        "editor",
    ),
    Case(
        "start",
        _accepted,
        "member",
        {"note": ""},
        "ticket.started",
        lambda t: t.status == TicketStatus.IN_PROGRESS,
        "editor",
    ),
    Case(
        "reject",
        _submitted,
        "member",
        {"reason": "不属于本机关受理范围，请向县市场监管局反映。"},
        "ticket.rejected",
        lambda t: t.status == TicketStatus.REJECTED,
        "editor",
        invalid={"reason": "x"},
        kept={"reject-reason": "x"},
    ),
    Case(
        "merge",
        _with_target,
        "member",
        {"reason": "重复反映"},
        "ticket.merged",
        lambda t: t.status == TicketStatus.MERGED,
        "editor",
        outsider="outsider_member",
        invalid={"into": "TS-20990101-0001"},
        kept={"merge-into": "TS-20990101-0001"},
    ),
    Case(
        "assign",
        _submitted,
        "lead",
        {"assignee": "MEMBER"},
        "ticket.assigned",
        lambda t: t.assignee_id is not None,
        "member",
        invalid={"assignee": "999999"},
    ),
    Case(
        "forward",
        _accepted,
        "member",
        {"summary": SUMMARY, "release_content": "1"},
        "ticket.forwarded",
        lambda t: t.unit_stage == UnitStage.FORWARDED and t.content_released,
        "editor",
        outsider="outsider_member",
        invalid={"summary": "太短"},
        kept={"forward-summary": "太短"},
    ),
    Case(
        "release",
        _forwarded_with_file,
        "member",
        {},
        "ticket.attachment_released",
        lambda t: True,
        "editor",
        invalid={"attachments": ["abc"]},
    ),
    Case(
        "review-return",
        _returned,
        "member",
        {"decision": "refuse", "comment": "该事项属于村委会职责，请继续办理。"},
        "ticket.return_reviewed",
        lambda t: t.unit_stage == UnitStage.FORWARDED,
        "editor",
        invalid={"decision": "refuse", "comment": ""},
    ),
    Case(
        "request-info",
        _accepted,
        "member",
        {"question": "请补充办理证明的日期和经办人。"},
        "ticket.info_requested",
        lambda t: t.status == TicketStatus.WAITING_INFO,
        "editor",
        invalid={"question": ""},
    ),
    Case(
        "receive-info",
        _waiting,
        "member",
        {"note": "群众已电话补充"},
        "ticket.info_received",
        lambda t: t.status == TicketStatus.IN_PROGRESS,
        "editor",
    ),
    Case(
        "answer",
        _accepted,
        "member",
        {"reply": "经核实，村委会已为您办理证明，并对相关工作人员进行了批评教育。"},
        "ticket.answered",
        lambda t: t.status == TicketStatus.ANSWERED,
        "editor",
        invalid={"reply": "好"},
        kept={"answer-reply": "好"},
    ),
    Case(
        "close",
        _answered,
        "lead",
        {"note": ""},
        "ticket.closed",
        lambda t: t.status == TicketStatus.CLOSED,
        "member",
    ),
    Case(
        "notes",
        _submitted,
        "member",
        {"body": "已电话联系村书记了解情况"},
        "ticket.note_added",
        lambda t: True,
        "editor",
        outsider="outsider_member",
        invalid={"body": ""},
    ),
    Case(
        "disposition",
        _report_accepted,
        "member",
        {"disposition": "verify", "note": "先行初步核实"},
        "ticket.disposition_set",
        lambda t: t.disposition is not None,
        "editor",
        invalid={"disposition": "nonsense"},
    ),
    Case(
        "disposition/approve",
        _report_proposed,
        "lead",
        {},
        "ticket.disposition_approved",
        lambda t: t.disposition_approved_at is not None,
        "member",
    ),
    Case(
        "feedback",
        _closed_real_name,
        "member",
        {"note": "已电话告知反映人办理结果"},
        "ticket.fed_back",
        lambda t: t.fed_back_at is not None,
        "editor",
        invalid={"note": ""},
    ),
    Case(
        "unit-reply",
        _forwarded,
        "editor",
        {"body": UNIT_REPLY},
        "ticket.unit_replied",
        lambda t: t.unit_stage == UnitStage.REPLIED,
        "member",
        outsider="other_editor",
        invalid={"body": "已办"},
        kept={"unit_reply-body": "已办"},
    ),
    Case(
        "unit-return",
        _forwarded,
        "editor",
        {"reason": "该事项不属于本村职责，应由镇社会事务办办理。"},
        "ticket.unit_returned",
        lambda t: t.unit_stage == UnitStage.RETURNED,
        "member",
        outsider="other_editor",
        invalid={"reason": ""},
    ),
]
IDS = [case.action for case in CASES]
NOTICE = {
    "review-return": "review_return",
    "request-info": "request_info",
    "receive-info": "receive_info",
    "notes": "note",
    "disposition/approve": "approve",
    "unit-reply": "unit_reply",
    "unit-return": "unit_return",
}


def prepare(session, world, case: Case) -> tuple[Ticket, dict[str, Any]]:
    ticket, extra = case.setup(session, world)
    data = {**case.data, **extra}
    if data.get("assignee") == "MEMBER":
        data["assignee"] = str(world.member.id)
    return ticket, data


def url(ticket: Ticket, case: Case) -> str:
    return f"{page(ticket.number)}/{case.action}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_without_js_redirects_and_is_audited(session, login_as, world, csrf, case):
    ticket, data = prepare(session, world, case)
    before = len(tf.events(session, case.audit, ticket))

    response = post_form(login_as(getattr(world, case.actor)), url(ticket, case), csrf, data)

    assert response.status_code == 303, response.text
    notice = NOTICE.get(case.action, case.action)
    assert response.headers["location"] == f"{page(ticket.number)}?done={notice}#ticket-actions"
    session.refresh(ticket)
    assert case.check(ticket)
    assert len(tf.events(session, case.audit, ticket)) == before + 1
    shown = parse(login_as(getattr(world, case.actor)).get(response.headers["location"]))
    assert text(one(shown, "#ticket-actions .notice.success"))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_action_with_htmx_swaps_the_changed_blocks(session, login_as, world, csrf, case):
    ticket, data = prepare(session, world, case)

    response = post_form(
        login_as(getattr(world, case.actor)), url(ticket, case), csrf, data, headers=HTMX
    )

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    root = fragment_root(response)
    assert root["id"] == "ticket-actions"
    assert one(root, ".notice.success")
    soup = parse(response)
    out_of_band = [el["id"] for el in soup.find_all(attrs={"hx-swap-oob": "true"})]
    assert "ticket-timeline" in out_of_band
    assert "ticket-header" in out_of_band


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.invalid is not None], ids=lambda c: c.action
)
def test_refused_input_rerenders_the_form_with_422(session, login_as, world, csrf, case):
    ticket, data = prepare(session, world, case)
    status = ticket.status
    client = login_as(getattr(world, case.actor))

    plain = post_form(client, url(ticket, case), csrf, {**data, **(case.invalid or {})})
    fragment = post_form(
        client, url(ticket, case), csrf, {**data, **(case.invalid or {})}, headers=HTMX
    )

    assert plain.status_code == 422
    assert parse(plain).find("html") is not None
    assert fragment.status_code == 422
    root = fragment_root(fragment)
    assert root["id"] == "ticket-actions"
    form_name = NOTICE.get(case.action, case.action)
    box = one(root, f"#action-{form_name}")
    assert box.has_attr("open")
    assert texts(box, ".error-summary li")
    for field_id, value in case.kept.items():
        kept = one(box, f"#{field_id}")
        assert (kept.get("value") or kept.get_text()) == value
    session.refresh(ticket)
    assert ticket.status == status
    assert tf.events(session, case.audit, ticket) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wrong_role_answers_403_and_out_of_scope_404(session, login_as, world, csrf, case):
    ticket, data = prepare(session, world, case)

    forbidden = post_form(login_as(getattr(world, case.forbidden)), url(ticket, case), csrf, data)
    outside = post_form(login_as(getattr(world, case.outsider)), url(ticket, case), csrf, data)

    assert forbidden.status_code == 403
    assert outside.status_code == 404
    assert tf.events(session, case.audit, ticket) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_post_without_csrf_changes_nothing(session, login_as, world, case):
    ticket, data = prepare(session, world, case)
    status, updated = ticket.status, ticket.updated_at

    response = post_form(login_as(getattr(world, case.actor)), url(ticket, case), None, data)

    assert response.status_code == 403
    session.refresh(ticket)
    assert (ticket.status, ticket.updated_at) == (status, updated)
    assert tf.events(session, case.audit, ticket) == []


def test_an_impossible_transition_is_a_422_with_the_reason(session, login_as, world, csrf):
    ticket = tf.accepted(session, world).ticket

    response = post_form(login_as(world.member), f"{page(ticket.number)}/accept", csrf, {})

    assert response.status_code == 422
    assert "“已受理”状态的工单不能受理" in texts(
        parse(response), "#ticket-actions .error-summary li"
    )


def test_forward_releases_the_chosen_attachments_only(session, login_as, world, csrf):
    receipt = tf.submit(
        session, world, files=[("a.png", tf.image_bytes()), ("b.png", tf.image_bytes())]
    )
    member = tf.principal(session, world.member)
    service.accept(session, ticket=receipt.ticket, principal=member)
    files = service.staff_view(session, ticket=receipt.ticket, principal=member).attachments

    response = post_form(
        login_as(world.member),
        f"{page(receipt.number)}/forward",
        csrf,
        {"summary": SUMMARY, "attachments": [str(files[1].id)]},
    )

    assert response.status_code == 303
    view = service.unit_view(
        session, ticket=receipt.ticket, principal=tf.principal(session, world.editor)
    )
    assert [a.id for a in view.attachments] == [files[1].id]


def test_forward_of_a_report_cannot_release_the_text(session, login_as, world, csrf):
    ticket = tf.accepted(session, world, tf.report(world)).ticket

    response = post_form(
        login_as(world.member),
        f"{page(ticket.number)}/forward",
        csrf,
        {"summary": SUMMARY, "release_content": "1"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "原文不能提供给被反映单位" in text(fragment_root(response))
    session.refresh(ticket)
    assert ticket.status == TicketStatus.ACCEPTED
    assert not ticket.content_released


def test_forward_to_another_unit_by_code(session, login_as, world, csrf):
    ticket = tf.accepted(session, world).ticket

    response = post_form(
        login_as(world.member),
        f"{page(ticket.number)}/forward",
        csrf,
        {"summary": SUMMARY, "unit": world.township.code},
    )

    assert response.status_code == 303
    session.refresh(ticket)
    assert ticket.handling_unit_id == world.township.id


def test_the_assignee_list_refuses_a_recused_member(session, login_as, world, csrf):
    from app.account.models import Membership
    from app.account.permissions import Role
    from tests import factories

    recused = factories.make_user(
        session, username="member3", role=Role.TEAM_MEMBER, team=world.township_team
    )
    session.add(Membership(user_id=recused.id, role=Role.UNIT_EDITOR, unit_id=world.village.id))
    session.flush()
    ticket = tf.submit(session, world).ticket

    response = post_form(
        login_as(world.lead), f"{page(ticket.number)}/assign", csrf, {"assignee": str(recused.id)}
    )

    assert response.status_code == 422
    assert "无需回避" in text(one(parse(response), "#action-assign .error-summary"))
    session.refresh(ticket)
    assert ticket.assignee_id is None


def test_merge_button_from_the_duplicates_panel(session, login_as, world, csrf):
    first = tf.submit(session, world)
    second = tf.submit(session, world)
    soup = parse(login_as(world.member).get(page(second.number)))
    form = one(soup, "#ticket-duplicates form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}

    response = login_as(world.member).post(local(form["action"]), data={**data, "csrf_token": csrf})

    assert response.status_code == 303
    session.refresh(second.ticket)
    assert second.ticket.merged_into_id == first.ticket.id
