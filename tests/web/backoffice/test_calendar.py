"""/staff/calendar — the year grid, date overrides, deadline policies and the 试算 form."""

from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlmodel import col, select
from starlette.requests import Request

from app.account.service import load_principal
from app.audit.models import AuditEvent
from app.calendar import service as calendar_service
from app.calendar.models import CalendarOverride, DeadlinePolicy
from app.core import clock
from app.ticket.models import Category
from app.web.backoffice import calendar as calendar_web
from app.web.templating import templates
from tests.html import one, parse, text, texts

HTMX = {"HX-Request": "true"}
UNKNOWN_YEAR = 2031


def fragment_root(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page.find(True)


def local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def audit(session, action: str) -> list[AuditEvent]:
    statement = select(AuditEvent).where(col(AuditEvent.action) == action)
    return list(session.exec(statement.order_by(col(AuditEvent.id))).all())


def overrides(session) -> list[tuple[str, bool, str]]:
    rows = session.exec(select(CalendarOverride).order_by(col(CalendarOverride.day))).all()
    return [(row.day.isoformat(), row.is_workday, row.note) for row in rows]


# Seeded by the ticket migration (app.ticket.categories.DEFAULT_CATEGORIES).
FEES = "illegal_fees"  # 违规收费, a complaint category


# --- The year grid -----------------------------------------------------------------------------


def test_year_grid_shows_holidays_makeup_days_and_weekends(login_as, world):
    response = login_as(world.admin).get("/staff/calendar?year=2026")

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "#calendar-year-title")) == "2026 年"
    assert len(page.select("table.calendar-month")) == 12
    national_day = one(page, "#day-2026-10-01")
    assert "day-holiday" in national_day["class"]
    assert text(one(national_day, ".day-label")) == "国庆节"
    makeup = one(page, "#day-2026-10-10")
    assert "day-makeup" in makeup["class"]
    assert "国庆节调休上班" in text(makeup)
    assert "day-weekend" in one(page, "#day-2026-10-11")["class"]
    assert "day-workday" in one(page, "#day-2026-10-09")["class"]
    assert not page.select("#year-warning")
    # The nav entry is there and current.
    nav = one(page, "nav.staff-nav a[aria-current=page]")
    assert text(nav) == "工作日历"
    form = one(page, "form#override-form")
    assert form["method"] == "post"
    assert local(form["action"]) == "/staff/calendar/overrides"
    assert one(form, "input[name=csrf_token]")
    assert one(page, "link[href$='css/calendar.css']")


def test_default_year_is_the_current_local_year(login_as, world):
    # 2026-12-31 17:00 UTC is already 2027-01-01 in Beijing.
    with clock.frozen(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)):
        page = parse(login_as(world.admin).get("/staff/calendar"))

    assert text(one(page, "#calendar-year-title")) == "2027 年"
    assert text(one(page, "#year-warning")).startswith(
        "2027 年的法定节假日尚未收录，当前按周末计算，请在工作日历中补录"
    )


def test_unknown_year_warns_and_falls_back_to_weekends(login_as, world):
    page = parse(login_as(world.admin).get(f"/staff/calendar?year={UNKNOWN_YEAR}"))

    assert text(one(page, "#year-warning")).startswith(
        f"{UNKNOWN_YEAR} 年的法定节假日尚未收录，当前按周末计算，请在工作日历中补录"
    )
    october_first = one(page, f"#day-{UNKNOWN_YEAR}-10-01")
    assert "day-workday" in october_first["class"]
    assert "day-fallback" in october_first["class"]


def test_year_fragment_for_htmx_navigation(login_as, world):
    response = login_as(world.admin).get("/staff/calendar?year=2025", headers=HTMX)

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    root = fragment_root(response)
    assert root["id"] == "calendar-year"
    assert text(one(root, "#calendar-year-title")) == "2025 年"
    links = {a["rel"][0]: a for a in root.select(".calendar-nav a")}
    assert local(links["prev"]["href"]) == "/staff/calendar?year=2024"
    assert links["next"]["hx-get"].endswith("/staff/calendar?year=2026")


def test_year_out_of_range_is_refused(login_as, world):
    assert login_as(world.admin).get("/staff/calendar?year=1900").status_code == 422


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
def test_only_admins_may_open_the_calendar(login_as, world, who):
    client = login_as(getattr(world, who))

    assert client.get("/staff/calendar").status_code == 403
    assert client.get("/staff/calendar/policies").status_code == 403
    assert client.get("/staff/calendar/trial?start_date=2026-09-28").status_code == 403
    dashboard = parse(client.get("/staff"))
    assert "工作日历" not in texts(dashboard, "nav.staff-nav a")


