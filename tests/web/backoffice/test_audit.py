"""/staff/audit: the log with filters, local times, zh-CN wording, and hash-chain verification."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sql
from sqlmodel import col, select

from app.account import service as account_service
from app.audit import service as audit_service
from app.audit.models import AuditEvent
from app.core import clock
from tests.html import one, parse, text, texts

HX = {"HX-Request": "true"}


@pytest.fixture
def logged(session, world) -> dict[str, AuditEvent]:
    """A few real events: a role granted (by admin1), a unit edit at a known time (by system)."""
    account_service.grant_role(
        session,
        user=world.editor,
        role="unit_editor",
        unit_code=world.township.code,
        actor=world.admin,
    )
    granted = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    with clock.frozen(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)):
        unit_event = audit_service.record(
            session,
            actor=None,
            action="unit.updated",
            object_type="unit",
            object_id=world.village.id,
            data={"hotline": "0574-1234"},
        )
    return {"granted": granted, "unit": unit_event}


def row_ids(response) -> list[str]:
    return [row["id"] for row in parse(response).select("tr.audit-row")]


def test_audit_page_shows_events_newest_first_in_chinese(client, login_as, world, logged):
    response = login_as(world.admin).get("/staff/audit")
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "审计日志"
    granted = one(page, f"#event-{logged['granted'].id}")
    assert text(one(granted, ".audit-actor")) == "admin1"
    assert text(one(granted, ".audit-description")) == "授予角色：单位填报人员"
    assert text(one(granted, ".audit-object")) == f"用户 #{world.editor.id}"
    assert one(granted, ".audit-object a")["href"].endswith(f"/staff/users/{world.editor.id}")
    assert texts(granted, ".audit-data dt") == ["角色", "单位 ID", "监督单位 ID"]
    assert texts(granted, ".audit-data dd")[0] == "单位填报人员"
    unit_row = one(page, f"#event-{logged['unit'].id}")
    # 16:30 UTC is half past midnight the next day in Shanghai.
    assert text(one(unit_row, ".audit-time")) == "2026-03-02 00:30:00"
    assert text(one(unit_row, ".audit-actor")) == "system"
    assert text(one(unit_row, ".audit-description")) == "修改单位"
    ids = [int(i.removeprefix("event-")) for i in row_ids(response)]
    assert ids == sorted(ids, reverse=True)
    filters = one(page, "form#audit-filters")
    assert (filters["method"], filters["hx-target"]) == ("get", "#audit-table")
    assert "account.role_granted" in [
        o["value"] for o in filters.select("select[name=action] option")
    ]


def test_audit_table_fragment(client, login_as, world, logged):
    response = login_as(world.admin).get("/staff/audit", headers=HX)
    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert page.find("h1") is None
    one(page, "section#audit-table")
    assert not page.select("#audit-filters")


def test_filters(client, login_as, world, logged):
    browser = login_as(world.admin)
    granted, unit = f"event-{logged['granted'].id}", f"event-{logged['unit'].id}"

    assert row_ids(browser.get("/staff/audit?action=unit.updated", headers=HX)) == [unit]
    assert row_ids(browser.get("/staff/audit?actor=admin1", headers=HX)) == [granted]
    assert row_ids(
        browser.get(f"/staff/audit?object_type=unit&object_id={world.village.id}", headers=HX)
    ) == [unit]
    in_range = browser.get(
        "/staff/audit?date_from=2026-03-02&date_to=2026-03-02&actor=system", headers=HX
    )
    assert row_ids(in_range) == [unit]
    before = browser.get("/staff/audit?date_to=2026-03-01&actor=system", headers=HX)
    assert row_ids(before) == []
    assert text(one(parse(before), ".empty")) == "没有符合条件的记录。"


def test_filter_values_stay_in_the_form_and_pager(client, login_as, session, world):
    for n in range(55):
        audit_service.record(session, actor=None, action="unit.updated", object_id=n)
    page = parse(login_as(world.admin).get("/staff/audit?action=unit.updated"))
    assert one(page, "select[name=action] option[selected]")["value"] == "unit.updated"
    assert text(one(page, "#event-count")) == "55"
    assert one(page, "a[rel=next]")["href"].endswith("/staff/audit?page=2&action=unit.updated")


def test_a_bad_date_is_reported_in_chinese(client, login_as, world, logged):
    response = login_as(world.admin).get("/staff/audit?date_from=2026-13-01", headers=HX)
    assert response.status_code == 422
    page = parse(response)
    assert texts(page, ".filter-error") == ["日期格式应为 年-月-日，例如 2026-03-01"]
    assert page.select("tr.audit-row"), "the unfiltered log is still shown"
    reversed_range = login_as(world.admin).get(
        "/staff/audit?date_from=2026-03-02&date_to=2026-03-01", headers=HX
    )
    assert texts(parse(reversed_range), ".filter-error") == ["结束日期不能早于开始日期"]


# --- verification -------------------------------------------------------------------------------


def test_verify_reports_an_intact_chain(client, login_as, csrf, session, world, logged):
    head = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    total = len(session.exec(select(AuditEvent.id)).all())

    response = login_as(world.admin).post(
        "/staff/audit/verify", data={"csrf_token": csrf}, headers=HX
    )

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1") is None
    one(page, "section#audit-verify")
    assert text(one(page, ".verify-ok strong")) == "哈希链完整。"
    assert text(one(page, ".verify-count")) == str(total)
    assert text(one(page, ".verify-head")) == head.hash


def test_verify_without_javascript_shows_the_whole_page(client, login_as, csrf, world, logged):
    response = login_as(world.admin).post("/staff/audit/verify", data={"csrf_token": csrf})
    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "审计日志"
    one(page, ".verify-ok")
    one(page, "section#audit-table")


def test_verify_reports_a_tampered_row(client, login_as, csrf, session, world, logged):
    victim = logged["granted"]
    session.execute(
        sql('UPDATE audit_event SET data = \'{"role": "admin"}\' WHERE id = :id'),
        {"id": victim.id},
    )
    session.expire_all()

    response = login_as(world.admin).post(
        "/staff/audit/verify", data={"csrf_token": csrf}, headers=HX
    )

    page = parse(response)
    assert not page.select(".verify-ok")
    assert text(one(page, ".verify-bad-id")) == f"#{victim.id}"
    assert "内容与哈希不符" in text(one(page, ".verify-bad"))


def test_verify_needs_csrf(client, login_as, world):
    response = login_as(world.admin).post("/staff/audit/verify")
    assert response.status_code == 403


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
def test_audit_is_admin_only(client, login_as, csrf, session, world, who):
    # Each refusal rolls the request's transaction back; keep the test's users out of it.
    session.commit()
    browser = login_as(getattr(world, who))
    for response in (
        browser.get("/staff/audit"),
        browser.get("/staff/audit", headers=HX),
        browser.post("/staff/audit/verify", data={"csrf_token": csrf}),
    ):
        assert response.status_code == 403
        assert "您没有执行此操作的权限" in text(one(parse(response), "#error-box"))
