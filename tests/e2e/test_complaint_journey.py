"""The complaints journey end to end on a 360 px phone, against the seeded 宁海 demo:

a citizen opens 五丰社区, picks a power item and files an anonymous 投诉 (办事拖延) with a photo,
and copies the number and code from the receipt; 跃龙街道纪工委 (member.yuelong) accepts it and
forwards it to the community with a summary; 五丰社区's editor replies; the member answers the
citizen; the citizen tracks the ticket with number and code, rates 不满意 and sees it reopened
(办理中, 重办). Every step leaves a screenshot in test-artifacts/screenshots/.
"""

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import NoOverflow, Screen

pytestmark = pytest.mark.browser

WUFENG = "330226001001"
MEMBER = ("member.yuelong", "Member@2026")
EDITOR = ("editor.wufeng", "Editor@2026")
COMPLAINT = "11月18日到社区开居住证明，材料都带齐了，工作人员让我一周后再来，到现在还没有办好。"
SUMMARY = "群众反映在社区办理居住证明一周未办结，请核实原因，尽快办理并回复。"
UNIT_REPLY = "经核实，因系统故障延误办理，现已为群众办好居住证明，并向群众当面致歉。"
ANSWER = "经核实，五丰社区因系统故障延误了您的居住证明，现已办好，社区已对相关人员进行提醒。"


@pytest.fixture
def phone(browser: Any, live_server: str) -> Iterator[Screen]:
    """The journey runs at 360 px only: the citizen side is what must work on a phone."""
    screen = Screen("phone", browser, live_server, "complaint_journey")
    yield screen
    for context in list(browser.contexts):
        context.close()


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 200)).save(out, format="JPEG")
    return out.getvalue()