def test_signed_out_users_are_sent_to_login(client):
    response = client.get("/staff/calendar")

    assert response.status_code in (302, 303, 401)


# --- Overrides --------------------------------------------------------------------------------


def test_set_override_without_js_redirects_and_shows_the_day(session, login_as, world, csrf):
    client = login_as(world.admin)
    form = {"day": "2031-10-01", "status": "rest", "note": "国庆节", "year": "2031"}

    response = client.post("/staff/calendar/overrides", data={**form, "csrf_token": csrf})

    assert response.status_code == 303
    assert response.headers["location"] == "/staff/calendar?year=2031&done=set"
    assert overrides(session) == [("2031-10-01", False, "国庆节")]
    [event] = audit(session, "calendar.override_set")
    assert event.actor_id == world.admin.id
    page = parse(client.get(response.headers["location"]))
    assert text(one(page, "#calendar-notice")) == "已保存日期调整。"
    cell = one(page, "#day-2031-10-01")
    assert {"day-holiday", "day-override"} <= set(cell["class"])
    assert text(one(cell, ".day-label")) == "国庆节"
    row = one(page, "#override-2031-10-01")
    assert texts(row, "td")[:3] == ["2031-10-01（周三）", "休息", "国庆节"]
    # An override for the year means the admin has entered it: no more warning.
    assert not page.select("#year-warning")
    assert one(page, "#year-covered-by-overrides")


