"""Checkboxes in staff forms sit beside their text (issue 21's screenshots: `.form input` made
each tick as wide as the form, alone on a line and centred, on the conflict declaration and the
password reset)."""

import pytest
from playwright.sync_api import expect

PHONE_390 = {"width": 390, "height": 844}


def _ticks_beside_their_text(page, selector: str) -> None:
    ticks = page.locator(selector)
    expect(ticks.first).to_be_visible()
    for box, line in ticks.evaluate_all(
        """ticks => ticks.map(t => {
             const range = document.createRange();
             range.selectNodeContents(t.closest("label"));
             range.setStartAfter(t);
             const b = t.getBoundingClientRect();
             const first = [...range.getClientRects()].find(r => r.width > 0);
             return [[b.left, b.width, b.top + b.height / 2], [first.left, first.top, first.bottom]];
           })"""
    ):
        left, width, middle = box
        text_left, line_top, line_bottom = line
        assert width < 40, box
        # Its text starts beside it on the same line (not on the next line, under a centred tick).
        assert text_left >= left + width and line_top <= middle <= line_bottom, (box, line)


@pytest.mark.browser
def test_the_conflict_declaration_ticks_sit_beside_the_stations(demo, new_page, login):
    page = new_page(PHONE_390)
    login(page, "fed_admin", "/staff/campaigns/")
    page.locator("main table a[href^='/staff/campaigns/']").first.click()
    page.locator("main a[href$='/conflicts/']").first.click()
    _ticks_beside_their_text(page, "#conflicts-form input[type=checkbox]")


@pytest.mark.browser
def test_the_password_reset_tick_keeps_its_size(demo, new_page, login):
    page = new_page()
    login(page, "security", "/staff/accounts/")
    tick = page.get_by_label("同时清除其双因素验证设备和恢复码（手机丢失时）")
    expect(tick).to_be_visible()
    assert tick.bounding_box()["width"] < 40