def login(screen: Screen, username: str, password: str) -> Any:
    page = screen.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def act(page: Any, action: str, fields: dict[str, str], button: str) -> None:
    """Open one of the ticket page's action panels, fill it, press its button."""
    panel = page.locator(f"#action-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for selector, value in fields.items():
        panel.locator(selector).fill(value)
    panel.get_by_role("button", name=button).click()


def test_citizen_files_staff_handle_citizen_rates_and_reopens(
    phone: Screen, assert_no_horizontal_overflow: NoOverflow
) -> None:
    # The citizen, on a phone, from the community's page to one of its power items.
    citizen = phone.new_page()
    citizen.goto(f"/units/{WUFENG}")
    phone.screenshot(citizen, "1-unit")
    citizen.locator("#list-duty .item-index a").first.click()
    expect(citizen).to_have_url(re.compile(r"/items/\w+$"))
    item_name = citizen.locator("#item-title").inner_text()
    citizen.locator("#complain-item").click()

    # The form arrives with the community and the item filled in.
    expect(citizen).to_have_url(re.compile(rf"/complaints/new\?unit={WUFENG}&item=\w+$"))
    expect(citizen.locator("#chosen-unit")).to_have_text("五丰社区（跃龙街道）")
    expect(citizen.locator("#chosen-item")).to_have_text(" ".join(item_name.split()))
    citizen.get_by_label("投诉", exact=True).check()
    # htmx narrows the categories to the kind; wait for it before choosing one.
    expect(citizen.locator("#field-category_code optgroup")).to_have_count(0)
    citizen.locator("#field-category_code").select_option(label="办事拖延")
    citizen.locator("#field-content").fill(COMPLAINT)
    citizen.locator("#field-attachments").set_input_files(
        [{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    expect(citizen.get_by_label("匿名反映")).to_be_checked()
    assert_no_horizontal_overflow(citizen)
    phone.screenshot(citizen, "2-form")
    citizen.locator("#submit-complaint").click()

    # The receipt: shown once, at the POST's own URL, with the code nowhere but the page.
    expect(citizen.locator("#receipt-title")).to_have_text("提交成功")
    number = citizen.locator("#receipt-number").inner_text().strip()
    shown_code = citizen.locator("#receipt-code").inner_text().strip()
    code = shown_code.replace(" ", "")
    assert re.fullmatch(r"TS-\d{8}-\d{4}", number)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", shown_code)
    assert code not in citizen.url
    assert code not in citizen.title()
    expect(citizen.locator("#print-receipt")).to_be_visible()  # revealed by receipt.js
    expect(citizen.locator("#receipt-summary")).to_contain_text("跃龙街道")
    assert_no_horizontal_overflow(citizen)
    phone.screenshot(citizen, "3-receipt")

    # 跃龙街道纪工委 accepts the ticket and forwards it to the community with a summary.
    member = login(phone, *MEMBER)
    member.goto(f"/staff/tickets/{number}")
    expect(member.locator("#ticket-header")).to_contain_text("待受理")
    act(member, "accept", {}, "受理")
    expect(member.locator("#ticket-header")).to_contain_text("已受理")
    act(member, "forward", {"#forward-summary": SUMMARY}, "转办")
    expect(member.locator("#ticket-header")).to_contain_text("办理中")
    phone.screenshot(member, "4-staff-forwarded")

    # The community's editor sees the summary (never the original words) and replies.
    editor = login(phone, *EDITOR)
    editor.goto(f"/staff/tickets/{number}")
    expect(editor.locator("#ticket-content")).to_contain_text(SUMMARY)
    act(editor, "unit_reply", {"#unit_reply-body": UNIT_REPLY}, "提交办理情况")
    expect(editor.locator("#ticket-header")).to_contain_text("单位已回复")
    phone.screenshot(editor, "5-unit-replied")

    # The member answers the citizen publicly.
    member.goto(f"/staff/tickets/{number}")
    act(member, "answer", {"#answer-reply": ANSWER}, "答复")
    expect(member.locator("#ticket-header")).to_contain_text("已答复")
    phone.screenshot(member, "6-answered")

    # The citizen, in a fresh browser, tracks the ticket with number and code.
    tracker = phone.new_page()
    tracker.goto("/track")
    tracker.get_by_label("受理编号").fill(number)
    tracker.get_by_label("查询码").fill(shown_code)
    tracker.get_by_role("button", name="查询").click()
    expect(tracker.locator("#track-status")).to_have_text("已答复")
    expect(tracker.locator("#track-reply .public-reply")).to_have_text(ANSWER)
    assert code not in tracker.url
    assert code not in tracker.title()
    assert_no_horizontal_overflow(tracker)
    phone.screenshot(tracker, "7-tracked")

    # Not satisfied: the ticket is handled again, once (重办).
    tracker.get_by_label("不满意").check()
    tracker.get_by_label("未解决").check()
    tracker.get_by_label("评价意见（可选）").fill("证明虽然办了，但拖了一个多星期，希望查明责任。")
    tracker.get_by_role("button", name="提交评价").click()
    expect(tracker.locator("#track-notice")).to_contain_text("重办")
    expect(tracker.locator("#track-status")).to_have_text("办理中")
    expect(tracker.locator("#track-reopened")).to_have_text("重办")
    assert_no_horizontal_overflow(tracker)
    phone.screenshot(tracker, "8-reopened")


def test_citizen_picks_the_unit_by_pinyin_and_is_warned_about_a_phone_number(
    phone: Screen, assert_no_horizontal_overflow: NoOverflow
) -> None:
    """Without a unit in the link: the live search finds 五丰社区 by its initials; a phone
    number in an anonymous text stops the submission with a warning, the text kept."""
    citizen = phone.new_page()
    citizen.goto("/complaints/new")
    citizen.get_by_label("搜索单位名称或拼音").fill("wfsq")
    candidate = citizen.get_by_label("五丰社区（跃龙街道）")
    expect(candidate).to_be_visible()  # swapped in by htmx, no page load
    assert citizen.url.endswith("/complaints/new")
    candidate.check()
    citizen.get_by_label("意见建议", exact=True).check()
    expect(citizen.locator("#field-category_code option")).to_have_count(2)
    citizen.locator("#field-category_code").select_option(label="意见建议")
    # The real-name fields appear only when 实名反映 is chosen (CSS :has, no script).
    expect(citizen.get_by_label("手机号码")).to_be_hidden()
    citizen.get_by_label("实名反映").check()
    expect(citizen.get_by_label("手机号码")).to_be_visible()
    citizen.get_by_label("匿名反映").check()
    text = "建议社区把办事时间贴在门口。有问题可以打我电话 13912345678 联系。"
    citizen.locator("#field-content").fill(text)
    assert_no_horizontal_overflow(citizen)
    phone.screenshot(citizen, "picker")
    citizen.locator("#submit-complaint").click()

    warning = citizen.locator("#exposure-warning")
    expect(warning.locator("h2")).to_have_text("这可能暴露您的身份")
    expect(citizen.locator("#field-content")).to_have_value(text)
    expect(citizen.locator("#chosen-unit")).to_have_text("五丰社区（跃龙街道）")
    expect(warning.get_by_label("我已知晓，仍然提交")).not_to_be_checked()
    assert_no_horizontal_overflow(citizen)
    phone.screenshot(citizen, "warning")
