"""The public finder on a phone (issue 4 "Must be tested"): a mocked WGS-84 position in Dalian, the
nearest open station with the asked facility first, a suspended one past its reopening date greyed
after the operating ones (issue 21 §5), the Baidu walking directions in BD-09, all at 360 × 640."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from shapely.geometry import Point, shape

from yizhan.browser_tests.support import PHONE, horizontal_overflow
from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.orgs.models import Region
from yizhan.positions.models import Position
from yizhan.positions.rules import position_opening


def _phone_at(new_page, gcj_lng: float, gcj_lat: float):
    page = new_page(PHONE)
    lng, lat = from_gcj02(gcj_lng, gcj_lat, CRS.WGS84)  # what the phone's GPS reports
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": lat, "longitude": lng})
    return page


@pytest.mark.browser
def test_nearest_open_station_with_a_microwave_from_the_phones_location(demo, new_page):
    suspended = Position.objects.filter(state="suspended").order_by("code").first()
    assert suspended is not None, "the demo has suspended positions"
    page = _phone_at(new_page, suspended.lng, suspended.lat)
    page.goto("/")
    expect(page.get_by_role("heading", name="附近的工会驿站")).to_be_visible()

    page.get_by_role("button", name=re.compile("用我的位置")).click()
    page.wait_for_url(re.compile(r"crs=wgs84"))
    # Standing at it, but its reopening date is long past (the demo's suspensions all are): it comes
    # after every operating station, greyed and saying so (issue 21 §5).
    expect(page.locator(".result").first).not_to_have_class(re.compile(r"\bis-suspended\b"))
    width, overflowing = horizontal_overflow(page)
    assert width <= PHONE["width"], overflowing
    page.get_by_role("button", name="地图", exact=True).click()
    expect(page.locator("#finder-map")).to_have_attribute("data-drawn", "1")
    page.get_by_role("button", name="列表", exact=True).click()
    card = page.locator(".result", has=page.get_by_role("link", name=suspended.display_name, exact=True))
    for _ in range(5):
        if card.count():
            break
        page.get_by_role("link", name="下一页").click()
    expect(card).to_have_class(re.compile(r"\bis-suspended\b"))
    expect(card).to_contain_text("恢复日期已过，状态待确认")

    page.locator("summary", has_text="我需要").click()
    page.get_by_label(re.compile("饿了能热饭")).check()
    page.locator("summary", has_text="更多条件").click()
    page.get_by_label("只看现在营业的").check()
    page.get_by_role("button", name=re.compile("用我的位置")).click()
    page.wait_for_url(re.compile(r"ability=heat_food"))

    now = timezone.now()
    candidates = [
        p
        for p in Position.objects.filter(state="operating").prefetch_related("hours_exceptions")
        if "heat_food" in p.abilities and position_opening(p, now).is_open
    ]
    assert candidates, "the demo has stations open round the clock that heat food"
    nearest = min(candidates, key=lambda p: (distance_m(suspended.lng, suspended.lat, p.lng, p.lat), p.pk))
    first = page.locator(".result").first
    expect(first.get_by_role("heading").get_by_role("link")).to_have_text(nearest.display_name)
    expect(first).to_contain_text("营业中")

    first.get_by_role("link", name=nearest.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nearest.display_name)
    baidu = page.locator('a[data-provider="baidu"]').get_attribute("href")
    query = parse_qs(urlparse(baidu).query)
    bd_lng, bd_lat = from_gcj02(nearest.lng, nearest.lat, CRS.BD09)
    assert query["destination"][0].startswith(f"latlng:{bd_lat:.6f},{bd_lng:.6f}|")
    assert query["coord_type"] == ["bd09ll"] and query["mode"] == ["walking"]
    width, overflowing = horizontal_overflow(page)
    assert width <= PHONE["width"], overflowing


@pytest.mark.browser
def test_typed_district_without_location(demo, new_page):
    """issue 14 §5: a district's stations are those inside its outline, not a circle's."""
    page = new_page(PHONE)
    page.goto("/")
    page.get_by_label("在哪儿找？").fill("西岗区")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.locator("#finder-status")).to_contain_text("西岗区内")
    expect(page.locator(".result").first).to_be_visible()
    page.get_by_role("button", name="地图", exact=True).click()  # on a phone the map is a switch away
    expect(page.locator("#finder-map")).to_have_attribute("data-drawn", "1")
    page.get_by_role("button", name="列表", exact=True).click()
    xigang = shape(Region.objects.get(name="西岗区").boundary)
    inside = {p.display_name for p in Position.objects.public() if xigang.intersects(Point(p.lng, p.lat))}
    shown = page.locator(".result h2 a").all_inner_texts()
    assert shown and set(shown) <= inside


@pytest.mark.browser
def test_typed_address_without_a_geocoder(demo, new_page):
    """issue 14 §5: with no geocoder configured, an address is found among the stations' own
    addresses, and the page says it searched offline."""
    station = Position.objects.public().filter(state="operating", kind="station").order_by("code").first()
    street = re.sub(r"^大连市.+?[区县市]", "", station.address)  # 大连市西岗区人民路12号 → 人民路12号
    assert re.fullmatch(r"\D+\d+号", street), station.address
    page = new_page(PHONE)
    page.goto("/")
    page.get_by_label("在哪儿找？").fill(street)
    page.get_by_role("button", name="搜索", exact=True).click()
    status = page.locator("#finder-status")
    expect(status).to_contain_text("未配置地址查询服务（离线模式）")
    expect(status).to_contain_text(f"{street}附近")
    expect(page.locator(".result").first).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/?q=西岗区", "position"])
def test_the_phone_pages_work_at_200_percent_text(demo, new_page, path):
    """issue 4 §7: text at 200 % (as a phone's large-text setting gives it) reflows on a 360 px
    screen: nothing runs off to the side, the results and their call and navigation links stay usable."""
    page = new_page(PHONE)
    if path == "position":
        code = Position.objects.filter(state="operating", kind="station").order_by("code").first().code
        path = f"/p/{code}/"
    page.goto(path)
    # Through the CSS object model, as a browser's text-size setting acts (the strict
    # Content-Security-Policy refuses an added <style> element, rightly).
    page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
    title_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert title_px >= 40  # 1.35 rem at 32 px: the text really is twice its size
    width, overflowing = horizontal_overflow(page)
    assert width <= PHONE["width"], overflowing
    if "q=" in path:
        first = page.locator(".result").first
        expect(first.get_by_role("heading")).to_be_visible()
        first.get_by_role("link").first.click()
    expect(page.get_by_role("link", name="百度地图")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
