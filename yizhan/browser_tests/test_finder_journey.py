"""A rider's journey on a phone (issue 21 "Done when", §1–§4): locate, refine, sort, look at the
map, open a station, start walking directions and share it, and come back, without ever losing the
location; and the map's street base map, or its fallback to boundaries said on the map."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.core.geo.crs import CRS, from_gcj02, to_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.positions.models import Position


def _phone_at(new_page, gcj_lng: float, gcj_lat: float):
    page = new_page(PHONE)
    lng, lat = from_gcj02(gcj_lng, gcj_lat, CRS.WGS84)  # what the phone's GPS reports
    page.context.grant_permissions(["geolocation", "clipboard-read", "clipboard-write"])
    page.context.set_geolocation({"latitude": lat, "longitude": lng})
    return page


def _query(url: str) -> dict:
    return parse_qs(urlparse(url).query)


@pytest.mark.browser
def test_locate_refine_sort_open_walk_and_share_without_losing_the_location(demo, new_page, live_server):
    here = Position.objects.filter(state="operating", kind="station", region__adcode="210202").order_by("code").first()
    page = _phone_at(new_page, here.lng, here.lat)
    page.goto("/")
    page.get_by_role("button", name=re.compile("用我的位置")).click()
    page.wait_for_url(re.compile(r"crs=wgs84"))
    located = _query(page.url)
    lat, lng = located["lat"][0], located["lng"][0]
    expect(page.locator("#f-lat")).to_have_value(lat)  # the form carries it into every refinement
    expect(page.locator("#f-lng")).to_have_value(lng)

    # The first screen: the nearest station whole, with its walk, its state, and the buttons.
    first = page.locator(".result").first
    expect(first.locator(".r-walk")).to_contain_text(re.compile(r"步行约 \d+ 分钟"))
    expect(first.locator(".r-open")).to_be_visible()
    expect(first.locator(".r-go")).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the nearest card ends at {box['y'] + box['height']}"
    width, overflowing = horizontal_overflow(page)
    assert width <= PHONE["width"], overflowing

    # Refine: the filters keep the location (issue 21 §1: it was lost here).
    page.locator("summary", has_text="我需要").click()
    page.get_by_label(re.compile("饿了能热饭")).check()
    page.locator("summary", has_text="更多条件").click()
    page.get_by_label("只看现在营业的").check()
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url(re.compile(r"ability=heat_food"))
    refined = _query(page.url)
    assert (refined["lat"], refined["lng"], refined["open_now"]) == ([lat], [lng], ["1"])
    expect(page.locator("#finder-status")).to_contain_text("您的位置附近")
    expect(page.locator(".result").first).to_contain_text("营业中")

    # Sort: still here, still filtered.
    page.get_by_label("排序").select_option("stars")
    page.wait_for_url(re.compile(r"sort=stars"))
    sorted_query = _query(page.url)
    assert (sorted_query["lat"], sorted_query["ability"]) == ([lat], ["heat_food"])
    numbers = page.locator(".result .r-num").all_inner_texts()
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]

    # A card's walking directions start from the rider (the phone's point in GCJ-02).
    rider = to_gcj02(float(lng), float(lat), CRS.WGS84)
    go = _query(page.locator(".result").first.locator(".r-go").get_attribute("href"))
    assert go["mode"] == ["walk"]
    from_lng, from_lat, _start = go["from"][0].split(",", 2)
    assert distance_m(float(from_lng), float(from_lat), rider[0], rider[1]) < 0.5

    # Switching the language keeps the results as they are (a plain GET: no token, no session).
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switched = _query(page.url)
    assert (switched["lat"], switched["sort"], switched["ability"]) == ([lat], ["stars"], ["heat_food"])
    expect(page.locator(".result")).to_have_count(len(numbers))
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert _query(page.url)["lat"] == [lat]
    assert "csrftoken" not in {cookie["name"] for cookie in page.context.cookies()}

    # The map on a phone is a switch away; its pins carry the cards' numbers, and it says it has no
    # street map (the tests run without a tile server).
    page.get_by_role("button", name="地图", exact=True).click()
    finder_map = page.locator("#finder-map")
    expect(finder_map).to_have_attribute("data-drawn", "1")
    expect(finder_map.locator(".num-marker")).to_have_count(len(numbers))
    assert sorted(finder_map.locator(".num-marker").all_inner_texts(), key=int) == numbers
    expect(finder_map.locator(".map-note")).to_have_text("未配置街道底图：只显示行政区界和驿站")
    expect(page.locator(".map-legend")).to_contain_text("搜索结果，编号同下方列表")
    expect(page.locator(".result").first).to_be_hidden()
    page.get_by_role("button", name="列表", exact=True).click()

    # Open the first station: its short name, the walk from here, the way back to these results.
    first = page.locator(".result").first
    name = first.get_by_role("heading").locator("a").inner_text()
    first.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    station = Position.objects.get(code=urlparse(page.url).path.split("/")[2])
    assert _query(page.url)["lat"] == [lat]
    expect(page.locator(".pos .r-walk")).to_contain_text("步行约")
    expect(page.get_by_text("无需下载 App").first).to_be_visible()
    expect(page.locator("#position-map")).to_have_attribute("data-drawn", "1")

    # Walking directions from the rider's point (GCJ-02, as the phone's WGS-84 converted) to the station.
    amap = _query(page.get_by_role("link", name="高德地图").get_attribute("href"))
    assert amap["mode"] == ["walk"]
    to_lng, to_lat, _name = amap["to"][0].split(",", 2)
    assert distance_m(float(to_lng), float(to_lat), station.lng, station.lat) < 0.5
    from_lng, from_lat, _start = amap["from"][0].split(",", 2)
    assert distance_m(float(from_lng), float(from_lat), rider[0], rider[1]) < 0.5
    baidu = _query(page.get_by_role("link", name="百度地图").get_attribute("href"))
    assert baidu["mode"] == ["walking"] and baidu["coord_type"] == ["bd09ll"] and baidu["origin"]
    tencent = _query(page.get_by_role("link", name="腾讯地图").get_attribute("href"))
    assert tencent["type"] == ["walk"] and tencent["fromcoord"]

    # Share: the station's own address (never the rider's location), copied for WeChat.
    page.get_by_role("button", name="复制链接").click()
    expect(page.locator("#share-status")).to_have_text("已复制链接，可粘贴到微信")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/p/{station.code}/"
    assert page.locator('meta[property="og:title"]').get_attribute("content") == name
    expect(page.locator(".share-qr img")).to_be_hidden()  # the QR code is for a desktop screen
    width, overflowing = horizontal_overflow(page)
    assert width <= PHONE["width"], overflowing

    # The shared link, opened by a workmate: no location in it, one tap measures the walk from them.
    page.goto(copied)
    expect(page.locator(".pos .r-walk")).to_have_count(0)
    page.get_by_role("button", name="我离这里多远？").click()
    page.wait_for_url(re.compile(r"crs=wgs84"))
    expect(page.locator(".pos .r-walk")).to_contain_text("步行约")
    page.go_back()
    page.go_back()

    # And back: the same results, the location still there.
    page.get_by_role("link", name="返回搜索结果").click()
    back = _query(page.url)
    assert (back["lat"], back["sort"], back["ability"]) == ([lat], ["stars"], ["heat_food"])
    expect(page.locator("#f-lat")).to_have_value(lat)
    expect(page.locator(".result").first.get_by_role("heading")).to_have_text(re.compile(re.escape(name)))


@pytest.mark.browser
@pytest.mark.parametrize(
    ("tile_url", "base", "note"),
    [
        ("/static/yizhan/favicon.svg?z={z}&x={x}&y={y}", "tiles", None),  # a tile server that answers
        ("http://127.0.0.1:9/{z}/{x}/{y}.png", "failed", "街道底图无法加载：只显示行政区界和驿站"),  # one that does not
    ],
)
def test_the_street_map_or_its_fallback_said_on_the_map(demo, new_page, settings, tile_url, base, note):
    settings.YIZHAN_MAP_TILES = "osm"
    settings.YIZHAN_MAP_TILE_URL = tile_url
    page = new_page()
    page.goto("/?q=西岗区")
    finder_map = page.locator("#finder-map")
    expect(finder_map).to_have_attribute("data-base", base)
    if note:
        expect(finder_map.locator(".map-note")).to_have_text(note)
        expect(finder_map).to_have_class(re.compile(r"\bno-tiles\b"))
    else:
        expect(finder_map.locator(".leaflet-tile-pane img").first).to_be_visible()
        expect(finder_map.locator(".map-note")).to_have_count(0)
    # Desktop: the list and the map side by side, the numbered pins above the clusters.
    expect(page.locator(".result").first).to_be_visible()
    expect(finder_map.locator(".leaflet-results-pane .num-marker").first).to_be_visible()
