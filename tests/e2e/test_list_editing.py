"""The list workflow end to end in Chromium: 五丰社区's editor drafts its duty list from the county
standard, renames an item and submits; 跃龙街道's lead approves; a citizen sees the new name on
the public list and in its history. Runs against the seeded 宁海 demo (live_server)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WUFENG = "330226001001"
EDITOR = ("editor.wufeng", "Editor@2026")
LEAD = ("lead.yuelong", "Lead@2026")
# One name per screen size: the two runs share the demo server and each adds a version.
NEW_NAME = {"phone": "社区重大事项民主决策（手机）", "desktop": "社区重大事项民主决策（电脑）"}


def login(screen: Any, username: str, password: str) -> Any:
    page = screen.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    # hx-confirm asks through window.confirm, which Playwright would otherwise dismiss.
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def start_draft(editor: Any) -> None:
    """From the county standard list when the demo published one, else a blank draft with one
    item of one step."""
    panel = editor.locator("#draft-panel")
    if panel.locator("#draft-standard_list_id").count():
        panel.get_by_role("button", name="采用标准清单").click()
        expect(editor).to_have_url(re.compile(r"/staff/lists/versions/\d+$"))
        return
    panel.get_by_role("button", name="空白草稿").click()
    expect(editor).to_have_url(re.compile(r"/staff/lists/versions/\d+$"))
    editor.locator("#item-new summary").click()
    form = editor.locator("#item-new form")
    form.locator("input[name=number]").fill("1.1")
    form.get_by_label("事项名称").fill("社区重大事项决策")
    form.get_by_label("类别").fill("集体管理")
    form.get_by_label("责任主体").fill("社区居委会")
    form.get_by_label("步骤名称").fill("提出议题")
    form.get_by_label("办理主体").fill("社区党组织")
    form.get_by_role("button", name="添加事项").click()
    expect(editor.locator("#item-list article .entry-name")).to_have_text(["社区重大事项决策"])


def test_editor_drafts_lead_approves_citizen_sees_it(screen, assert_no_horizontal_overflow):
    new_name = NEW_NAME[screen.name]

    # The editor finds the community's duty list and starts a draft.
    editor = login(screen, *EDITOR)
    editor.locator(".staff-nav").get_by_role("link", name="清单").click()
    expect(editor.locator("h1")).to_have_text("权力清单")
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "index")
    editor.locator("#list-table tr[data-kind=duty] td:first-child a", has_text="五丰社区").click()
    expect(editor.locator("h1")).to_contain_text("五丰社区")
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "detail")
    start_draft(editor)

    # Rename the first item inline: its row turns into a form and back.
    first = editor.locator("#item-list article").first
    first.get_by_role("link", name="编辑").click()
    form = editor.locator("#item-list form.editing")
    expect(form).to_be_visible()
    form.get_by_label("事项名称").fill(new_name)
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "inline-edit")
    form.get_by_role("button", name="保存").click()
    expect(editor.locator("#item-list article .entry-name").first).to_have_text(new_name)
    expect(editor.locator("#submit-panel .check-ok")).to_be_visible()

    # The item's steps with the flowchart drawn beside (below, on a phone) them.
    editor.locator("#item-list article").first.get_by_role("link", name="流程和风险点").click()
    expect(editor.locator("#flowchart-preview svg")).to_be_visible()
    assert new_name[:4] in editor.locator("#flowchart-preview svg").evaluate(
        "svg => svg.textContent"
    )
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "steps")
    editor.get_by_role("link", name="返回事项列表").click()
    expect(editor.locator("#submit-panel")).to_be_visible()
    assert_no_horizontal_overflow(editor)
    screen.screenshot(editor, "editor")
    editor.locator("#submit-panel").get_by_role("button", name="提交审核").click()
    expect(editor.locator(".page-header .badge")).to_have_text("待审核")
    expect(editor.locator("#submit-panel")).to_contain_text("等待监督单位审核")

    # The township's discipline committee lead reviews the change and publishes it.
    lead = login(screen, *LEAD)
    lead.goto("/staff/lists")
    queue = lead.locator("#review-queue tbody tr", has_text="五丰社区")
    queue.get_by_role("link", name="审核").click()
    expect(lead.locator("#review-diff")).to_contain_text(new_name)
    expect(lead.locator("#review-diff .diff-new").first).to_be_visible()
    assert_no_horizontal_overflow(lead)
    screen.screenshot(lead, "review")
    lead.locator("#review-actions").get_by_role("button", name="审核通过并发布").click()
    expect(lead.locator(".notice.success")).to_contain_text("已审核通过")

    # A citizen (no staff cookies) sees the new name and the change in the history.
    citizen = screen.new_page()
    citizen.goto(f"/units/{WUFENG}/lists/duty")
    expect(citizen.get_by_text(new_name).first).to_be_visible()
    citizen.goto(f"/units/{WUFENG}/lists/duty/history")
    expect(citizen.locator("main")).to_contain_text(new_name)
    assert_no_horizontal_overflow(citizen)
    screen.screenshot(citizen, "history")
