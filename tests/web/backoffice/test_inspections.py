"""/staff/inspections — the list, recording an inspection whose findings become ledger entries
(all or nothing), 「增加一行」 without JavaScript, and an inspection's page."""

from datetime import date

import pytest
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision import inspections
from app.supervision.models import Inspection, Rectification, RectificationSource
from tests.html import one, parse, text, texts
from tests.supervision.factories import MONDAY, principal
from tests.web.ticket_helpers import HTMX, fragment_root, local, post_form


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(MONDAY):
        yield


def recorded(session, world, **fields):
    data = {
        "team_id": world.township_team.id,
        "held_on": date(2026, 10, 20),
        "subject": "村级小微权力运行专项检查",
        "unit_ids": [world.village.id],
        "findings": [
            inspections.Finding(world.village.id, "三务公开不及时", date(2026, 11, 30)),
        ],
    }
    data.update(fields)
    return inspections.record_inspection(
        session, principal=principal(session, world.member), **data
    )[0]


def form(world, **fields):
    data = {
        "team": str(world.township_team.id),
        "held_on": "2026-11-02",
        "subject": "低保评议专项检查",
        "unit_ids": [str(world.village.id), str(world.township.id)],
        "people": "王芳、李明",
        "summary": "查阅台账，走访农户",
        "finding_problem": ["低保评议未公示", "台账不完整", ""],
        "finding_unit_text": ["甲村", world.township.code, ""],
        "finding_responsible": ["村支书", "", ""],
        "finding_measures": ["补充公示", "补齐台账", ""],
        "finding_deadline": ["2026-11-30", "2026-12-15", ""],
    }
    data.update(fields)
    return data


def test_list_full_page_and_fragment(session, world, login_as):
    recorded(session, world)
    client = login_as(world.member)
    page = parse(client.get("/staff/inspections"))
    assert texts(page, ".inspection-subject") == ["村级小微权力运行专项检查"]
    assert texts(page, ".finding-count") == ["1"]
    fragment = client.get("/staff/inspections?from=2026-11-01", headers=HTMX)
    root = fragment_root(fragment)
    assert root["id"] == "inspection-table"
    assert texts(root, ".inspection-subject") == []
    # Unit editors do not record inspections.
    assert login_as(world.editor).get("/staff/inspections").status_code == 403


def test_other_teams_do_not_see_an_inspection_but_admins_do(session, world, login_as):
    inspection = recorded(session, world)
    url = f"/staff/inspections/{inspection.id}"
    assert login_as(world.outsider_member).get(url).status_code == 404
    assert (
        texts(
            parse(login_as(world.outsider_member).get("/staff/inspections")), ".inspection-subject"
        )
        == []
    )
    assert login_as(world.admin).get(url).status_code == 200


def test_record_with_findings_creates_ledger_entries(session, world, login_as, csrf):
    client = login_as(world.member)
    assert one(parse(client.get("/staff/inspections/new")), "#inspection-form")
    response = post_form(client, "/staff/inspections/new", csrf, form(world))
    assert response.status_code == 303
    inspection = session.exec(select(Inspection)).one()
    assert (
        local(response.headers["location"]) == f"/staff/inspections/{inspection.id}?done=recorded"
    )
    entries = session.exec(select(Rectification).order_by(col(Rectification.id))).all()
    assert [(e.problem, e.unit_id, e.source) for e in entries] == [
        ("低保评议未公示", world.village.id, RectificationSource.INSPECTION),
        ("台账不完整", world.township.id, RectificationSource.INSPECTION),
    ]
    actions = session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all()
    assert actions[-3:] == ["inspection.recorded", "rectification.created", "rectification.created"]

    page = parse(client.get(local(response.headers["location"])))
    assert text(one(page, ".inspection-units")) == "甲镇、甲村"
    assert texts(page, "#inspection-entries .ledger-problem") == ["低保评议未公示", "台账不完整"]
    assert (
        local(one(page, ".add-finding")["href"]) == f"/staff/ledger/new?inspection={inspection.id}"
    )
    fragment = client.get(f"/staff/inspections/{inspection.id}", headers=HTMX)
    assert fragment_root(fragment)["id"] == "inspection-entries"


def test_a_bad_finding_saves_nothing(session, world, login_as, csrf):
    data = form(
        world,
        finding_deadline=["2026-11-30", "不是日期", ""],
        finding_unit_text=["甲村", "乙社区", ""],
    )
    response = post_form(login_as(world.member), "/staff/inspections/new", csrf, data)
    assert response.status_code == 422
    page = parse(response)
    assert "责任单位须是被检查单位之一" in text(one(page, "#error-findings-2-unit"))
    assert one(page, "#field-findings-1-problem").get_text() == "低保评议未公示"
    assert session.exec(select(Inspection)).all() == []
    assert session.exec(select(Rectification)).all() == []

    data = form(world, finding_deadline=["2026-11-30", "不是日期", ""])
    response = post_form(login_as(world.member), "/staff/inspections/new", csrf, data, headers=HTMX)
    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "inspection-form"
    assert text(one(root, "#error-findings-2-deadline")) == "第 2 条问题：请填写整改时限（日期）"
    assert session.exec(select(Inspection)).all() == []


def test_missing_units_and_subject_are_422(session, world, login_as, csrf):
    data = form(world, unit_ids=[], subject="", finding_problem=[], finding_unit_text=[],
                finding_responsible=[], finding_measures=[], finding_deadline=[])  # fmt: skip
    response = post_form(login_as(world.member), "/staff/inspections/new", csrf, data)
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#error-unit_ids")) == "请选择被检查单位"
    assert text(one(page, "#error-subject")) == "请填写检查事项"


def test_add_row_returns_the_form_with_one_more_row_and_saves_nothing(
    session, world, login_as, csrf
):
    response = post_form(
        login_as(world.member), "/staff/inspections/new", csrf, {**form(world), "more": "1"}
    )
    assert response.status_code == 200
    assert len(parse(response).select(".finding-row")) == 4
    assert session.exec(select(Inspection)).all() == []


def test_recording_needs_csrf_and_a_team(session, world, login_as, csrf):
    assert (
        post_form(login_as(world.member), "/staff/inspections/new", None, form(world)).status_code
        == 403
    )
    assert (
        post_form(login_as(world.admin), "/staff/inspections/new", csrf, form(world)).status_code
        == 403
    )
    assert (
        post_form(login_as(world.editor), "/staff/inspections/new", csrf, form(world)).status_code
        == 403
    )
    assert session.exec(select(Inspection)).all() == []
