"""The results page and the station page as a rider uses them (issue 21 §1–§5): the location kept
through every refinement, sort and page; compact numbered cards with walking directions; past-due
suspensions after the operating stations; the station page measured from the rider, shared by
link, page meta and QR code."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.hours import SHANGHAI
from yizhan.core.roles import Role
from yizhan.finder.views import CARD_NEEDS, PAGE_SIZE
from yizhan.positions import services
from yizhan.positions.tests.conftest import ZHONGSHAN

pytestmark = pytest.mark.django_db

WGS_LNG, WGS_LAT = from_gcj02(ZHONGSHAN[0], ZHONGSHAN[1], CRS.WGS84)
HERE = {"lat": f"{WGS_LAT:.6f}", "lng": f"{WGS_LNG:.6f}", "crs": "wgs84"}


@pytest.fixture
def line(make_position, dalian_map, make_actor):
    """Fourteen operating stations east of 中山区's point, 150 m apart, the third with five stars; a
    suspension past its reopening date nearest of all; one suspended until next month."""
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    today = timezone.now().astimezone(SHANGHAI).date()
    made = {}
    for i in range(14):
        made[i] = make_position(
            actor=admin,
            official_name=f"工会户外劳动者服务站点·沿线{i:02d}",
            short_name=f"沿线{i:02d}",
            lng=ZHONGSHAN[0] + 0.002 + i * 0.0017,
            lat=ZHONGSHAN[1],
            always_open=True,
            state="operating",
            public_phone="0411-82345678",
            abilities=["heat_food", "drink", "rest", "toilet"],
            facilities=["microwave", "wifi", "charging"],
            star_rating="5" if i == 2 else "",
            star_rated_on=date(2026, 6, 30) if i == 2 else None,
            verified_on=date(2026, 11, 1),
        )
    for name, offset, reopen in (
        ("过期站", 0.0005, today - timedelta(days=40)),
        ("暂停站", 0.001, today + timedelta(days=30)),
    ):
        p = make_position(
            actor=admin, official_name=f"工会户外劳动者服务站点·{name}", lng=ZHONGSHAN[0] + offset,
            lat=ZHONGSHAN[1], always_open=True, state="operating",
        )  # fmt: skip
        made[name] = services.position_transition(
            actor=admin, position=p, to_state="suspended", reason="检修", expected_reopen_on=reopen
        )
    return made


def cards(response) -> list[tuple[int, str, str]]:
    """(number, station link, name) of each result card, in order."""
    html = response.content.decode()
    found = re.findall(r'<h2><span class="r-num"[^>]*>(\d+)</span> <a href="([^"]+)">([^<]+)</a></h2>', html)
    return [(int(n), unescape(href), name) for n, href, name in found]


def hidden_location(response) -> dict:
    html = response.content.decode()
    return {name: re.search(rf'name="{name}" id="f-{name}" value="([^"]*)"', html)[1] for name in ("lat", "lng", "crs")}


def test_the_location_is_kept_through_filters_sorting_paging_and_the_station_page(line):
    client = Client()
    first = client.get("/", {**HERE, "ability": "heat_food", "open_now": "1"})
    assert hidden_location(first) == HERE  # refining submits the form: the location goes with it
    shown = cards(first)
    assert [n for n, _href, _name in shown] == list(range(1, PAGE_SIZE + 1))
    for _n, href, _name in shown:
        query = parse_qs(urlparse(href).query)
        assert (query["lat"], query["lng"], query["crs"]) == ([HERE["lat"]], [HERE["lng"]], ["wgs84"])
        assert query["ability"] == ["heat_food"] and query["open_now"] == ["1"]
    html = first.content.decode()
    next_href = unescape(re.search(r'<a class="btn" href="([^"]+)" rel="next">', html)[1])
    assert parse_qs(urlparse(next_href).query)["page"] == ["2"]

    second = client.get("/" + next_href)
    assert hidden_location(second) == HERE
    assert [n for n, _h, _name in cards(second)] == [11, 12, 13, 14]  # numbered on from the first page
    assert 'start="11"' in second.content.decode()

    by_stars = client.get("/", {**HERE, "sort": "stars"})
    assert hidden_location(by_stars) == HERE
    assert cards(by_stars)[0][2] == "沿线02"
    assert all(parse_qs(urlparse(href).query)["sort"] == ["stars"] for _n, href, _name in cards(by_stars))


def test_a_typed_place_wins_over_a_kept_location(line, dalian_map):
    response = Client().get("/", {**HERE, "q": "中山区"})
    status = response.content.decode().split('id="finder-status"')[1].split("</div>")[0]
    assert "中山区" in status and "您的位置" not in status


def test_past_due_suspensions_come_after_the_operating_stations_and_say_so(line):
    response = Client().get("/", {**HERE, "page": "2"})
    names = [name for _n, _href, name in cards(response)]
    # Nearest of all, but after every operating station: the last of the 16.
    assert len(names) == 6 and names[-1] == "工会户外劳动者服务站点·过期站"
    html = response.content.decode()
    assert "恢复日期已过，状态待确认" in html and "尚未确认，出发前请先打电话" in html
    # By default the open ones first: the suspension with its reopening to come after them, greyed.
    assert names[-2] == "工会户外劳动者服务站点·暂停站"
    nearest = [name for _n, _href, name in cards(Client().get("/", {**HERE, "sort": "distance"}))]
    # Nearest first, the other suspension in its place; the past-due one still after the operating ones.
    assert nearest[0] == "工会户外劳动者服务站点·暂停站" and "工会户外劳动者服务站点·过期站" not in nearest
    station = Client().get(f"/p/{line['过期站'].code}/").content.decode()
    assert "恢复日期已过，状态待确认" in station


def test_cards_are_compact_with_walking_directions_and_a_call(line):
    html = Client().get("/", {**HERE, "facility": "wifi"}).content.decode()
    card = html.split('id="r-2"')[1].split('id="r-3"')[0]
    needs = re.findall(r'<ul class="r-needs"[^>]*>(.*?)</ul>', card, re.S)[0]
    assert needs.count("<li>") == CARD_NEEDS
    assert re.findall(r"</span> ([^<]+)</li>", needs)[0] == "无线网络"  # what was asked for comes first
    assert "等 3 项" in needs  # the rest (six in all) is on the station page
    walking = unescape(re.search(r'<a class="btn-primary r-go" href="([^"]+)"', card)[1])
    amap = parse_qs(urlparse(walking).query)
    assert amap["mode"] == ["walk"] and amap["from"][0].endswith(",我的位置")
    assert 'href="tel:0411-82345678"' in card


def test_the_station_page_measures_the_walk_and_leads_back(line):
    p = line[3]
    page = Client().get(f"/p/{p.code}/", {**HERE, "ability": "heat_food"})
    html = page.content.decode()
    assert re.search(r"<h1>沿线03</h1>", html)  # the short name, not the numbered official name
    assert p.official_name in html
    assert "步行约" in html and "无需下载 App" in html and "现场核实" in html
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)">', html)[1])
    assert parse_qs(urlparse(back).query)["lat"] == [HERE["lat"]] and "返回搜索结果" in html
    amap = parse_qs(urlparse(unescape(re.search(r'href="(https://uri\.amap\.com/[^"]+)"', html)[1])).query)
    assert amap["mode"] == ["walk"] and "from" in amap
    # Shared without the rider's location: the page's own address, in the meta WeChat reads.
    canonical = f"http://testserver/p/{p.code}/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:title" content="沿线03">' in html
    assert re.search(r'<meta name="description" content="沿线03：营业中[^"]*无需下载 App', html)
    assert f'id="share-url" type="url" readonly value="{canonical}"' in html
    plain = Client().get(f"/p/{p.code}/").content.decode()
    assert "步行约" not in plain and "找其他驿站" in plain


def test_the_station_qr_code_encodes_its_address(line):
    p = line[0]
    response = Client().get(f"/p/{p.code}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"<path" in response.content
    assert "max-age" in response["Cache-Control"]
    assert Client().get("/p/NO-SUCH/qr.svg").status_code == 404
