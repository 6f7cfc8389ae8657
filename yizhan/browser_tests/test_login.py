"""Signing in and out, and the language switch, as a user sees them."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect


@pytest.mark.browser
def test_login_journey(demo, page, live_server):
    page.goto("/login/")
    expect(page).to_have_title(re.compile("^登录 · 驿站"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="登录", exact=True)).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_focused()

    page.get_by_label("用户名").fill("zs_admin")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确，请重试。")
    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_label("用户名")).to_have_value("zs_admin")
    expect(page.get_by_label("密码")).to_have_value("")
    expect(page.get_by_label("密码")).to_be_focused()  # the username is kept: retype just the password

    page.get_by_label("密码").fill(settings.YIZHAN_DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="中山区总工会", level=2)).to_be_visible()
    expect(page.locator(".current-identity")).to_have_text("中山区总工会 · 单位管理员")

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="登录", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
    # Signed out for real: a staff page sends the browser back to the login form.
    page.goto("/staff/units/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/staff/units/")


@pytest.mark.browser
def test_language_switch_to_english_and_back(demo, page, login):
    login(page, "zs_admin", "/staff/units/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/staff/units/$"))  # stays on the page it was switched from
    expect(page.locator("table.tree")).to_contain_text("中山区总工会")  # unit names are data, never translated

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="工会单位", level=1)).to_be_visible()
