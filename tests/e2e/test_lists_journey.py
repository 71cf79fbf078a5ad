"""A citizen reads a community's power lists in Chromium: unit page → item → flowchart; history
and the printable poster. Runs against the seeded 宁海 demo (live_server)."""

import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WUFENG = "330226001001"


@pytest.fixture
def wufeng_lists(live_server: str) -> None:
    """The demo publishes the county's standard lists for every village and community; say so
    plainly if this demo build does not."""
    try:
        with urllib.request.urlopen(f"{live_server}/units/{WUFENG}/lists/duty", timeout=10):
            return
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise
    pytest.skip("演示数据中五丰社区还没有已公布的职责清单（app/demo.py 尚未发布清单）")


def test_citizen_opens_an_item_and_sees_its_flowchart(
    screen, wufeng_lists, assert_no_horizontal_overflow
):
    page = screen.new_page()
    page.goto(f"/units/{WUFENG}")

    duty = page.locator("#list-duty")
    expect(duty.locator("h3")).to_have_text("职责清单（权力事项）")
    expect(duty.locator(".list-meta")).to_contain_text("最后更新")
    expect(page.locator("#list-cadre table")).to_be_visible()
    expect(page.locator("#list-negative .negative-act").first).to_have_text(
        re.compile("^(不得|严禁|禁止)")
    )
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "unit")

    first = duty.locator(".item-index li").first
    name = first.locator(".item-title a").inner_text()
    first.locator(".item-title a").click()

    expect(page).to_have_url(re.compile(r"/items/[a-z2-9]{12}$"))
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator(".breadcrumbs")).to_contain_text("五丰社区")
    flowchart = page.locator("#flowchart svg")
    expect(flowchart).to_be_visible()
    # The steps are drawn as text: the first step's name (maybe wrapped) is in the drawing.
    first_step = page.locator(".process-steps .step-name").first.inner_text().split()[0]
    expect(flowchart.locator("text").first).to_be_visible()
    assert first_step[:4] in flowchart.evaluate("svg => svg.textContent")
    # The drawing fits the phone: no wider than the page, and its labels are real text.
    box = flowchart.bounding_box()
    assert box is not None
    assert box["width"] <= screen.viewport["width"]
    expect(page.locator("a#complain-item")).to_have_attribute(
        "href", re.compile(rf"^/complaints/new\?unit={WUFENG}&item=[a-z2-9]{{12}}$")
    )
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "item")

    page.locator("#flowchart figcaption a").click()
    expect(page).to_have_url(re.compile(r"/items/[a-z2-9]{12}/flowchart\.svg$"))


def test_history_and_poster(screen, wufeng_lists, assert_no_horizontal_overflow):
    page = screen.new_page()
    page.goto(f"/units/{WUFENG}/lists/duty/history")

    expect(page.locator("h1")).to_contain_text("历史版本")
    expect(page.locator(".versions-table .version-status").first).to_have_text("现行")
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "history")

    page.goto(f"/units/{WUFENG}/poster")
    expect(page.locator(".poster-qr svg")).to_be_visible()
    expect(page.locator(".poster-duty tbody tr").first).to_be_visible()
    assert_no_horizontal_overflow(page)
    page.emulate_media(media="print")
    expect(page.locator(".poster-toolbar")).to_be_hidden()
    expect(page.locator(".poster-flowchart svg").first).to_be_visible()
    screen.screenshot(page, "poster-print")
