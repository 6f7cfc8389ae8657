"""The staff menu on a phone (issue 21 screenshots: the header took ~200 px of a 390 px wide
screen): one line with a 菜单 button; opened, the menu's links and the signed-in tools show, the
current page marked; a link leads to its page, where the menu is folded again. On a laptop the
menu shows whole and the button does not."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import DESKTOP, horizontal_overflow

PHONE_390 = {"width": 390, "height": 844}


@pytest.mark.browser
def test_the_phone_menu_opens_and_leads_to_a_page(demo, new_page, login):
    page = new_page(PHONE_390)
    login(page, "zs_admin", "/staff/")
    header = page.locator("header.topbar")
    nav = page.get_by_role("navigation", name="主导航")
    toggle = page.locator(".menu-toggle summary")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="退出")).to_be_hidden()
    assert header.bounding_box()["height"] <= 64, "the folded header is one line"

    toggle.click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.get_by_role("link", name="我的任务")).to_be_visible()
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out

    nav.get_by_role("link", name="服务阵地").click()
    expect(page).to_have_url(re.compile(r"/staff/positions/$"))
    expect(nav).to_be_hidden()  # folded again on the new page
    page.locator(".menu-toggle summary").click()
    expect(nav.get_by_role("link", name="服务阵地")).to_have_attribute("aria-current", "page")
    page.locator(".menu-toggle summary").click()  # and it folds away again
    expect(nav).to_be_hidden()


@pytest.mark.browser
def test_a_laptop_shows_the_whole_menu_without_the_button(demo, new_page, login):
    page = new_page(DESKTOP)
    login(page, "zs_admin", "/staff/")
    expect(page.locator(".menu-toggle")).to_be_hidden()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="服务阵地")).to_be_visible()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
