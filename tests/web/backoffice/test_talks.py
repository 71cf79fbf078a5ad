"""/staff/talks — talk records for their own team only (admins included: 404), both kinds,
人次 from the interviewee lines, 422 messages, and the audit event without the names."""

from datetime import date

import pytest
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision import inspections
from app.supervision.models import Talk, TalkKind
from tests.html import one, parse, text, texts
from tests.supervision.factories import MONDAY, principal
from tests.web.ticket_helpers import HTMX, fragment_root, local, post_form


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(MONDAY):
        yield


def talk(session, world, **fields) -> Talk:
    data = {
        "team_id": world.township_team.id,
        "kind": TalkKind.INTEGRITY,
        "held_on": date(2026, 10, 28),
        "interviewees": "张三\n李四",
        "interviewers": "王书记",
        "summary": "提醒廉洁用权",
    }
    data.update(fields)
    return inspections.record_talk(session, principal=principal(session, world.member), **data)


def test_list_counts_talks_and_persons_for_the_team(session, world, login_as):
    talk(session, world)
    talk(session, world, kind=TalkKind.HEART, interviewees="赵五", held_on=date(2026, 11, 1))
    inspections.record_talk(
        session,
        principal=principal(session, world.outsider_member),
        team_id=world.other_team.id,
        kind=TalkKind.HEART,
        held_on=date(2026, 11, 1),
        interviewees="别的人",
    )
    client = login_as(world.member)
    page = parse(client.get("/staff/talks"))
    assert text(one(page, ".talk-total")) == "2"
    assert text(one(page, ".talk-persons")) == "3"
    assert texts(page, ".talk-kind") == ["谈心谈话", "廉政谈话"]

    fragment = client.get("/staff/talks?kind=integrity", headers=HTMX)
    root = fragment_root(fragment)
    assert root["id"] == "talk-table"
    assert texts(root, ".talk-kind") == ["廉政谈话"]
    assert text(one(root, ".talk-persons")) == "2"


def test_a_talk_is_readable_by_its_team_only_admins_get_404(session, world, login_as):
    record = talk(session, world)
    url = f"/staff/talks/{record.id}"
    page = parse(login_as(world.lead).get(url))
    assert text(one(page, ".talk-kind")) == "廉政谈话"
    assert text(one(page, ".talk-person-count")) == "2"
    fragment = login_as(world.member).get(url, headers=HTMX)
    assert fragment_root(fragment)["id"] == "talk-record"
    assert login_as(world.admin).get(url).status_code == 404
    assert login_as(world.outsider_member).get(url).status_code == 404
    assert login_as(world.editor).get(url).status_code == 403
    assert texts(parse(login_as(world.admin).get("/staff/talks")), ".talk-row") == []


def test_record_a_talk_with_audit_but_no_names_in_the_log(session, world, login_as, csrf):
    client = login_as(world.member)
    assert one(parse(client.get("/staff/talks/new")), "#talk-form")
    response = post_form(
        client,
        "/staff/talks/new",
        csrf,
        {
            "team": str(world.township_team.id),
            "kind": "heart",
            "held_on": "2026-11-02",
            "interviewees": "钱六\n孙七\n周八",
            "unit": world.village.code,
            "interviewers": "王书记",
            "summary": "了解思想动态",
        },
    )
    assert response.status_code == 303
    record = session.exec(select(Talk)).one()
    assert local(response.headers["location"]) == f"/staff/talks/{record.id}?done=recorded"
    assert (record.kind, record.person_count, record.unit_id) == (
        TalkKind.HEART,
        3,
        world.village.id,
    )
    event = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "talk.recorded")).one()
    assert event.data["person_count"] == 3
    assert "钱六" not in str(event.data)


def test_record_422_keeps_input_and_saves_nothing(session, world, login_as, csrf):
    client = login_as(world.member)
    data = {"kind": "other", "held_on": "", "interviewees": "", "person_count": "0",
            "summary": "保留的内容"}  # fmt: skip
    response = post_form(client, "/staff/talks/new", csrf, data)
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#error-kind")) == "请选择谈话类型"
    assert text(one(page, "#error-interviewees")) == "请填写谈话对象"
    assert text(one(page, "#error-person_count")) == "请填写谈话人次（1–1000）"
    assert one(page, "#field-summary").get_text() == "保留的内容"
    fragment = post_form(client, "/staff/talks/new", csrf, data, headers=HTMX)
    assert fragment.status_code == 422
    assert fragment_root(fragment)["id"] == "talk-form"
    assert session.exec(select(Talk)).all() == []


def test_recording_needs_csrf_and_a_team(session, world, login_as, csrf):
    data = {"kind": "heart", "held_on": "2026-11-02", "interviewees": "钱六"}
    assert post_form(login_as(world.member), "/staff/talks/new", None, data).status_code == 403
    assert post_form(login_as(world.admin), "/staff/talks/new", csrf, data).status_code == 403
    assert post_form(login_as(world.editor), "/staff/talks/new", csrf, data).status_code == 403
    assert session.exec(select(Talk)).all() == []
