"""Citizen browsing in Chromium: townships → village → hotline, live search, large text, no JS."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

YUELONG = "330226001000"
WUFENG = "330226001001"


def test_browse_from_home_to_a_community_hotline(screen, assert_no_horizontal_overflow):
    page = screen.new_page()
    page.goto("/")

    expect(page.locator("h1")).to_have_text("宁海县小微权力清单")
    expect(page.locator(".township-name")).to_have_count(18)
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "home")

    # Expanding a township loads its villages and communities in place (htmx).
    yuelong = page.locator(".township").filter(has=page.locator(f"a[href$='/units/{YUELONG}']"))
    yuelong.locator("summary").click()
    expect(yuelong.locator(".township-children .tile-list a", has_text="五丰社区")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "expanded")

    yuelong.locator(".township-name").click()
    expect(page).to_have_url(re.compile(f"/units/{YUELONG}$"))
    expect(page.locator("h1")).to_have_text("跃龙街道")
    expect(page.locator("#child-units h3").first).to_contain_text("社区")
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "township")

    page.locator("#child-units a", has_text="五丰社区").click()
    expect(page).to_have_url(re.compile(f"/units/{WUFENG}$"))
    expect(page.locator("h1")).to_have_text("五丰社区")
    expect(page.locator(".breadcrumbs li")).to_have_text(["首页", "宁海县", "跃龙街道", "五丰社区"])
    expect(page.locator("#unit-hotline a[href^='tel:']")).to_have_text(re.compile(r"^0574-\d+$"))
    expect(page.locator("#unit-hotline .inherited")).to_have_text("（跃龙街道监督电话）")
    expect(page.locator("#unit-team")).to_contain_text("跃龙街道纪工委")
    expect(page.locator("a#complain")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screen.screenshot(page)


def test_live_search_finds_a_community_by_pinyin_initials(screen):
    page = screen.new_page()
    page.goto("/")

    page.locator("#q").fill("wfsq")

    result = page.locator("#search-results .result-list a", has_text="五丰社区")
    expect(result).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))  # live results stay on the home page
    screen.screenshot(page)
    result.click()
    expect(page).to_have_url(re.compile(f"/units/{WUFENG}$"))


def test_large_text_toggle(screen, assert_no_horizontal_overflow):
    page = screen.new_page()
    page.goto(f"/units/{WUFENG}")
    body = page.locator("body")
    assert body.evaluate("b => getComputedStyle(b).fontSize") == "16px"

    page.get_by_role("button", name="大字版").click()

    expect(body).to_have_class(re.compile(r"\btext-large\b"))
    expect(page).to_have_url(re.compile(f"/units/{WUFENG}$"))
    assert body.evaluate("b => getComputedStyle(b).fontSize") == "20px"
    assert_no_horizontal_overflow(page)
    screen.screenshot(page)

    page.get_by_role("button", name="标准字号").click()
    expect(body).not_to_have_class(re.compile(r"\btext-large\b"))
    assert body.evaluate("b => getComputedStyle(b).fontSize") == "16px"


def test_public_pages_work_without_javascript(screen, browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport=screen.viewport, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")

    page.locator("#q").fill("wufeng")
    page.get_by_role("button", name="搜索", exact=True).click()

    expect(page).to_have_url(re.compile(r"/search\?q=wufeng$"))
    page.locator("#search-results a", has_text="五丰社区").click()
    expect(page.locator("#unit-hotline .inherited")).to_have_text("（跃龙街道监督电话）")

    page.get_by_role("button", name="大字版").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\btext-large\b"))
    expect(page).to_have_url(re.compile(f"/units/{WUFENG}$"))
    screen.screenshot(page)


def test_print_layout_hides_navigation_and_forms(screen):
    page = screen.new_page()
    page.goto(f"/units/{YUELONG}")

    page.emulate_media(media="print")

    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator("form.text-size")).to_be_hidden()
    expect(page.locator("a#complain")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#unit-hotline a")).to_be_visible()
    colours = page.locator("body").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    # Links in lists carry their address on paper.
    after = page.locator("#child-units .tile-list a").first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert "/units/330226001" in after
    screen.screenshot(page)


def test_error_and_login_pages_fit_the_screen(screen, assert_no_horizontal_overflow):
    page = screen.new_page()

    response = page.goto("/units/000000000000")

    assert response is not None
    assert response.status == 404
    expect(page.locator("#error-box h1")).to_have_text("页面不存在")
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "404")

    page.goto("/login")
    expect(page.get_by_label("用户名")).to_be_focused()
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "login")
