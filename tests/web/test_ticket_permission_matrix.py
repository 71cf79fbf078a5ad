"""Who may do what with a ticket, for every ticket page and API route, as one table.

Roles: an admin alone (no team), the lead and a member of the ticket's team, a member of another
team, the editor of the unit complained about (the ticket is forwarded there), and the editor of
another unit. Each route is called in a state where its action makes sense, so "ok" means it
worked (200 for pages and the API, 303 for page forms).

Below it, the confidentiality test: the complained unit's editor never receives identity,
contact data or the original text of a report — through any page, fragment, API, download or
notification.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, select

from app.main import app
from app.notify.models import OutboxMessage
from app.ticket import service
from app.ticket.models import Ticket
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, bearer, post_form

ROLES = ["admin", "lead", "member", "outsider_member", "editor", "other_editor"]

# Expected answers per kind of route, in ROLES order. "ok" is the route's success code.
EXPECTED: dict[str, tuple[Any, ...]] = {
    #           admin  lead  member outsider editor other_editor
    "inbox":   ("ok",  "ok", "ok",  "ok",    "ok",  "ok"),
    "read":    (404,   "ok", "ok",  404,     "ok",  404),
    "team":    (404,   "ok", "ok",  404,     403,   403),
    "lead":    (404,   "ok", 403,   403,     403,   403),
    "unit":    (404,   403,  403,   403,     "ok",  404),
    "create":  ("ok",  "ok", "ok",  "ok",    403,   403),
    "admin":   ("ok",  403,  403,   403,     403,   403),
}  # fmt: skip

SUMMARY = "群众反映村里办理证明拖延，请核实并于期限内回复办理情况。"


# --- Ticket states in which each action makes sense -------------------------------------------


def forwarded(session, world) -> tuple[Ticket, dict[str, Any]]:
    """A report with a photo, accepted and forwarded to the village with the photo released."""
    receipt = tf.submit(session, world, tf.report(world), files=[("p.png", tf.image_bytes())])
    member = tf.principal(session, world.member)
    files = service.staff_view(session, ticket=receipt.ticket, principal=member).attachments
    service.accept(session, ticket=receipt.ticket, principal=member)
    service.forward(
        session,
        ticket=receipt.ticket,
        principal=member,
        summary=SUMMARY,
        release_attachment_ids=[files[0].id],
    )
    return receipt.ticket, {"attachment": files[0].id}


def unreleased(session, world):
    receipt = tf.submit(session, world, files=[("p.png", tf.image_bytes())])
    member = tf.principal(session, world.member)
    files = service.staff_view(session, ticket=receipt.ticket, principal=member).attachments
    service.accept(session, ticket=receipt.ticket, principal=member)
    service.forward(session, ticket=receipt.ticket, principal=member, summary=SUMMARY)
    return receipt.ticket, {"attachments": [str(files[0].id)], "attachment_ids": [files[0].id]}


def submitted(session, world):
    return tf.submit(session, world).ticket, {}


def accepted(session, world):
    return tf.accepted(session, world).ticket, {}


def accepted_report(session, world):
    return tf.accepted(session, world, tf.report(world)).ticket, {}


def duplicate(session, world):
    target = tf.submit(session, world).ticket
    return tf.submit(session, world).ticket, {"into": target.number}


def returned(session, world):
    ticket = tf.forwarded(session, world).ticket
    service.unit_return(
        session, ticket=ticket, principal=tf.principal(session, world.editor), reason="不属本村"
    )
    return ticket, {}


def waiting(session, world):
    ticket = tf.accepted(session, world).ticket
    service.request_info(
        session,
        ticket=ticket,
        principal=tf.principal(session, world.member),
        question="请补充办理日期",
    )
    return ticket, {}


def answered(session, world):
    return tf.answered(session, world).ticket, {}


def proposed(session, world):
    ticket = tf.accepted(session, world, tf.report(world)).ticket
    service.set_disposition(
        session, ticket=ticket, principal=tf.principal(session, world.member), disposition="talk"
    )
    return ticket, {}


def closed_real_name(session, world):
    ticket = tf.answered(session, world, tf.real_name(world)).ticket
    service.close(session, ticket=ticket, principal=tf.principal(session, world.lead))
    return ticket, {}


def no_ticket(session, world):
    return None, {}


# Request bodies (form fields for pages, JSON for the API).
REPLY = {"reply": "经核实，村委会已为您办理证明，并对相关工作人员进行了批评教育。"}
UNIT_REPLY = {"body": "经核实，已为群众办理证明，并批评教育经办人员。"}
REJECT = {"reason": "不属本机关受理范围"}
RETURN = {"reason": "不属于本村职责"}
FORWARD = {"summary": SUMMARY}
QUESTION = {"question": "请补充办理日期"}
NOTE = {"body": "内部备注"}
VERIFY = {"disposition": "verify"}
FEEDBACK = {"note": "已电话告知"}
REASON = {"reason": "需要电话核实"}
REVIEW = {"decision": "accept", "comment": "同意退回"}
REVIEW_JSON = {"accept": True, "comment": "同意退回"}
NEW_TICKET = {
    "channel": "visit",
    "unit": "甲村",
    "category_code": "delay",
    "content": REPLY["reply"],
}
NEW_CATEGORY = {"code": "land_use", "name": "土地征用", "kind": "report"}
EDIT_CATEGORY = {"name": "拖延", "kind": "complaint", "position": "3", "is_active": "1"}


def into(extra: dict[str, Any]) -> dict[str, Any]:
    return {"into": extra["into"]}


def files(extra: dict[str, Any]) -> dict[str, Any]:
    return {"attachments": extra["attachments"]}


def ids(extra: dict[str, Any]) -> dict[str, Any]:
    return {"attachment_ids": extra["attachment_ids"]}


@dataclass(frozen=True)
class Route:
    name: str  # the route's name in the app
    method: str
    path: str  # {number}, {attachment}, {category} are filled in
    kind: str  # a key of EXPECTED
    setup: Callable[[Any, Any], tuple[Ticket | None, dict[str, Any]]]
    body: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def ok(self) -> int:
        """Page forms redirect (303); the reveal and the new ticket's receipt answer in place."""
        in_place = self.name in ("backoffice.tickets.reveal_identity", "backoffice.tickets.create")
        return 303 if self.method == "POST" and not self.api and not in_place else 200


