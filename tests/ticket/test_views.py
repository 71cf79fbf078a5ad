"""What each audience sees: the unit never gets identity, contact data or a report's text."""

from app.ticket import service
from app.ticket.models import Audience, TicketKind
from app.ticket.workflow import Action
from tests.ticket.factories import (
    COMPLAINT_TEXT,
    REPORT_TEXT,
    SECRET_ID,
    SECRET_MOBILE,
    SECRET_NAME,
    forwarded,
    image_bytes,
    principal,
    real_name,
    report,
    submit,
)

SECRETS = (SECRET_NAME, SECRET_MOBILE, SECRET_ID, REPORT_TEXT, REPORT_TEXT[:12], "身份证照片")


def test_unit_view_of_a_report_carries_no_secret_in_any_field(session, world):
    receipt = submit(
        session,
        world,
        report(world),
        files=[("身份证照片.png", image_bytes("PNG")), ("现场.png", image_bytes("PNG"))],
    )
    ticket = receipt.ticket
    member = principal(session, world.member)
    service.accept(session, ticket=ticket, principal=member)
    service.supplement(
        session, ticket=ticket, code=receipt.code, text=f"补充：{SECRET_NAME}还目睹了经过。"
    )
    service.reveal_identity(session, ticket=ticket, principal=member, reason="核实举报人身份")
    service.add_note(session, ticket=ticket, principal=member, body=f"举报人{SECRET_NAME}可靠")
    staff = service.staff_view(session, ticket=ticket, principal=member)
    service.forward(
        session,
        ticket=ticket,
        principal=member,
        summary="有群众反映村干部在低保发放中存在问题，请说明低保审核发放情况。",
        release_attachment_ids=[staff.attachments[1].id],
    )
    editor = principal(session, world.editor)

    view = service.unit_view(session, ticket=ticket, principal=editor)

    dumped = view.model_dump_json()
    for secret in SECRETS:
        assert secret not in dumped, secret
    assert view.original_text is None
    assert view.kind == TicketKind.REPORT
    assert [a.name for a in view.attachments] == ["附件1.png"]
    assert view.summary.startswith("有群众反映")
    assert set(view.actions) == {Action.UNIT_REPLY, Action.UNIT_RETURN}
    # Nothing the team wrote for itself reaches the unit either.
    assert "核实举报人身份" not in dumped
    assert "routed" not in {item.kind for item in view.timeline}


def test_unit_view_shows_complaint_text_only_when_released(session, world):
    ticket = forwarded(session, world, real_name(world)).ticket
    editor = principal(session, world.editor)
    view = service.unit_view(session, ticket=ticket, principal=editor)
    assert view.original_text is None
    dumped = view.model_dump_json()
    for secret in (SECRET_NAME, SECRET_MOBILE, SECRET_ID, COMPLAINT_TEXT):
        assert secret not in dumped

    released = forwarded(session, world, real_name(world), release_content=True).ticket
    view = service.unit_view(session, ticket=released, principal=editor)
    assert view.original_text == COMPLAINT_TEXT
    for secret in (SECRET_NAME, SECRET_MOBILE, SECRET_ID):
        assert secret not in view.model_dump_json()


def test_citizen_view_hides_internal_work(session, world):
    receipt = submit(session, world, real_name(world))
    ticket = receipt.ticket
    member = principal(session, world.member)
    service.add_note(session, ticket=ticket, principal=member, body="内部备注：可能是重复件")
    service.accept(session, ticket=ticket, principal=member)
    service.forward(
        session,
        ticket=ticket,
        principal=member,
        summary="转办摘要：请村委会核实群众反映的问题。",
    )
    service.unit_reply(
        session,
        ticket=ticket,
        principal=principal(session, world.editor),
        body="单位回复：已核实，正在整改中。",
    )

    view = service.citizen_view(session, ticket=ticket)

    dumped = view.model_dump_json()
    for internal in ("内部备注", "转办摘要", "单位回复", world.member.username, "回避"):
        assert internal not in dumped, internal
    assert view.status_label == "办理中"
    assert view.can_supplement
    assert not view.can_rate
    assert {item.actor for item in view.timeline} <= {"您", "监督单位", "承办单位", "系统"}


def test_staff_view_shows_the_work_but_not_the_identity(session, world):
    ticket = submit(session, world, real_name(world)).ticket
    member = principal(session, world.member)
    view = service.staff_view(session, ticket=ticket, principal=member)
    assert view.can_reveal
    assert not view.can_assign
    assert Action.ACCEPT in view.actions
    assert view.clock is not None
    assert view.team == world.township_team
    text = " ".join(item.body for item in view.timeline)
    assert SECRET_NAME not in text
    assert SECRET_MOBILE not in text
    lead_view = service.staff_view(session, ticket=ticket, principal=principal(session, world.lead))
    assert lead_view.can_assign
    assert {u.id for u in lead_view.assignable} == {world.lead.id, world.member.id}


def test_audiences(session, world):
    from app.ticket.policies import audience_of

    ticket = forwarded(session, world).ticket
    expected = {
        "member": Audience.TEAM,
        "lead": Audience.TEAM,
        "editor": Audience.UNIT,
        "other_editor": None,
        "outsider_member": None,
        "admin": None,
    }
    for name, audience in expected.items():
        got = audience_of(session, principal(session, getattr(world, name)), ticket)
        assert got == audience, name


def test_search_is_scoped_and_content_search_is_for_the_team_only(session, world):
    ticket = forwarded(session, world, report(world)).ticket
    other = submit(session, world).ticket
    member = principal(session, world.member)
    editor = principal(session, world.editor)
    found = service.search_tickets(session, principal=member).items
    assert {t.number for t in found} == {ticket.number, other.number}
    assert service.search_tickets(session, principal=editor).items == [ticket]
    for nobody in (world.admin, world.outsider_member, world.other_editor):
        assert service.search_tickets(session, principal=principal(session, nobody)).items == []
    # A unit cannot probe the text of a report it was not shown.
    assert service.search_tickets(session, principal=member, query="好处费").items == [ticket]
    assert service.search_tickets(session, principal=editor, query="好处费").items == []
    assert service.search_tickets(session, principal=editor, query=ticket.number).items == [ticket]
    counts = service.status_counts(session, principal=member)
    assert counts["in_progress"] == 1
    assert counts["submitted"] == 1
    assert service.search_tickets(session, principal=member, audience=Audience.UNIT).items == []


def test_overdue_filter(session, world):
    from datetime import UTC, datetime

    from app.core import clock
    from tests.ticket.factories import MONDAY

    with clock.frozen(MONDAY):
        late = submit(session, world).ticket
    member = principal(session, world.member)
    with clock.frozen(datetime(2026, 9, 30, 2, tzinfo=UTC)):
        fresh = submit(session, world).ticket
        found = service.search_tickets(session, principal=member, overdue=True).items
    assert [t.number for t in found] == [late.number]
    assert fresh.number not in [t.number for t in found]


def test_views_refuse_the_wrong_audience(session, world):
    import pytest

    from app.core.errors import NotFound

    ticket = forwarded(session, world, report(world)).ticket
    with pytest.raises(NotFound):
        service.staff_view(session, ticket=ticket, principal=principal(session, world.editor))
    for outsider in (world.other_editor, world.outsider_member, world.admin):
        with pytest.raises(NotFound):
            service.unit_view(session, ticket=ticket, principal=principal(session, outsider))
    # The team may check what the unit is shown; it cannot act as the unit.
    preview = service.unit_view(session, ticket=ticket, principal=principal(session, world.member))
    assert preview.original_text is None
    assert preview.actions == []
