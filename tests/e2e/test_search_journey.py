"""A citizen searches what they need done (低保) from the home page and opens the power item."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_live_search_finds_an_item_and_opens_it(screen, assert_no_horizontal_overflow):
    page = screen.new_page()
    page.goto("/")

    page.locator("#q").fill("低保")

    # Live results arrive in place (htmx), the item section first has names spelling 低保 out.
    items = page.locator("#search-results #item-results li.item-hit")
    expect(items.first).to_be_visible()
    expect(page.locator("#item-results h2")).to_contain_text("事项")
    expect(items.first.locator("mark")).to_have_text("最低生活保障")
    expect(items.first.locator(".result-unit")).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/$"))  # live results stay on the home page
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "results")

    link = items.first.locator("a").first
    name = link.inner_text()
    href = link.get_attribute("href")
    assert href is not None
    assert re.search(r"/items/[a-z0-9]{12}$", href)
    link.click()

    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("h1")).to_contain_text(name)
    assert_no_horizontal_overflow(page)
    screen.screenshot(page, "item")


def test_search_page_works_without_javascript(screen):
    context = screen.browser.new_context(
        base_url=screen.base_url, viewport=screen.viewport, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/search")

    page.locator(".search-hints a", has_text="宅基地").click()

    expect(page).to_have_url(re.compile(r"/search\?q=%E5%AE%85%E5%9F%BA%E5%9C%B0$"))
    expect(page.locator("#item-results li.item-hit").first).to_contain_text("宅基地")
    page.locator("#q").fill("wf")
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator("#unit-results .result-list a", has_text="五丰社区")).to_be_visible()
    screen.screenshot(page, "no-js")