R, G, P = Route, "GET", "POST"
T = "/staff/tickets/{number}"
A = "/api/v1/tickets/{number}/actions"
C = "/staff/categories"
ID = "/api/v1/tickets/{number}/identity"
ROUTES = [
    # Pages: name, method, path, kind, setup, body
    R("backoffice.tickets.index", G, "/staff/tickets", "inbox", forwarded),
    R("backoffice.tickets.detail", G, T, "read", forwarded),
    R("backoffice.tickets.attachment", G, T + "/attachments/{attachment}", "read", forwarded),
    R("backoffice.tickets.new", G, "/staff/tickets/new", "create", no_ticket),
    R("backoffice.tickets.create", P, "/staff/tickets/new", "create", no_ticket, NEW_TICKET),
    R("backoffice.tickets.accept", P, T + "/accept", "team", submitted, {}),
    R("backoffice.tickets.start", P, T + "/start", "team", accepted, {}),
    R("backoffice.tickets.reject", P, T + "/reject", "team", submitted, REJECT),
    R("backoffice.tickets.merge", P, T + "/merge", "team", duplicate, into),
    R("backoffice.tickets.assign", P, T + "/assign", "lead", submitted, {"assignee": ""}),
    R("backoffice.tickets.forward", P, T + "/forward", "team", accepted, FORWARD),
    R("backoffice.tickets.release", P, T + "/release", "team", unreleased, files),
    R("backoffice.tickets.review_return", P, T + "/review-return", "team", returned, REVIEW),
    R("backoffice.tickets.request_info", P, T + "/request-info", "team", accepted, QUESTION),
    R("backoffice.tickets.receive_info", P, T + "/receive-info", "team", waiting, {}),
    R("backoffice.tickets.answer", P, T + "/answer", "team", accepted, REPLY),
    R("backoffice.tickets.close", P, T + "/close", "lead", answered, {}),
    R("backoffice.tickets.note", P, T + "/notes", "team", forwarded, NOTE),
    R("backoffice.tickets.disposition", P, T + "/disposition", "team", accepted_report, VERIFY),
    R("backoffice.tickets.approve", P, T + "/disposition/approve", "lead", proposed, {}),
    R("backoffice.tickets.feedback", P, T + "/feedback", "team", closed_real_name, FEEDBACK),
    R("backoffice.tickets.unit_reply", P, T + "/unit-reply", "unit", forwarded, UNIT_REPLY),
    R("backoffice.tickets.unit_return", P, T + "/unit-return", "unit", forwarded, RETURN),
    R("backoffice.tickets.reveal_identity", P, T + "/identity", "team", forwarded, REASON),
    R("backoffice.categories.index", G, C, "admin", no_ticket),
    R("backoffice.categories.create", P, C, "admin", no_ticket, NEW_CATEGORY),
    R("backoffice.categories.edit", G, C + "/{category}", "admin", no_ticket),
    R("backoffice.categories.update", P, C + "/{category}", "admin", no_ticket, EDIT_CATEGORY),
    # API
    R("api.tickets.index", G, "/api/v1/tickets", "inbox", forwarded),
    R("api.tickets.detail", G, "/api/v1/tickets/{number}", "read", forwarded),
    R("api.tickets.accept", P, A + "/accept", "team", submitted, {}),
    R("api.tickets.start", P, A + "/start", "team", accepted, {}),
    R("api.tickets.reject", P, A + "/reject", "team", submitted, REJECT),
    R("api.tickets.merge", P, A + "/merge", "team", duplicate, into),
    R("api.tickets.assign", P, A + "/assign", "lead", submitted, {"assignee_id": None}),
    R("api.tickets.forward", P, A + "/forward", "team", accepted, FORWARD),
    R("api.tickets.release_attachments", P, A + "/release-attachments", "team", unreleased, ids),
    R("api.tickets.unit_reply", P, A + "/unit-reply", "unit", forwarded, UNIT_REPLY),
    R("api.tickets.unit_return", P, A + "/unit-return", "unit", forwarded, RETURN),
    R("api.tickets.review_return", P, A + "/review-return", "team", returned, REVIEW_JSON),
    R("api.tickets.request_info", P, A + "/request-info", "team", accepted, QUESTION),
    R("api.tickets.receive_info", P, A + "/receive-info", "team", waiting, {}),
    R("api.tickets.answer", P, A + "/answer", "team", accepted, REPLY),
    R("api.tickets.close", P, A + "/close", "lead", answered, {}),
    R("api.tickets.note", P, A + "/note", "team", forwarded, NOTE),
    R("api.tickets.disposition", P, A + "/disposition", "team", accepted_report, VERIFY),
    R("api.tickets.approve_disposition", P, A + "/approve-disposition", "lead", proposed, None),
    R("api.tickets.feedback", P, A + "/feedback", "team", closed_real_name, FEEDBACK),
    R("api.tickets.reveal_identity", P, ID, "team", forwarded, REASON),
]  # fmt: skip
CASES = [(route, role) for route in ROUTES for role in ROLES]