def test_set_override_with_htmx_returns_the_year(session, login_as, world, csrf):
    response = login_as(world.admin).post(
        "/staff/calendar/overrides",
        data={"day": "2031-10-11", "status": "work", "note": "国庆调休", "year": "2031"},
        headers={**HTMX, "X-CSRF-Token": csrf},
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "calendar-year"
    assert "day-makeup" in one(root, "#day-2031-10-11")["class"]
    assert text(one(root, "#calendar-notice")) == "已保存日期调整。"
    assert overrides(session) == [("2031-10-11", True, "国庆调休")]


def test_set_override_errors_keep_the_input(session, login_as, world, csrf):
    response = login_as(world.admin).post(
        "/staff/calendar/overrides",
        data={
            "day": "2031-13-01",
            "status": "",
            "note": "备注",
            "year": "2031",
            "csrf_token": csrf,
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "calendar-year"
    assert text(one(root, "#error-day")) == "日期格式应为 2027-10-01"
    assert text(one(root, "#error-status")) == "请选择上班或休息"
    assert one(root, "#field-day")["value"] == "2031-13-01"
    assert one(root, "#field-note")["value"] == "备注"
    assert text(one(root, "#calendar-year-title")) == "2031 年"
    assert overrides(session) == []


def test_set_override_errors_without_js_render_the_page(login_as, world, csrf):
    response = login_as(world.admin).post(
        "/staff/calendar/overrides",
        data={"day": "", "status": "rest", "year": "2031", "csrf_token": csrf},
    )

    assert response.status_code == 422
    page = parse(response)
    assert one(page, "html")
    assert text(one(page, "#error-day")) == "请选择日期"


def test_set_override_without_csrf_changes_nothing(session, login_as, world):
    response = login_as(world.admin).post(
        "/staff/calendar/overrides", data={"day": "2031-10-01", "status": "rest"}
    )

    assert response.status_code == 403
    assert overrides(session) == []


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
def test_non_admins_may_not_set_or_delete_overrides(session, login_as, world, csrf, who):
    row = calendar_service.set_override(
        session, day="2031-10-01", is_workday="rest", actor=world.admin
    )
    client = login_as(getattr(world, who))

    set_response = client.post(
        "/staff/calendar/overrides",
        data={"day": "2031-10-02", "status": "rest", "csrf_token": csrf},
    )
    delete_response = client.post(
        f"/staff/calendar/overrides/{row.id}/delete", data={"csrf_token": csrf}
    )

    assert (set_response.status_code, delete_response.status_code) == (403, 403)
    assert overrides(session) == [("2031-10-01", False, "")]


def test_delete_override(session, login_as, world, csrf):
    row = calendar_service.set_override(
        session, day="2031-10-01", is_workday="rest", note="国庆节", actor=world.admin
    )
    client = login_as(world.admin)
    page = parse(client.get("/staff/calendar?year=2031"))
    delete_form = one(page, "#override-2031-10-01 form")
    assert local(delete_form["action"]) == f"/staff/calendar/overrides/{row.id}/delete"

    response = client.post(local(delete_form["action"]), data={"csrf_token": csrf})

    assert response.status_code == 303
    assert response.headers["location"] == "/staff/calendar?year=2031&done=deleted"
    assert overrides(session) == []
    [event] = audit(session, "calendar.override_deleted")
    assert event.data["day"] == "2031-10-01"


def test_delete_override_with_htmx_and_unknown_id(session, login_as, world, csrf):
    row = calendar_service.set_override(
        session, day="2031-10-01", is_workday="rest", actor=world.admin
    )
    client = login_as(world.admin)
    headers = {**HTMX, "X-CSRF-Token": csrf}

    response = client.post(f"/staff/calendar/overrides/{row.id}/delete", headers=headers)
    missing = client.post(f"/staff/calendar/overrides/{row.id}/delete", headers=headers)

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "calendar-year"
    assert not root.select(".override-row")
    assert missing.status_code == 404


def test_delete_override_without_csrf_changes_nothing(session, login_as, world):
    row = calendar_service.set_override(
        session, day="2031-10-01", is_workday="rest", actor=world.admin
    )

    response = login_as(world.admin).post(f"/staff/calendar/overrides/{row.id}/delete")

    assert response.status_code == 403
    assert overrides(session) == [("2031-10-01", False, "")]


# --- Deadline policies ------------------------------------------------------------------------


def policy_rows(session) -> list[tuple[str, str | None, str, int, str]]:
    rows = session.exec(select(DeadlinePolicy).order_by(col(DeadlinePolicy.id))).all()
    return [(r.kind, r.category_code, r.clock.value, r.amount, r.unit.value) for r in rows]


def test_policy_table_lists_defaults(login_as, world):
    response = login_as(world.admin).get("/staff/calendar/policies")

    assert response.status_code == 200
    page = parse(response)
    row = one(page, "#policy-report--acknowledge")
    assert texts(row, "th, td")[:5] == ["检举控告", "全部分类", "受理告知", "15 个工作日", "默认"]
    assert texts(one(page, "#policy-report--resolve"), "td")[2] == "60 个自然日"
    assert texts(one(page, "#policy-complaint--resolve"), "td")[2] == "7 个工作日"
    assert texts(one(page, "#policy-suggestion--rating"), "td")[2] == "7 个自然日"
    edit = one(row, "a")
    assert local(edit["href"]) == "/staff/calendar/policies?edit=report..acknowledge"
    assert one(page, "form[action$='/staff/calendar/trial']")["method"] == "get"
    assert text(one(page, "nav.staff-nav a[aria-current=page]")) == "工作日历"


def test_per_category_form_needs_categories(session, login_as, world):
    for category in session.exec(select(Category)).all():
        session.delete(category)
    session.flush()

    page = parse(login_as(world.admin).get("/staff/calendar/policies"))

    assert not page.select("#category-policy-form")
    assert text(one(page, "#no-categories")).startswith("尚未设置投诉分类")


def test_policy_table_fragment(login_as, world):
    response = login_as(world.admin).get("/staff/calendar/policies", headers=HTMX)

    assert response.headers["Vary"] == "HX-Request"
    assert fragment_root(response)["id"] == "policy-table"


def test_edit_row_opens_inline_form(login_as, world):
    response = login_as(world.admin).get(
        "/staff/calendar/policies?edit=complaint..resolve", headers=HTMX
    )

    root = fragment_root(response)
    assert root["id"] == "policy-table"
    row = one(root, "#policy-complaint--resolve")
    assert "editing" in row["class"]
    form = one(row, "form")
    assert form["method"] == "post"
    assert local(form["action"]) == "/staff/calendar/policies"
    assert one(form, "input[name=csrf_token]")
    assert one(form, "input[name=amount]")["value"] == "7"
    assert one(form, "select[name=unit] option[selected]")["value"] == "working"
    # Only that row is in edit mode.
    assert len(root.select("tr.editing")) == 1


def test_update_policy_without_js(session, login_as, world, csrf):
    client = login_as(world.admin)
    form = {
        "source": "row",
        "kind": "complaint",
        "category_code": "",
        "clock": "resolve",
        "amount": "5",
        "unit": "working",
        "csrf_token": csrf,
    }

    response = client.post("/staff/calendar/policies", data=form)

    assert response.status_code == 303
    assert response.headers["location"] == "/staff/calendar/policies?done=saved"
    assert policy_rows(session) == [("complaint", None, "resolve", 5, "working")]
    [event] = audit(session, "calendar.policy_updated")
    assert event.data["amount"] == {"from": 7, "to": 5}
    page = parse(client.get(response.headers["location"]))
    assert text(one(page, "#policy-notice")) == "已保存办理时限。"
    row = one(page, "#policy-complaint--resolve")
    assert texts(row, "td")[2:4] == ["5 个工作日", "已调整（默认 7 个工作日）"]


def test_update_policy_with_htmx_and_errors(session, login_as, world, csrf):
    client = login_as(world.admin)
    headers = {**HTMX, "X-CSRF-Token": csrf}
    form = {"source": "row", "kind": "report", "clock": "resolve", "unit": "calendar"}

    bad = client.post("/staff/calendar/policies", data={**form, "amount": "0"}, headers=headers)
    good = client.post("/staff/calendar/policies", data={**form, "amount": "45"}, headers=headers)

    assert bad.status_code == 422
    root = fragment_root(bad)
    assert root["id"] == "policy-table"
    row = one(root, "#policy-report--resolve")
    assert text(one(row, "#error-amount")) == "天数须大于 0"
    assert one(row, "input[name=amount]")["value"] == "0"
    assert good.status_code == 200
    root = fragment_root(good)
    assert texts(one(root, "#policy-report--resolve"), "td")[2] == "45 个自然日"
    assert policy_rows(session) == [("report", None, "resolve", 45, "calendar")]


def test_update_policy_without_csrf_changes_nothing(session, login_as, world):
    response = login_as(world.admin).post(
        "/staff/calendar/policies",
        data={"kind": "complaint", "clock": "resolve", "amount": "5", "unit": "working"},
    )

    assert response.status_code == 403
    assert policy_rows(session) == []


@pytest.mark.parametrize("who", ["lead", "member", "editor"])
def test_non_admins_may_not_change_policies(session, login_as, world, csrf, who):
    row = calendar_service.update_policy(
        session, kind="complaint", clock="resolve", amount=5, unit="working", actor=world.admin
    )
    client = login_as(getattr(world, who))

    update = client.post(
        "/staff/calendar/policies",
        data={"kind": "complaint", "clock": "resolve", "amount": "3", "unit": "working"},
        headers={"X-CSRF-Token": csrf},
    )
    reset = client.post(f"/staff/calendar/policies/{row.id}/reset", headers={"X-CSRF-Token": csrf})

    assert (update.status_code, reset.status_code) == (403, 403)
    assert policy_rows(session) == [("complaint", None, "resolve", 5, "working")]


def test_category_rule_added_shown_and_reset(session, login_as, world, csrf):
    client = login_as(world.admin)
    page = parse(client.get("/staff/calendar/policies"))
    add_form = one(page, "form#category-policy-form")
    assert "违规收费（投诉）" in texts(add_form, "select[name=category_code] option")

    response = client.post(
        "/staff/calendar/policies",
        data={
            "source": "add",
            "category_code": FEES,
            "clock": "resolve",
            "amount": "3",
            "unit": "working",
            "csrf_token": csrf,
        },
    )

    assert response.status_code == 303
    # The rule takes the category's kind.
    assert policy_rows(session) == [("complaint", FEES, "resolve", 3, "working")]
    page = parse(client.get("/staff/calendar/policies"))
    row = one(page, "#policy-complaint-illegal_fees-resolve")
    assert texts(row, "th, td")[:5] == [
        "投诉",
        "违规收费",
        "办结",
        "3 个工作日",
        "已调整（按类型 7 个工作日）",
    ]
    reset_form = one(row, "form")
    reset = client.post(local(reset_form["action"]), data={"csrf_token": csrf})
    assert reset.status_code == 303
    assert reset.headers["location"] == "/staff/calendar/policies?done=reset"
    assert policy_rows(session) == []
    [event] = audit(session, "calendar.policy_reset")
    assert event.data["category_code"] == FEES


def test_category_rule_errors(session, login_as, world, csrf):
    client = login_as(world.admin)
    headers = {**HTMX, "X-CSRF-Token": csrf}

    none = client.post(
        "/staff/calendar/policies",
        data={"source": "add", "category_code": "", "clock": "resolve", "amount": "3"},
        headers=headers,
    )
    unknown = client.post(
        "/staff/calendar/policies",
        data={
            "source": "add",
            "kind": "complaint",
            "category_code": "nope",
            "clock": "resolve",
            "amount": "3",
            "unit": "working",
        },
        headers=headers,
    )

    assert none.status_code == 422
    assert text(one(fragment_root(none), "#category-policy-form #error-category_code")) == (
        "请选择分类"
    )
    assert unknown.status_code == 422
    assert text(one(fragment_root(unknown), "#error-category_code")) == "未找到该分类"
    assert policy_rows(session) == []


def test_reset_policy_with_htmx(session, login_as, world, csrf):
    row = calendar_service.update_policy(
        session, kind="complaint", clock="resolve", amount=5, unit="working", actor=world.admin
    )

    response = login_as(world.admin).post(
        f"/staff/calendar/policies/{row.id}/reset", headers={**HTMX, "X-CSRF-Token": csrf}
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert texts(one(root, "#policy-complaint--resolve"), "td")[2:4] == ["7 个工作日", "默认"]
    assert text(one(root, "#policy-notice")) == "已恢复默认时限。"


def test_reset_policy_without_csrf_changes_nothing(session, login_as, world):
    row = calendar_service.update_policy(
        session, kind="complaint", clock="resolve", amount=5, unit="working", actor=world.admin
    )

    response = login_as(world.admin).post(f"/staff/calendar/policies/{row.id}/reset")

    assert response.status_code == 403
    assert len(policy_rows(session)) == 1


# --- 试算 --------------------------------------------------------------------------------------


def test_trial_full_page_shows_due_date_and_explanation(login_as, world):
    response = login_as(world.admin).get(
        "/staff/calendar/trial?kind=report&clock=acknowledge&start_date=2026-09-28&start_time=10:00"
    )

    assert response.status_code == 200
    page = parse(response)
    assert one(page, "#policy-table")
    assert text(one(page, "#trial-rule")) == "15 个工作日"
    assert text(one(page, "#trial-due")) == "2026-10-23（周五）24 时"
    assert text(one(page, "#trial-explanation")) == (
        "自 9月28日 起算 15 个工作日（起算当日不计入），跳过 国庆节 休息日 10月1日–10月7日，"
        "计入 调休上班日 10月10日，截至 10月23日 24时"
    )
    assert one(page, "#field-start_date")["value"] == "2026-09-28"


def test_trial_fragment_uses_category_rule_and_warns_on_fallback(session, login_as, world):
    calendar_service.update_policy(
        session,
        kind="complaint",
        category_code=FEES,
        clock="resolve",
        amount=3,
        unit="working",
        actor=world.admin,
    )

    response = login_as(world.admin).get(
        f"/staff/calendar/trial?kind=complaint&category_code={FEES}&clock=resolve"
        f"&start_date={UNKNOWN_YEAR}-09-30",
        headers=HTMX,
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "trial-form"
    assert text(one(root, "#trial-rule")) == "3 个工作日"
    assert text(one(root, "#trial-due")) == f"{UNKNOWN_YEAR}-10-03（周五）24 时"
    assert f"{UNKNOWN_YEAR} 年的法定节假日尚未收录" in text(one(root, ".trial-fallback"))


def test_trial_errors(login_as, world):
    response = login_as(world.admin).get(
        f"/staff/calendar/trial?kind=report&category_code={FEES}&clock=resolve&start_date=bad",
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert text(one(root, "#error-category_code")) == "该分类不属于所选类型"
    assert text(one(root, "#error-start_date")) == "请选择起算日期，格式如 2026-09-28"
    assert not root.select("#trial-result")


# --- Dashboard warning ------------------------------------------------------------------------


def render_warning(app, warning: str | None):
    scope = {
        "type": "http",
        "app": app,
        "router": app.router,
        "method": "GET",
        "scheme": "http",
        "server": ("testserver", 80),
        "path": "/staff",
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    template = templates.env.get_template("backoffice/calendar/warning.html")
    return parse(
        SimpleNamespace(text=template.render(request=Request(scope), calendar_warning=warning))
    )


def test_dashboard_warning_for_admins_only(app, session, world):
    with clock.frozen(datetime(2026, 11, 22, 2, 0, tzinfo=UTC)):
        admin = calendar_web.dashboard_warning(session, load_principal(session, user=world.admin))
        lead = calendar_web.dashboard_warning(session, load_principal(session, user=world.lead))

    assert admin == "2027 年的法定节假日尚未收录，当前按周末计算，请在工作日历中补录"
    assert lead is None
    shown = render_warning(app, admin)
    assert text(one(shown, "#calendar-warning")).startswith(admin)
    assert local(one(shown, "#calendar-warning a")["href"]) == "/staff/calendar"
    assert not render_warning(app, None).select("#calendar-warning")
