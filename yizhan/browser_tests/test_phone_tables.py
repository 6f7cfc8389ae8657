"""Staff pages on a phone as issue 21's screenshots found them, fixed: coverage's station table paged
(the page ran to ~18,000 px at 390 wide), the data-partners table widened the page to 453 px, text
columns of scrolled tables squeezed to two characters (ten lines a row), and the dashboard chart's
axis labels cut at the left edge."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import horizontal_overflow

PHONE_390 = {"width": 390, "height": 844}


@pytest.mark.browser
def test_the_coverage_page_pages_its_stations_on_a_phone(demo, new_page, login):
    page = new_page(PHONE_390)
    login(page, "fed_admin", "/staff/coverage/")
    rows = page.locator("[data-catchments] tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator("[data-catchments-count]")).to_contain_text("显示第 1–25 个")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, height
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out
    first = rows.first.inner_text()
    page.locator("nav.pager").get_by_role("link", name="下一页").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(rows.first).not_to_have_text(first)
    expect(page.locator("[data-catchments-count]")).to_contain_text("显示第 26–50 个")


@pytest.mark.browser
def test_the_partner_pages_fit_a_phone(demo, new_page, login):
    page = new_page(PHONE_390)
    login(page, "fed_admin", "/staff/publishing/partners/")
    expect(page.locator("[data-partners]")).to_be_visible()
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out
    page.locator("[data-partners] tbody a").first.click()
    expect(page.locator("[data-usage]")).to_be_visible()
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out


@pytest.mark.browser
def test_scrolled_tables_keep_their_text_columns_readable(demo, new_page, login):
    page = new_page(PHONE_390)
    login(page, "fed_admin", "/staff/targets/")
    cells = page.locator("#targets tbody tr td:nth-child(2)")
    expect(cells.first).to_be_visible()
    widths = cells.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().width)")
    # At least four characters of text (.9rem) besides the padding; before, two.
    assert min(widths) >= 4 * 14.4 * 0.9 + 16, widths
    width, sticking_out = horizontal_overflow(page)
    assert width <= PHONE_390["width"], sticking_out  # the table scrolls in its box, not the page


@pytest.mark.browser
def test_the_dashboard_chart_keeps_its_axis_labels_inside(demo, new_page, login):
    page = new_page(PHONE_390)
    login(page, "fed_admin", "/staff/ledger/dashboard/")
    chart = page.locator("#chart-trend")
    expect(chart.locator("canvas")).to_be_attached()
    contained = chart.evaluate("el => window.echarts.getInstanceByDom(el).getOption().grid[0].containLabel")
    assert contained is True
