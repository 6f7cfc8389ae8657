"""The public finder for people who cannot see the screen or its colours (issue 4 §7).

Two checks in Debian's chromium, at a phone's size:
- axe-core (pinned in package.json, the engine behind Lighthouse's accessibility score) finds no
  violation on the results page, a position page and its feedback form;
- the accessibility tree, which is what a screen reader (TalkBack, VoiceOver) reads out, carries
  every part of a result in words: its name as a heading link, walking time and distance, open or
  closed, stars, what it offers, the call link with its number, and for a suspended one the word
  and its reason — so colour and icons are never the only signal.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE
from yizhan.positions.models import Position

AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"


def _axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as loaded (WCAG 2.0/2.1 A and AA rules and best practices).
    Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )
    return result


def _public_station(state: str) -> Position:
    return Position.objects.filter(state=state, kind="station").order_by("code").first()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/?q=西岗区", "position", "feedback"])
def test_no_accessibility_violations(demo, new_page, path):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make setup does)")
    page = new_page(PHONE)
    code = _public_station("operating").code
    path = {"position": f"/p/{code}/", "feedback": f"/p/{code}/feedback/"}.get(path, path)
    page.goto(path)
    if "q=" in path:
        expect(page.locator(".result").first).to_be_visible()
    expect(page.locator("h1")).to_be_visible()
    assert _axe_violations(page) == []


@pytest.mark.browser
def test_a_screen_reader_hears_every_part_of_a_result(demo, new_page):
    suspended = _public_station("suspended")
    page = new_page(PHONE)
    page.goto(f"/?lng={suspended.lng}&lat={suspended.lat}&crs=gcj02")
    results = page.locator("ol.results > li")
    expect(results.first).to_be_visible()

    tree = page.locator("ol.results").aria_snapshot()
    items = re.split(r"^  - listitem", tree, flags=re.M)[1:]
    assert items, tree
    for item in items:
        assert re.search(r'- heading "[^"]+" \[level=2\]', item), item
        assert re.search(r"- link \"[^\"]+\":\s*\n\s*- /url: /p/", item), item
        assert re.search(r"步行约 \d+ 分钟 · \d+ 米", item), item
        assert re.search(r"营业中|已关闭|暂停服务|开放时间待核实|恢复日期已过", item), item  # open or not, in words
        assert re.search(r"[三四五]星|未评星", item) or "服务中心" in item, item  # stars in words

    offers = page.locator("ul.r-needs").first
    expect(offers).to_have_accessible_name("提供")
    for label in offers.locator("li").all_inner_texts():
        assert re.search(r"[\u4e00-\u9fff]", label), label  # every offer named in words, not only an icon
    call = page.locator("a.r-call").first
    if call.count():
        expect(call).to_have_accessible_name(re.compile(r"打电话 [\d-]+"))
    expect(page.get_by_role("status")).to_contain_text("附近")
    page.get_by_role("button", name="地图", exact=True).click()  # on a phone the map is a switch away
    expect(page.get_by_role("region", name="地图")).to_be_visible()

    # The suspended one (the demo's are all past their reopening date) comes after the operating
    # ones: its card says so in words (issue 21 §5).
    page.get_by_role("button", name="列表", exact=True).click()
    card = page.locator("ol.results > li", has=page.locator(f'a[href^="/p/{suspended.code}/"]'))
    for _ in range(5):
        if card.count():
            break
        page.get_by_role("link", name="下一页").click()
    suspended_item = card.aria_snapshot()
    assert "恢复日期已过，状态待确认" in suspended_item and "尚未确认" in suspended_item, suspended_item
