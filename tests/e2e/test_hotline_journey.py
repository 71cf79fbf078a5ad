"""The issue's acceptance journey: an admin changes 跃龙街道's hotline in the back office and a
citizen, in a fresh browser, sees the new number inherited on 五丰社区's public page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADMIN = ("admin", "Admin@2026")
YUELONG = "330226001000"
WUFENG = "330226001001"
# One number per screen size, so the two runs never depend on each other's order.
NEW_HOTLINE = {"phone": "0574-65590360", "desktop": "0574-65591280"}


def test_admin_changes_township_hotline_and_citizen_sees_it(screen, assert_no_horizontal_overflow):
    new_number = NEW_HOTLINE[screen.name]

    admin = screen.new_page()
    admin.goto("/login")
    admin.get_by_label("用户名").fill(ADMIN[0])
    admin.get_by_label("密码").fill(ADMIN[1])
    admin.get_by_role("button", name="登录").click()
    expect(admin).to_have_url(re.compile(r"/staff$"))

    admin.goto("/staff/units")
    admin.get_by_role("searchbox", name="搜索").fill("跃龙街道")
    admin.get_by_role("searchbox", name="搜索").press("Enter")
    admin.locator("#unit-table a", has_text=re.compile("^跃龙街道$")).click()
    expect(admin).to_have_url(re.compile(r"/staff/units/\d+$"))
    expect(admin.locator("h1")).to_have_text("跃龙街道")

    admin.get_by_label("监督电话", exact=True).fill(new_number)
    admin.locator("#unit-form").get_by_role("button", name="保存").click()

    expect(admin.locator("#unit-form [role=status]")).to_have_text("已保存。")
    expect(admin.get_by_label("监督电话", exact=True)).to_have_value(new_number)
    assert_no_horizontal_overflow(admin)
    screen.screenshot(admin, "admin")

    citizen = screen.new_page()  # a new context: no staff cookies
    citizen.goto(f"/units/{WUFENG}")

    hotline = citizen.locator("#unit-hotline")
    expect(hotline.locator("a[href^='tel:']")).to_have_text(new_number)
    expect(hotline.locator(".inherited")).to_have_text("（跃龙街道监督电话）")
    assert all(cookie["name"] != "xw_session" for cookie in citizen.context.cookies())
    assert_no_horizontal_overflow(citizen)
    screen.screenshot(citizen)
