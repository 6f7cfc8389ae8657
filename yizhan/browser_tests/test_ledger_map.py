"""The unit dashboard's map coloured by usage (issue 15 §6) in the browser, on a 360 × 640 phone:
the demo district's positions drawn from the API with their colour class and a legend, no tile
server (the tests' setting: the map says nothing is missing and shows the points), a position's
popup linking to the ledger rows behind its figure, nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow


@pytest.mark.browser
def test_the_district_dashboard_map_colours_positions_by_usage(demo, new_page, login):
    page = new_page(PHONE)
    login(page, "zs_admin", path="/staff/ledger/dashboard/")
    usage_map = page.locator("#usage-map")
    expect(usage_map).to_have_attribute("data-loaded", "1", timeout=45_000)  # a loaded machine
    assert int(usage_map.get_attribute("data-points")) > 0
    expect(page.locator("#usage-map-status")).to_contain_text("地图上共")
    legend = page.locator(".usage-legend")
    expect(legend).to_contain_text("服务人次")
    expect(legend).to_contain_text("无服务人次")
    assert legend.locator(".swatch").count() >= 2
    width, wide = horizontal_overflow(page)
    assert width <= PHONE["width"], wide
    usage_map.scroll_into_view_if_needed()
    marker = page.locator("#usage-map path.leaflet-interactive").last  # drawn last: the busiest
    marker.dispatch_event("click")  # on the marker itself, whatever control lies over it
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_contain_text("人次", timeout=15_000)
    visits = int(re.match(r"\d+", link.inner_text()).group())
    link.click()
    expect(page).to_have_url(re.compile(r"/staff/ledger/\?.*position="), timeout=15_000)
    expect(page.get_by_text(f"合计服务人次 {visits}")).to_be_visible(timeout=15_000)
