"""/staff/ledger — the list with filters and counts, the .xlsx export, new entries (by hand and
from a ticket, a notice or an inspection), and an entry's actions with their audit events,
403/404 answers and 422 messages."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.core import clock
from app.supervision import inspections, ledger
from app.supervision.models import Rectification, RectificationSource, RectificationStatus
from tests.html import one, parse, text, texts
from tests.supervision.factories import MONDAY, issued, principal
from tests.ticket import factories as tf
from tests.ticket.factories import pdf_bytes
from tests.web.ticket_helpers import HTMX, fragment_root, local, post_form

TODAY = date(2026, 11, 2)  # MONDAY in Ninghai


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(MONDAY):
        yield


def entry(session, world, **fields) -> Rectification:
    data = {
        "team_id": world.township_team.id,
        "unit_id": world.village.id,
        "problem": "村务公开栏未按时更新",
        "deadline": TODAY + timedelta(days=20),
        "responsible_person": "村党支部书记",
        "measures": "每月更新公开栏",
    }
    data.update(fields)
    return ledger.create_rectification(session, principal=principal(session, world.member), **data)


def submitted(session, world, **fields) -> Rectification:
    item = entry(session, world, **fields)
    ledger.submit_rectification(
        session, principal=principal(session, world.editor), entry_id=item.id, completion="已更新"
    )
    return item


def audit_actions(session, item) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(
                col(AuditEvent.object_type) == "supervision_rectification",
                col(AuditEvent.object_id) == str(item.id),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    )


# --- The list ---------------------------------------------------------------------------------


def test_list_shows_the_teams_entries_with_counts_and_deadline_colours(session, world, login_as):
    entry(session, world, problem="按期整改中", deadline=TODAY + timedelta(days=30))
    entry(session, world, problem="快到期", deadline=TODAY + timedelta(days=3))
    entry(session, world, problem="已经逾期", deadline=TODAY - timedelta(days=2))
    submitted(session, world, problem="等待验收")
    entry(session, world, problem="审计发现的问题", source=RectificationSource.AUDIT)
    ledger.create_rectification(
        session,
        principal=principal(session, world.outsider_member),
        team_id=world.other_team.id,
        unit_id=world.other_village.id,
        problem="别的监督单位的问题",
        deadline=TODAY,
    )

    page = parse(login_as(world.member).get("/staff/ledger"))

    problems = texts(page, ".ledger-problem")
    assert "别的监督单位的问题" not in problems
    assert len(problems) == 5
    assert text(one(page, ".count-all .count")) == "5"
    assert text(one(page, ".count-overdue .count")) == "1"
    assert text(one(page, ".count-in_progress .count")) == "3"
    assert text(one(page, ".count-submitted .count")) == "1"
    assert text(one(page, ".source-audit")) == "审计发现 1"
    rows = {text(r.select_one(".ledger-problem")): r for r in page.select(".ledger-row")}
    assert text(rows["已经逾期"].select_one(".ledger-status")) == "逾期"
    assert "badge-red" in rows["已经逾期"].select_one(".due")["class"]
    assert "badge-yellow" in rows["快到期"].select_one(".due")["class"]
    assert "badge-green" in rows["按期整改中"].select_one(".due")["class"]
    assert rows["等待验收"].select_one(".due") is None


def test_count_links_apply_their_filter_and_keep_the_others(session, world, login_as):
    entry(session, world, problem="逾期的审计问题", source=RectificationSource.AUDIT,
          deadline=TODAY - timedelta(days=1))  # fmt: skip
    entry(session, world, problem="逾期的其他问题", deadline=TODAY - timedelta(days=1))
    entry(session, world, problem="未逾期的审计问题", source=RectificationSource.AUDIT)
    client = login_as(world.member)

    page = parse(client.get("/staff/ledger?source=audit"))
    link = local(one(page, ".count-overdue")["href"])
    assert "source=audit" in link
    assert "status=overdue" in link

    filtered = parse(client.get(link))
    assert texts(filtered, ".ledger-problem") == ["逾期的审计问题"]
    # The status counts ignore the status filter, so each tab still shows its own number.
    assert text(one(filtered, ".count-in_progress .count")) == "1"


def test_htmx_gets_only_the_table(session, world, login_as):
    entry(session, world)
    response = login_as(world.member).get("/staff/ledger?status=in_progress", headers=HTMX)
    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "ledger-table"
    assert texts(root, ".ledger-problem") == ["村务公开栏未按时更新"]
    assert response.headers["Vary"] == "HX-Request"


def test_filters_by_unit_subtree_team_and_creation_dates(session, world, login_as):
    entry(session, world, problem="村里的问题")
    entry(session, world, problem="镇里的问题", unit_id=world.township.id)
    with clock.frozen(MONDAY - timedelta(days=40)):
        entry(session, world, problem="上个月登记的问题")
    client = login_as(world.member)

    by_township = parse(client.get(f"/staff/ledger?unit={world.township.code}"))
    assert sorted(texts(by_township, ".ledger-problem")) == sorted(
        ["村里的问题", "镇里的问题", "上个月登记的问题"]
    )
    by_village = parse(client.get(f"/staff/ledger?unit={world.village.code}"))
    assert "镇里的问题" not in texts(by_village, ".ledger-problem")
    recent = parse(client.get("/staff/ledger?from=2026-10-15&to=2026-11-02"))
    assert sorted(texts(recent, ".ledger-problem")) == ["村里的问题", "镇里的问题"]
    unknown = parse(client.get("/staff/ledger?unit=999999999999"))
    assert "未找到该单位代码" in text(one(unknown, "#ledger-table .form-error"))


def test_unit_editor_sees_only_their_units_entries_and_cannot_create(session, world, login_as):
    entry(session, world, problem="甲村的问题")
    entry(session, world, problem="甲镇的问题", unit_id=world.township.id)
    client = login_as(world.editor)
    page = parse(client.get("/staff/ledger"))
    assert texts(page, ".ledger-problem") == ["甲村的问题"]
    assert page.select("a[href$='/staff/ledger/new']") == []
    assert client.get("/staff/ledger/new").status_code == 403


def test_export_xlsx_with_the_same_filters(session, world, login_as):
    item = entry(session, world, problem="逾期未整改", deadline=TODAY - timedelta(days=3))
    entry(session, world, problem="按期整改中")
    ledger.add_progress(
        session, principal=principal(session, world.editor), entry_id=item.id, body="已制定方案"
    )
    client = login_as(world.member)
    page = parse(client.get("/staff/ledger?status=overdue"))
    href = local(one(page, ".ledger-export")["href"])
    assert "status=overdue" in href

    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (
        "序号", "问题来源", "问题描述", "责任单位", "责任人", "整改措施", "整改时限",
        "整改进展", "完成情况", "销号情况",
    )  # fmt: skip
    assert len(rows) == 3
    assert rows[2][0] == 1
    assert rows[2][2] == "逾期未整改"
    assert rows[2][3] == "甲村"
    assert "已制定方案" in rows[2][7]
    assert rows[2][8] == "逾期"
    assert rows[2][9] == "未销号"


# --- New entries ------------------------------------------------------------------------------


def test_new_entry_by_hand_with_audit(session, world, login_as, csrf):
    client = login_as(world.member)
    form = parse(client.get("/staff/ledger/new"))
    assert one(form, "#ledger-form input[name=csrf_token]")["value"]

    response = post_form(
        client,
        "/staff/ledger/new",
        csrf,
        {
            "team": str(world.township_team.id),
            "unit": world.village.code,
            "source": "audit",
            "problem": "集体资产出租未公开招标",
            "responsible_person": "村委会主任",
            "measures": "重新公开招标",
            "deadline": "2026-12-31",
        },
    )
    assert response.status_code == 303
    created = session.exec(select(Rectification)).one()
    assert local(response.headers["location"]) == f"/staff/ledger/{created.id}?done=created"
    assert created.source is RectificationSource.AUDIT
    assert created.unit_id == world.village.id
    assert created.deadline == date(2026, 12, 31)
    assert audit_actions(session, created) == ["rectification.created"]

    page = parse(client.get(local(response.headers["location"])))
    assert text(one(page, ".notice")) == "已登记整改事项。"
    assert text(one(page, ".ledger-problem")) == "集体资产出租未公开招标"


def test_new_entry_422_keeps_the_input_and_saves_nothing(session, world, login_as, csrf):
    client = login_as(world.member)
    response = post_form(
        client,
        "/staff/ledger/new",
        csrf,
        {"unit": world.village.code, "problem": "", "deadline": "明天", "measures": "保留的措施"},
    )
    assert response.status_code == 422
    page = parse(response)
    assert text(one(page, "#error-problem")) == "请填写问题描述"
    assert text(one(page, "#error-deadline")) == "请填写整改时限（日期）"
    assert one(page, "#field-measures").get_text() == "保留的措施"
    assert session.exec(select(Rectification)).all() == []

    htmx = post_form(client, "/staff/ledger/new", csrf, {"unit": "没有这个单位"}, headers=HTMX)
    assert htmx.status_code == 422
    root = fragment_root(htmx)
    assert root["id"] == "ledger-form"
    assert "未找到该单位" in text(one(root, "#error-unit"))


def test_new_entry_needs_csrf_and_a_team(session, world, login_as, csrf):
    client = login_as(world.member)
    data = {"unit": world.village.code, "problem": "问题", "deadline": "2026-12-31"}
    assert post_form(client, "/staff/ledger/new", None, data).status_code == 403
    assert session.exec(select(Rectification)).all() == []
    # An admin reads every ledger but belongs to no team: nothing to create entries for.
    admin = login_as(world.admin)
    assert admin.get("/staff/ledger/new").status_code == 403
    assert post_form(admin, "/staff/ledger/new", csrf, data).status_code == 403


def test_new_entry_from_a_ticket_is_prefilled_and_linked(session, world, login_as, csrf):
    with clock.frozen(tf.MONDAY):
        ticket = tf.forwarded(session, world).ticket
    client = login_as(world.member)
    form = parse(client.get(f"/staff/ledger/new?ticket={ticket.number}"))
    assert ticket.number in text(one(form, ".ledger-source"))
    assert one(form, "#field-problem").get_text().strip()
    assert one(form, "input[name=unit_code][checked]")["value"] == world.village.code

    response = post_form(
        client,
        "/staff/ledger/new",
        csrf,
        {
            "ticket": ticket.number,
            "unit_code": world.village.code,
            "problem": "办证拖延",
            "deadline": "2026-11-30",
        },
    )
    assert response.status_code == 303
    created = session.exec(select(Rectification)).one()
    assert created.source is RectificationSource.TICKET
    assert created.ticket_id == ticket.id
    page = parse(client.get(f"/staff/ledger/{created.id}"))
    assert local(one(page, ".ledger-source a")["href"]) == f"/staff/tickets/{ticket.number}"
    # Another team's member cannot link the ticket.
    assert (
        login_as(world.outsider_member).get(f"/staff/ledger/new?ticket={ticket.number}").status_code
        == 404
    )


def test_new_entry_from_a_notice_takes_its_unit_and_due_date(session, world, login_as, csrf):
    notice = issued(session, world)
    client = login_as(world.member)
    form = parse(client.get(f"/staff/ledger/new?notice={notice.id}"))
    assert text(one(form, ".ledger-fixed-unit")) == "甲村"
    due = clock.to_local(notice.due_at).date().isoformat()
    assert one(form, "#field-deadline")["value"] == due

    response = post_form(
        client,
        "/staff/ledger/new",
        csrf,
        {"notice": str(notice.id), "problem": "村务公开栏未按时更新", "deadline": due},
    )
    assert response.status_code == 303
    created = session.exec(select(Rectification)).one()
    assert (created.source, created.notice_id, created.unit_id) == (
        RectificationSource.NOTICE,
        notice.id,
        world.village.id,
    )


def test_the_form_warns_when_the_notice_is_already_in_the_ledger(session, world, login_as, csrf):
    notice = issued(session, world)
    client = login_as(world.member)
    form = parse(client.get(f"/staff/ledger/new?notice={notice.id}"))
    assert form.select("#ledger-already") == []
    due = clock.to_local(notice.due_at).date().isoformat()
    post_form(
        client,
        "/staff/ledger/new",
        csrf,
        {"notice": str(notice.id), "problem": "村务公开栏未按时更新", "deadline": due},
    )
    entry = session.exec(select(Rectification)).one()

    warning = one(parse(client.get(f"/staff/ledger/new?notice={notice.id}")), "#ledger-already")

    assert "已从此督办通知书登记整改事项 1 条，同一问题请勿重复登记" in text(warning)
    assert "村务公开栏未按时更新 （整改中）" in text(warning)
    assert one(warning, "a")["href"].endswith(f"/staff/ledger/{entry.id}")


def test_new_entry_from_an_inspection_must_name_an_inspected_unit(session, world, login_as, csrf):
    inspection, _ = inspections.record_inspection(
        session,
        principal=principal(session, world.member),
        team_id=world.township_team.id,
        held_on=TODAY,
        subject="专项检查",
        unit_ids=[world.village.id, world.township.id],
    )
    client = login_as(world.member)
    form = parse(client.get(f"/staff/ledger/new?inspection={inspection.id}"))
    options = texts(form, "#field-inspection_unit option")
    assert options[1:] == ["甲镇", "甲村"]

    data = {"inspection": str(inspection.id), "problem": "台账不全", "deadline": "2026-11-30"}
    missing = post_form(client, "/staff/ledger/new", csrf, data)
    assert missing.status_code == 422
    assert text(one(parse(missing), "#error-inspection_unit")) == "请选择本次检查涉及的单位"
    data["inspection_unit"] = str(world.village.id)
    assert post_form(client, "/staff/ledger/new", csrf, data).status_code == 303
    created = session.exec(select(Rectification)).one()
    assert created.inspection_id == inspection.id
    assert created.source is RectificationSource.INSPECTION


# --- An entry's page and actions --------------------------------------------------------------


def test_detail_full_page_and_fragment_and_scope(session, world, login_as):
    item = entry(session, world)
    client = login_as(world.editor)
    page = parse(client.get(f"/staff/ledger/{item.id}"))
    assert text(one(page, ".ledger-unit")) == "甲村"
    assert text(one(page, ".ledger-status")) == "整改中"
    # The unit reports; only the team verifies or edits.
    assert {d["id"] for d in page.select("details.action")} == {
        "action-progress",
        "action-submit",
    }
    fragment = client.get(f"/staff/ledger/{item.id}", headers=HTMX)
    assert fragment_root(fragment)["id"] == "ledger-detail"

    assert login_as(world.other_editor).get(f"/staff/ledger/{item.id}").status_code == 404
    assert login_as(world.outsider_member).get(f"/staff/ledger/{item.id}").status_code == 404
    assert login_as(world.admin).get(f"/staff/ledger/{item.id}").status_code == 200
    assert login_as(world.member).get("/staff/ledger/999999").status_code == 404


def test_unit_reports_progress_with_evidence_and_submits(session, world, login_as, csrf):
    item = entry(session, world)
    client = login_as(world.editor)
    response = client.post(
        f"/staff/ledger/{item.id}/progress",
        data={"csrf_token": csrf, "body": "已召开村民代表会议"},
        files=[("files", ("整改方案.pdf", pdf_bytes(), "application/pdf"))],
    )
    assert response.status_code == 303
    assert local(response.headers["location"]) == f"/staff/ledger/{item.id}?done=progress"
    page = parse(client.get(local(response.headers["location"])))
    assert texts(page, ".ledger-note .timeline-body") == ["已召开村民代表会议"]
    link = one(page, ".ledger-files a")
    assert text(link) == "整改方案.pdf"
    download = client.get(local(link["href"]))
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert "attachment" in download.headers["content-disposition"]
    assert login_as(world.other_editor).get(local(link["href"])).status_code == 404

    client = login_as(world.editor)
    response = post_form(
        client, f"/staff/ledger/{item.id}/submit", csrf, {"completion": "已全部更新"}
    )
    assert response.status_code == 303
    session.refresh(item)
    assert item.status is RectificationStatus.SUBMITTED
    assert audit_actions(session, item) == [
        "rectification.created",
        "rectification.progressed",
        "rectification.submitted",
    ]


def test_team_verifies_with_a_public_summary(session, world, login_as, csrf):
    item = submitted(session, world)
    client = login_as(world.lead)
    response = post_form(
        client,
        f"/staff/ledger/{item.id}/verify",
        csrf,
        {"note": "经实地核查，公开栏已更新", "public_summary": "村务公开栏已按月更新。"},
        headers=HTMX,
    )
    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "ledger-detail"
    assert text(one(root, ".notice")) == "已销号。"
    assert text(one(root, ".ledger-public-summary")) == "村务公开栏已按月更新。"
    session.refresh(item)
    assert item.status is RectificationStatus.VERIFIED
    assert item.public_summary == "村务公开栏已按月更新。"
    event = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "rectification.verified")
    ).one()
    assert event.data["public_summary"] == "村务公开栏已按月更新。"
    # Closed for good: no more actions on the page.
    page = parse(client.get(f"/staff/ledger/{item.id}"))
    assert page.select("details.action") == []


def test_team_rejects_with_reasons(session, world, login_as, csrf):
    item = submitted(session, world)
    client = login_as(world.member)
    response = post_form(client, f"/staff/ledger/{item.id}/reject", csrf, {"reason": "缺少照片"})
    assert response.status_code == 303
    session.refresh(item)
    assert item.status is RectificationStatus.IN_PROGRESS
    assert item.verification_note == "缺少照片"
    assert audit_actions(session, item)[-1] == "rectification.rejected"


def test_team_edits_an_entry(session, world, login_as, csrf):
    item = entry(session, world)
    client = login_as(world.member)
    response = post_form(
        client,
        f"/staff/ledger/{item.id}/edit",
        csrf,
        {
            "problem": "改过的问题",
            "responsible_person": "李四",
            "measures": "",
            "deadline": "2027-01-15",
        },
    )
    assert response.status_code == 303
    session.refresh(item)
    assert (item.problem, item.responsible_person, item.deadline) == (
        "改过的问题",
        "李四",
        date(2027, 1, 15),
    )
    assert audit_actions(session, item)[-1] == "rectification.updated"


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("verify", {"note": ""}, "note", "请填写销号意见"),
        ("reject", {"reason": " "}, "reason", "请填写退回理由"),
    ],
)
def test_team_actions_422_with_the_form_open(
    session, world, login_as, csrf, action, data, field, message
):
    item = submitted(session, world)
    response = post_form(login_as(world.lead), f"/staff/ledger/{item.id}/{action}", csrf, data)
    assert response.status_code == 422
    page = parse(response)
    assert one(page, f"#action-{action}").has_attr("open")
    assert text(one(page, f"#error-{field}")) == message
    session.refresh(item)
    assert item.status is RectificationStatus.SUBMITTED


def test_an_action_the_state_does_not_allow_is_422_with_the_reason(session, world, login_as, csrf):
    item = entry(session, world)
    response = post_form(
        login_as(world.lead), f"/staff/ledger/{item.id}/verify", csrf, {"note": "销号"}
    )
    assert response.status_code == 422
    assert "只有已整改待验收的事项可以销号" in text(one(parse(response), ".error-summary"))
    session.refresh(item)
    assert item.status is RectificationStatus.IN_PROGRESS


@pytest.mark.parametrize("action", ["verify", "reject", "edit"])
def test_team_actions_are_403_for_the_unit_and_404_outside(session, world, login_as, csrf, action):
    item = submitted(session, world)
    data = {"note": "x", "reason": "x", "problem": "x", "deadline": "2027-01-01"}
    url = f"/staff/ledger/{item.id}/{action}"
    assert post_form(login_as(world.editor), url, csrf, data).status_code == 403
    assert post_form(login_as(world.outsider_member), url, csrf, data).status_code == 404
    # An admin reads the county's ledger but is not on the team that verifies.
    assert post_form(login_as(world.admin), url, csrf, data).status_code == 403
    assert post_form(login_as(world.lead), url, None, data).status_code == 403
    session.refresh(item)
    assert item.status is RectificationStatus.SUBMITTED
    assert item.problem == "村务公开栏未按时更新"


@pytest.mark.parametrize("action", ["progress", "submit"])
def test_unit_actions_are_404_for_other_units_and_403_for_the_admin(
    session, world, login_as, csrf, action
):
    item = entry(session, world)
    data = {"body": "进展", "completion": "完成"}
    url = f"/staff/ledger/{item.id}/{action}"
    assert post_form(login_as(world.other_editor), url, csrf, data).status_code == 404
    assert post_form(login_as(world.admin), url, csrf, data).status_code == 403
    session.refresh(item)
    assert item.status is RectificationStatus.IN_PROGRESS
    assert audit_actions(session, item) == ["rectification.created"]


def test_the_unit_field_searches_live(session, world, login_as):
    client = login_as(world.member)
    field = one(parse(client.get("/staff/ledger/new")), "#field-unit")
    assert field["hx-get"].endswith("/staff/ledger/new")

    root = fragment_root(client.get("/staff/ledger/new?unit=甲", headers=HTMX))

    assert root["id"] == "unit-candidates"
    assert f"甲村 村 · {world.village.code}" in texts(root, "label")
