"""The region map with no tile server, and the pages at phone width."""

import re

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow, off_host

DALIAN_DISTRICTS = [
    "中山区",
    "西岗区",
    "沙河口区",
    "甘井子区",
    "旅顺口区",
    "金州区",
    "普兰店区",
    "长海县",
    "瓦房店市",
    "庄河市",
]


@pytest.mark.browser
def test_region_map_draws_boundaries_without_a_tile_server(demo, page, login):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    login(page, "fed_admin")
    with page.expect_response(re.compile(r"/api/v1/regions/210200/boundaries\?crs=gcj02$")) as boundaries:
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="行政区划").click()
    assert boundaries.value.ok
    expect(page.get_by_role("heading", name=re.compile("^大连市"), level=1)).to_be_visible()

    region_map = page.locator("#region-map")
    expect(region_map).to_have_attribute("data-drawn", "11")  # the city's outline and its 10 districts
    expect(region_map).to_have_class(re.compile(r"\bno-tiles\b"))
    shapes = region_map.locator(".leaflet-overlay-pane svg path")
    expect(shapes).to_have_count(11)
    expect(region_map.locator(".leaflet-tile-pane img")).to_have_count(0)
    for path in shapes.all():
        assert len(path.get_attribute("d") or "") > 100  # real outlines, not empty shapes
    box = region_map.locator(".leaflet-overlay-pane svg").bounding_box()
    assert box["width"] > 300 and box["height"] > 200  # fitted to the map, not a dot in a corner
    assert page.locator("table.data tbody td:nth-child(2)").all_inner_texts() == DALIAN_DISTRICTS

    assert off_host(requested) == []
    assert any("/static/vendor/leaflet/leaflet.js" in u for u in requested)  # Leaflet is served locally

    # A district's own page draws just its outline.
    page.get_by_role("link", name="中山区", exact=True).click()
    expect(page.get_by_role("navigation", name="位置")).to_contain_text("大连市")
    expect(page.locator("#region-map")).to_have_attribute("data-drawn", "1")


def assert_fits(page, width: int) -> None:
    scroll_width, sticking_out = horizontal_overflow(page)
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at {width}px; sticking out: {sticking_out}"


@pytest.mark.browser
def test_phone_viewport_has_no_horizontal_overflow(demo, new_page, login):
    page = new_page(PHONE)
    page.goto("/login/")
    expect(page.get_by_role("heading", name="登录", exact=True)).to_be_visible()
    assert_fits(page, PHONE["width"])

    login(page, "fed_admin", "/staff/units/")  # two memberships: the header carries the unit switcher too
    expect(page.locator("p.count")).to_have_text("共 25 个单位")
    assert_fits(page, PHONE["width"])
    # On a phone the tree keeps names and types; code, region and contact are on each unit's page.
    expect(page.get_by_role("link", name="中山区青泥洼桥街道工会")).to_be_visible()
    expect(page.get_by_role("columnheader", name="单位代码")).to_be_hidden()