def call(login_as, session, world, route: Route, role: str, csrf: str) -> Any:
    ticket, extra = route.setup(session, world)
    category = service.get_category_by_code(session, code="delay")
    path = route.path.format(
        number=ticket.number if ticket else "",
        attachment=extra.get("attachment", 0),
        category=category.id,
    )
    body = route.body(extra) if callable(route.body) else route.body
    user = getattr(world, role)
    client = login_as(user)
    if route.api:
        client.cookies.clear()  # the API takes only its bearer token
        if route.method == "GET":
            return client.get(path, headers=bearer(user))
        return client.post(path, json=body, headers=bearer(user))
    if route.method == "GET":
        return client.get(path)
    return post_form(client, path, csrf, body)


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.name}-{role}" for r, role in CASES])
def test_permission_matrix(session, login_as, world, csrf, route, role):
    expected = EXPECTED[route.kind][ROLES.index(role)]
    if expected == "ok":
        expected = route.ok

    response = call(login_as, session, world, route, role, csrf)

    assert response.status_code == expected, response.text[:500]


def ticket_routes() -> list[Any]:
    """Every route of this area, through the included routers (FastAPI nests them lazily)."""
    found = []
    for route in app.routes:
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        found.extend(
            context
            for context in contexts
            if getattr(context, "name", "").startswith(
                ("backoffice.tickets.", "backoffice.categories.", "api.tickets.")
            )
        )
    return found


