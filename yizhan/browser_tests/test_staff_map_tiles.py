"""The staff maps' base layer (issue 21): the street base map when the tile server answers; with no
tile server configured, or one that does not answer, boundaries and data only and a note on the
map saying so, as the public finder's map does (the shared helper in app.js)."""

import re

import pytest
from playwright.sync_api import expect

NO_TILES = "未配置街道底图：只显示行政区界和图上数据"
FAILED = "街道底图无法加载：只显示行政区界和图上数据"
MAPS = [("/staff/positions/map/", "#position-map"), ("/staff/regions/", "#region-map")]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("kind", "tile_url", "base", "note"),
    [
        ("none", "", "none", NO_TILES),
        ("osm", "http://127.0.0.1:9/{z}/{x}/{y}.png", "failed", FAILED),  # a tile server that does not answer
        ("osm", "/static/yizhan/favicon.svg?z={z}&x={x}&y={y}", "tiles", None),  # one that answers
    ],
)
def test_staff_maps_say_when_there_is_no_street_map(demo, page, login, settings, kind, tile_url, base, note):
    settings.YIZHAN_MAP_TILES = kind
    settings.YIZHAN_MAP_TILE_URL = tile_url
    login(page, "fed_admin")
    for path, selector in MAPS:
        page.goto(path)
        staff_map = page.locator(selector)
        expect(staff_map).to_have_attribute("data-base", base)
        if note:
            expect(staff_map.locator(".map-note")).to_have_text(note)
            expect(staff_map).to_have_class(re.compile(r"\bno-tiles\b"))
        else:
            expect(staff_map.locator(".leaflet-tile-pane img").first).to_be_visible()
            expect(staff_map.locator(".map-note")).to_have_count(0)
