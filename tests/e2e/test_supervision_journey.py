"""Supervision follow-through end to end in Chromium, against the seeded 宁海 demo:

跃龙街道纪工委's lead (lead.yuelong) opens an overdue complaint of the team and issues a 督办通知书
in one step from the ticket page; the handling unit's editor signs for it and reports the
rectification with an evidence picture; the lead accepts the report, lists the notice in the
整改台账, the unit submits the entry and the lead verifies it (销号) with a public summary. The
dashboard's figures move by one each; the ledger exports as .xlsx and the period report downloads
as .docx. Every step leaves a screenshot in test-artifacts/screenshots/.

The two screen sizes share one demo server and every step changes it, so each size follows its
own overdue ticket: 五丰社区's (its own editor) on the phone, 车河社区's (跃龙街道's editor, whose
scope includes the communities below it) on the desktop. The demo's own one-step notice went to
the oldest overdue complaint (滨溪社区), neither of these.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import NoOverflow, Screen

pytestmark = pytest.mark.browser

LEAD = ("lead.yuelong", "Lead@2026")


@dataclass(frozen=True)
class Case:
    ticket_text: str  # searched in the lead's inbox (the complaint's own words)
    unit: str
    editor: tuple[str, str]


CASES = {
    "phone": Case(
        "窗口对前来咨询养老补贴的老人态度生硬", "五丰社区", ("editor.wufeng", "Editor@2026")
    ),
    "desktop": Case("垃圾分类亭损坏后长期无人维修", "车河社区", ("editor.yuelong", "Editor@2026")),
}
REPORT = "已约谈窗口工作人员并当面向群众致歉，窗口已公示首问负责制和服务规范，整改照片附后。"
ACCEPT_NOTE = "整改报告和佐证材料齐全，同意办结。"
COMPLETION = "首问负责制和服务承诺已在窗口公示，群众反映的问题已办结并回访。"
VERIFY_NOTE = "经实地查看，公示内容到位，群众回访满意，同意销号。"
PUBLIC_SUMMARY = "窗口服务规范和首问负责制已公示，群众反映的问题已办结。"


def login(screen: Screen, username: str, password: str) -> Any:
    page = screen.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def evidence_png(tmp_path: Path) -> Path:
    path = tmp_path / "整改照片.png"
    Image.new("RGB", (64, 48), (90, 150, 90)).save(path, format="PNG")
    return path


def open_action(page: Any, name: str) -> Any:
    """An action panel (<details id="action-NAME">), opened if it is closed."""
    panel = page.locator(f"#action-{name}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel


@dataclass(frozen=True)
class Figures:
    notices: int
    rectifications: int
    verified: int


def dashboard_figures(page: Any) -> Figures:
    """This year's supervision figures on the lead's dashboard (their team's scope)."""
    page.goto("/staff")
    notices = page.locator("#dash-notices .stat-value")
    ledger = page.locator("#dash-ledger")
    expect(notices).to_be_visible()
    return Figures(
        notices=int(notices.inner_text()),
        rectifications=int(ledger.locator(".stat-value").inner_text()),
        verified=int(ledger.locator(".stat-label a").inner_text()),
    )


def test_supervision_follow_through(
    screen: Screen, tmp_path: Path, assert_no_horizontal_overflow: NoOverflow
) -> None:
    case = CASES[screen.name]
    lead = login(screen, *LEAD)
    before = dashboard_figures(lead)
    assert_no_horizontal_overflow(lead)

    # The lead finds the overdue complaint in the inbox's 已超期 tab.
    lead.goto(f"/staff/tickets?tab=red&q={case.ticket_text}")
    found = lead.locator(".ticket-row .ticket-number")
    expect(found).to_have_count(1)
    number = found.inner_text().strip()
    found.click()
    expect(lead).to_have_url(re.compile(rf"/staff/tickets/{number}$"))
    supervision = lead.locator("#ticket-supervision")
    expect(supervision).to_contain_text("尚未就该件下发督办通知书")

    # 签发督办通知书 in one step: the problem comes filled in from the ticket.
    panel = open_action(lead, "notice")
    expect(panel.locator("#notice-problems")).to_have_value(re.compile(rf"^工单 {number} 超期"))
    expect(panel).to_contain_text(f"下达{case.unit}")
    assert_no_horizontal_overflow(lead)
    screen.screenshot(lead, "1-ticket")
    panel.get_by_role("button", name="签发督办通知书").click()
    expect(lead).to_have_url(re.compile(r"/staff/notices/\d+\?done=issue$"))
    notice_url = lead.url.split("?")[0]
    header = lead.locator("#notice-header")
    expect(header.locator(".notice-status")).to_have_text("已下发待签收")
    expect(header.locator(".notice-unit")).to_have_text(case.unit)
    expect(lead.locator("#notice-tickets")).to_contain_text(number)
    notice_number = header.locator("h1").inner_text().strip()
    assert re.fullmatch(r"\w+〔\d{4}〕\d+号", notice_number), notice_number
    assert_no_horizontal_overflow(lead)
    screen.screenshot(lead, "2-issued")

    # The unit's editor finds it among their notices, signs for it and reports with evidence.
    editor = login(screen, *case.editor)
    editor.goto("/staff/notices")
    editor.locator(".notice-number", has_text=notice_number).click()
    expect(editor).to_have_url(notice_url)
    open_action(editor, "sign").get_by_role("button", name="签收").click()
    expect(editor.locator("#notice-header .notice-status")).to_have_text("已签收整改中")
    respond = open_action(editor, "respond")
    respond.locator("#respond-report").fill(REPORT)
    respond.locator("#respond-files").set_input_files(str(evidence_png(tmp_path)))
    respond.get_by_role("button", name="报送").click()
    expect(editor.locator("#notice-header .notice-status")).to_have_text("已报送待审核")
    response = editor.locator("#notice-response")
    expect(response.locator(".notice-report")).to_have_text(REPORT)
    expect(response.locator(".evidence-files a")).to_have_text(["整改照片.png"])
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "3-responded")

    # The lead reads the report and accepts it.
    lead.goto(notice_url)
    expect(lead.locator("#notice-response .evidence-files a")).to_have_text(["整改照片.png"])
    accept = open_action(lead, "accept")
    accept.locator("#accept-note").fill(ACCEPT_NOTE)
    accept.get_by_role("button", name="审核通过").click()
    expect(lead.locator("#notice-header .notice-status")).to_have_text("已通过")
    expect(lead.locator("#notice-response .review-note")).to_have_text(ACCEPT_NOTE)
    screen.screenshot(lead, "4-accepted")

    # Accepting makes no ledger entry by itself: the lead lists the notice in the ledger.
    lead.locator("#notice-header").get_by_role("link", name="列入整改台账").click()
    expect(lead).to_have_url(re.compile(r"/staff/ledger/new\?notice=\d+$"))
    form = lead.locator("#ledger-form")
    expect(form.locator(".ledger-source")).to_contain_text(notice_number)
    expect(form.locator(".ledger-fixed-unit")).to_have_text(case.unit)
    expect(form.locator("#field-problem")).to_have_value(re.compile(rf"^工单 {number} 超期"))
    expect(form.locator("#field-deadline")).not_to_have_value("")
    form.locator("#field-responsible_person").fill("社区主任")
    form.locator("#field-measures").fill("公示服务规范，落实首问负责制，办结群众反映的问题。")
    assert_no_horizontal_overflow(lead)
    form.get_by_role("button", name="登记").click()
    expect(lead).to_have_url(re.compile(r"/staff/ledger/\d+\?done=created$"))
    entry_url = lead.url.split("?")[0]
    expect(lead.locator(".ledger-status")).to_have_text("整改中")
    expect(lead.locator(".ledger-source a")).to_contain_text(notice_number)
    expect(lead.locator(".ledger-unit")).to_have_text(case.unit)
    screen.screenshot(lead, "5-ledger-entry")

    # The unit reports the rectification done (报送验收).
    editor.goto(entry_url)
    submit = open_action(editor, "submit")
    submit.locator("#field-completion").fill(COMPLETION)
    submit.get_by_role("button", name="报送验收").click()
    expect(editor.locator(".ledger-status")).to_have_text("已整改待验收")
    expect(editor.locator(".ledger-completion")).to_contain_text(COMPLETION)
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "6-submitted")

    # The lead verifies it (销号) with a public summary.
    lead.goto(entry_url)
    verify = open_action(lead, "verify")
    verify.locator("#field-note").fill(VERIFY_NOTE)
    verify.locator("#field-public_summary").fill(PUBLIC_SUMMARY)
    verify.get_by_role("button", name="销号").click()
    expect(lead.locator(".ledger-status")).to_have_text("已销号")
    expect(lead.locator(".ledger-verification")).to_contain_text(VERIFY_NOTE)
    expect(lead.locator(".ledger-public-summary")).to_have_text(PUBLIC_SUMMARY)
    expect(lead.locator("#ledger-actions")).to_have_count(0)
    assert_no_horizontal_overflow(lead)
    screen.screenshot(lead, "7-verified")

    # The dashboard counts one more notice, one more problem found and one more 已销号.
    after = dashboard_figures(lead)
    assert after == Figures(
        notices=before.notices + 1,
        rectifications=before.rectifications + 1,
        verified=before.verified + 1,
    )
    screen.screenshot(lead, "8-dashboard")

    # The ledger as .xlsx: the office layout's header, and this entry verified.
    lead.goto("/staff/ledger")
    with lead.expect_download() as download_info:
        lead.locator(".ledger-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "序号")
    assert header[:3] == ["序号", "问题来源", "问题描述"]
    ours = [row for row in rows if any(isinstance(v, str) and number in v for v in row)]
    assert len(ours) == 1
    assert str(ours[0][header.index("销号情况")]).startswith("已销号")
    assert ours[0][header.index("责任单位")] == case.unit

    # The period report as .docx, titled for the team and the year.
    lead.goto("/staff/stats")
    with lead.expect_download() as download_info:
        lead.locator("#stats-report").click()
    report = download_info.value
    assert report.suggested_filename.endswith("监督工作报告.docx")
    document = Document(io.BytesIO(Path(report.path()).read_bytes()))
    title = next(p.text for p in document.paragraphs if p.text.strip())
    assert title.startswith("跃龙街道纪工委")
    assert title.endswith("小微权力监督工作情况")
    assert_no_horizontal_overflow(lead)
    screen.screenshot(lead, "9-stats")