def permissions_of(dependant: Any) -> list[Any]:
    found = []
    for sub in dependant.dependencies:
        if hasattr(sub.call, "required_permission"):
            found.append(sub.call.required_permission)
        found.extend(permissions_of(sub))
    return found


def test_the_matrix_covers_every_ticket_route_and_each_declares_one_permission():
    routes = ticket_routes()
    assert {route.name for route in routes} == {route.name for route in ROUTES}
    for route in routes:
        assert len(permissions_of(route.dependant)) == 1, route.name


# --- Confidentiality: nothing of a report reaches the unit complained about ------------------

SECRET_TEXT = "暗号青龙白虎，村主任张三在发放低保时向我索要好处费两千元，请组织调查处理。"
SECRET_NOTE = "内部暗号朱雀玄武"
SECRET_FILE = "王秘密的举报照片.png"


def test_the_complained_unit_never_receives_identity_contact_or_report_text(
    session, login_as, world, csrf
):
    receipt = tf.submit(
        session,
        world,
        tf.report(world, content=SECRET_TEXT),
        files=[(SECRET_FILE, tf.image_bytes()), ("另一张.png", tf.image_bytes())],
    )
    ticket = receipt.ticket
    member = tf.principal(session, world.member)
    files = service.staff_view(session, ticket=ticket, principal=member).attachments
    service.accept(session, ticket=ticket, principal=member)
    service.add_note(session, ticket=ticket, principal=member, body=SECRET_NOTE)
    service.set_disposition(
        session, ticket=ticket, principal=member, disposition="verify", note=SECRET_NOTE
    )
    service.reveal_identity(session, ticket=ticket, principal=member, reason=SECRET_NOTE)
    service.forward(
        session,
        ticket=ticket,
        principal=member,
        summary=SUMMARY,
        release_attachment_ids=[files[0].id],
    )
    secrets = [
        tf.SECRET_NAME,
        tf.SECRET_MOBILE,
        tf.SECRET_ID,
        "暗号青龙白虎",
        "好处费",
        SECRET_NOTE,
        "王秘密",
        "初步核实",
    ]
    number = ticket.number
    base = f"/staff/tickets/{number}"
    api = bearer(world.editor)
    client = login_as(world.editor)

    responses = [
        client.get("/staff/tickets"),
        client.get("/staff/tickets", headers=HTMX),
        client.get(base),
        client.get(f"{base}?as=unit"),
        *[
            client.get(base, headers={**HTMX, "HX-Target": target})
            for target in ("ticket-header", "ticket-timeline", "ticket-actions", "ticket-identity")
        ],
        client.get(f"{base}/attachments/{files[0].id}"),
        client.get(f"{base}/attachments/{files[1].id}"),
        client.get("/staff/tickets/new"),
        client.get("/staff"),
        post_form(client, f"{base}/identity", csrf, {"reason": "想知道是谁"}),
        post_form(client, f"{base}/notes", csrf, {"body": "x"}),
        post_form(client, f"{base}/unit-reply", csrf, {"body": "短"}, headers=HTMX),
        post_form(client, f"{base}/unit-reply", csrf, {"body": "短"}),
        post_form(client, f"{base}/unit-return", csrf, {"reason": "不属于本村职责"}, headers=HTMX),
        client.get("/api/v1/tickets", headers=api),
        client.get("/api/v1/tickets?q=青龙白虎", headers=api),
        client.get(f"/api/v1/tickets/{number}", headers=api),
        client.post(f"/api/v1/tickets/{number}/identity", json={"reason": "想知道"}, headers=api),
        client.post(
            f"/api/v1/tickets/{number}/actions/unit-reply",
            json={"body": "经核实，已为群众办理证明，并批评教育经办人员。"},
            headers=api,
        ),
    ]

    assert [r.status_code for r in responses].count(200) >= 13
    for response in responses:
        blob = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in secrets:
            assert secret not in blob, (response.request.url, secret)
    # The released photo came under a neutral name; the other one not at all.
    assert responses[8].status_code == 200
    assert responses[9].status_code == 404
    # Searching for words of the report finds nothing (the search box echoes only the query).
    assert "ticket-number" not in client.get("/staff/tickets?q=青龙白虎").text
    # Nor do the notifications the unit's editors are sent.
    messages = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.recipient_hint) == f"user:{world.editor.id}")
    ).all()
    assert messages
    for message in messages:
        for secret in secrets:
            assert secret not in message.subject + message.body
