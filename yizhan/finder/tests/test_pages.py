"""The public finder's pages (issue 4 §1–§5): search by location or typed place, filters, greyed
suspended positions, the position page with navigation links in each provider's system, the map's
data endpoints, and bad input answered in words (never a 500)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from yizhan.core.geo.crs import CRS, from_gcj02, to_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.core.roles import Role
from yizhan.finder.links import navigation_links
from yizhan.finder.places import find_place
from yizhan.positions import services
from yizhan.positions.models import Position
from yizhan.positions.tests.conftest import XIGANG, ZHONGSHAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(make_position, dalian_map, make_actor):
    """Operating stations along a line east of 中山区's point, one suspended, one planned, one delisted."""
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    made = {}
    for name, offset, state, fields in [
        ("近站", 0.002, "operating", {"facilities": ["microwave", "wifi"], "abilities": ["heat_food"]}),
        ("次近站", 0.004, "operating", {"facilities": ["wifi"], "abilities": ["rest"]}),
        ("暂停站", 0.001, "suspended", {"facilities": ["microwave"], "abilities": ["heat_food"]}),
        ("规划站", 0.0005, "planned", {}),
        ("摘牌站", 0.0007, "delisted", {}),
    ]:
        p = make_position(
            actor=admin,
            official_name=f"工会户外劳动者服务站点·{name}",
            lng=ZHONGSHAN[0] + offset,
            lat=ZHONGSHAN[1],
            always_open=True,
            manager_name="王管理",
            manager_phone="13911112222",
            public_phone="0411-82345678",
            state="operating" if state in ("operating", "suspended") else "planned",
            **fields,
        )
        if state == "suspended":
            services.position_transition(actor=admin, position=p, to_state="suspended", reason="停水检修")
        if state == "delisted":
            services.position_transition(actor=admin, position=p, to_state="delisted", reason="撤销")
        made[name] = p
    return made


def names(response) -> list[str]:
    """The result cards' names, in order (each card: its number, then its link to the station)."""
    html = response.content.decode()
    return re.findall(
        r'<h2><span class="r-num"[^>]*>\d+</span> <a href="/p/[^"?]+/(?:\?[^"]*)?">([^<]+)</a></h2>', html
    )


def test_location_search_finds_the_nearest_open_station_with_the_facility(public):
    """A phone's WGS-84 point: converted before searching, so the nearest is the true nearest."""
    wgs_lng, wgs_lat = from_gcj02(ZHONGSHAN[0], ZHONGSHAN[1], CRS.WGS84)
    client = Client()
    asked = {"lat": wgs_lat, "lng": wgs_lng, "crs": "wgs84", "facility": "microwave"}
    response = client.get("/", {**asked, "sort": "distance"})
    assert response.status_code == 200
    shown = names(response)
    expected = sorted(
        (p for p in Position.objects.public() if "microwave" in p.facilities),
        key=lambda p: distance_m(ZHONGSHAN[0], ZHONGSHAN[1], p.lng, p.lat),
    )
    assert (
        shown == [p.display_name for p in expected] == ["工会户外劳动者服务站点·暂停站", "工会户外劳动者服务站点·近站"]
    )
    html = response.content.decode()
    assert "is-suspended" in html and "停水检修" in html
    assert "规划站" not in html and "摘牌站" not in html
    # Searching the GPS point as if it were GCJ-02 would start ~500 m off: the order proves the conversion.
    assert "步行约" in html and 'href="tel:0411-82345678"' in html
    # By default the open ones come first (issue 21 §2), the suspended one greyed after them.
    assert names(client.get("/", asked)) == ["工会户外劳动者服务站点·近站", "工会户外劳动者服务站点·暂停站"]


def test_open_now_and_ability_filters(public):
    response = Client().get("/", {"lat": ZHONGSHAN[1], "lng": ZHONGSHAN[0], "crs": "gcj02", "ability": "heat_food",
                                  "open_now": "1"})  # fmt: skip
    assert names(response) == ["工会户外劳动者服务站点·近站"]


def test_typed_district_and_station_and_initials(public, dalian_map):
    for query in ("中山区", "中山", "近站", "jz"):
        response = Client().get("/", {"q": query})
        assert response.status_code == 200
        assert names(response), query
    place = find_place("中山区")
    assert place.kind == "region" and place.label == "中山区"
    assert find_place("jz").label == "工会户外劳动者服务站点·近站"
    assert find_place("规划站") is None  # not public: never a place to start from


def test_unknown_place_and_bad_coordinates_answer_in_words(public):
    response = Client().get("/", {"q": "火星基地"})
    assert response.status_code == 200 and "没有找到“火星基地”" in response.content.decode()
    for params in (
        {"lat": "95", "lng": "121"},
        {"lat": "abc", "lng": "121"},
        {"lat": "38.9", "lng": "121.6", "crs": "mars"},
    ):
        response = Client().get("/", params)
        assert response.status_code == 200
        assert 'class="f-error"' in response.content.decode(), params
    assert Client().get("/", {"facility": "nope", "q": "中山区"}).status_code == 200


def test_position_page_shows_what_it_offers_without_personal_data(public):
    p = public["近站"]
    response = Client().get(f"/p/{p.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert p.official_name in html and "营业中" in html and "微波炉" in html
    assert "王管理" not in html and "13911112222" not in html
    assert f'href="/p/{p.code}/feedback/"' in html
    suspended = Client().get(f"/p/{public['暂停站'].code}/").content.decode()
    assert "暂停服务" in suspended and "停水检修" in suspended
    for hidden in ("规划站", "摘牌站"):
        assert Client().get(f"/p/{public[hidden].code}/").status_code == 404


def test_navigation_links_open_walking_directions_in_each_providers_coordinates(public):
    """issue 21 §4: each provider's route mode on foot (their URI APIs), not a marker; from the
    provider's own "current location" unless the rider's point is known."""
    p = public["近站"]
    links = {link.provider: link.url for link in navigation_links(name=p.official_name, address=p.address,
                                                                  lng=p.lng, lat=p.lat)}  # fmt: skip
    amap_url = urlparse(links["amap"])
    amap = parse_qs(amap_url.query)
    assert (amap_url.netloc, amap_url.path) == ("uri.amap.com", "/navigation")
    assert amap["to"] == [f"{p.lng:.6f},{p.lat:.6f},{p.official_name}"] and amap["mode"] == ["walk"]
    assert "from" not in amap  # the phone's own position
    baidu_url = urlparse(links["baidu"])
    baidu = parse_qs(baidu_url.query)
    bd_lng, bd_lat = from_gcj02(p.lng, p.lat, CRS.BD09)
    assert (baidu_url.netloc, baidu_url.path) == ("api.map.baidu.com", "/direction")
    assert baidu["destination"] == [f"latlng:{bd_lat:.6f},{bd_lng:.6f}|name:{p.official_name}|addr:{p.address}"]
    assert baidu["mode"] == ["walking"] and baidu["coord_type"] == ["bd09ll"] and baidu["output"] == ["html"]
    # Back to GCJ-02 within a metre: the Baidu point is the same place, not the raw GCJ numbers.
    back = to_gcj02(bd_lng, bd_lat, CRS.BD09)
    assert distance_m(back[0], back[1], p.lng, p.lat) < 1
    assert distance_m(bd_lng, bd_lat, p.lng, p.lat) > 100
    tencent_url = urlparse(links["tencent"])
    tencent = parse_qs(tencent_url.query)
    assert (tencent_url.netloc, tencent_url.path) == ("apis.map.qq.com", "/uri/v1/routeplan")
    assert tencent["type"] == ["walk"] and tencent["tocoord"] == [f"{p.lat:.6f},{p.lng:.6f}"]
    assert tencent["to"] == [p.official_name] and tencent["referer"] and "fromcoord" not in tencent

    rider = (ZHONGSHAN[0], ZHONGSHAN[1])
    start = {link.provider: parse_qs(urlparse(link.url).query) for link in navigation_links(
        name=p.official_name, address=p.address, lng=p.lng, lat=p.lat, origin=rider)}  # fmt: skip
    assert start["amap"]["from"] == [f"{rider[0]:.6f},{rider[1]:.6f},我的位置"]
    bd_from = from_gcj02(rider[0], rider[1], CRS.BD09)
    assert start["baidu"]["origin"] == [f"latlng:{bd_from[1]:.6f},{bd_from[0]:.6f}|name:我的位置"]
    assert start["tencent"]["fromcoord"] == [f"{rider[1]:.6f},{rider[0]:.6f}"]

    page = Client().get(f"/p/{p.code}/").content.decode()
    assert 'data-provider="baidu"' in page and f"latlng%3A{bd_lat:.6f}%2C{bd_lng:.6f}" in page


def test_map_endpoints(public, dalian_map, settings):
    settings.YIZHAN_MAP_TILES = "none"
    boundaries = Client().get("/p/boundaries.json").json()
    assert {f["properties"]["role"] for f in boundaries["features"]} == {"self", "child"}
    bbox = f"{ZHONGSHAN[0] - 0.01},{ZHONGSHAN[1] - 0.01},{ZHONGSHAN[0] + 0.01},{ZHONGSHAN[1] + 0.01}"
    points = Client().get("/p/points.json", {"bbox": bbox}).json()["points"]
    assert {pt["n"] for pt in points} == {p.display_name for k, p in public.items() if k not in ("规划站", "摘牌站")}
    assert [pt["s"] for pt in points if pt["n"].endswith("暂停站")] == [True]
    assert Client().get("/p/points.json", {"bbox": "1,2"}).status_code == 400
    far = f"{XIGANG[0] + 1},{XIGANG[1] + 1},{XIGANG[0] + 2},{XIGANG[1] + 2}"
    assert Client().get("/p/points.json", {"bbox": far}).json()["points"] == []


def test_feedback_from_the_position_page_and_its_qr_code(public):
    from yizhan.ledger.models import Feedback

    p = public["近站"]
    client = Client(enforce_csrf_checks=False)
    form = client.get(f"/p/{p.code}/feedback/")
    assert form.status_code == 200 and 'name="rating"' in form.content.decode()
    assert "no-cache" in form["Cache-Control"] or "max-age=0" in form["Cache-Control"]
    done = client.post(f"/p/{p.code}/feedback/?from=qr", {"rating": "5", "text": "热水很方便", "phone": ""})
    assert done.status_code == 302 and done["Location"] == f"/p/{p.code}/feedback/thanks/"
    saved = Feedback.objects.get(position=p)
    assert (saved.rating, saved.text, saved.source) == (5, "热水很方便", "qr")
    assert "感谢" in client.get(done["Location"]).content.decode()

    bad = client.post(f"/p/{public['次近站'].code}/feedback/", {"rating": "9", "text": ""})
    assert bad.status_code == 400 and "评分应为 1 到 5 的整数" in bad.content.decode()
    again = client.post(f"/p/{p.code}/feedback/", {"rating": "4"})
    assert again.status_code == 429 and "后再试" in again.content.decode()
    assert Client().get(f"/p/{public['规划站'].code}/feedback/").status_code == 404


def test_stars_show_in_symbols_and_words_on_results_page_and_api(public, make_actor, dalian_map):
    from datetime import date

    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    near = public["近站"]
    services.position_update(actor=admin, position=near, star_rating="5", star_rated_on=date(2026, 6, 30))
    wgs_lng, wgs_lat = from_gcj02(ZHONGSHAN[0], ZHONGSHAN[1], CRS.WGS84)
    html = Client().get("/", {"lat": wgs_lat, "lng": wgs_lng, "crs": "wgs84"}).content.decode()
    assert '<span class="star-symbols" aria-hidden="true">★★★★★</span> 五星' in html
    assert '五星 <small class="r-rated">2026-06-30 评定</small>' in html  # with the date they were rated
    assert "未评星" in html  # the other stations, in words
    assert html.count('class="r-rated"') == 1  # an unrated station shows no date
    page = Client().get(f"/p/{near.code}/").content.decode()
    assert "★★★★★" in page and "五星" in page
    body = Client().get(f"/api/v1/public/positions/{near.pk}").json()
    assert body["stars"] == 5 and body["stars_rated_on"] == "2026-06-30"
    nearby = Client().get("/api/v1/public/nearby", {"lat": wgs_lat, "lng": wgs_lng}).json()["results"]
    assert {r["name"]: r["stars"] for r in nearby}[near.official_name] == 5
    rated = {r["name"]: r["stars_rated_on"] for r in nearby}
    assert rated[near.official_name] == "2026-06-30"
    assert all(day is None for name, day in rated.items() if name != near.official_name)


def test_public_answers_and_static_files_are_compressed_for_a_weak_connection(public, dalian_map):
    """issue 4: ≤ 300 KB on first load; the map's boundaries are the largest answer."""
    import gzip

    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    for url in ("/", "/p/boundaries.json", "/static/vendor/leaflet/leaflet.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Encoding"] == "gzip", url
    boundaries = client.get("/p/boundaries.json")
    text = gzip.decompress(boundaries.content).decode()
    assert ", " not in text[:2000] and "中山区" in text  # compact, names unescaped
    coordinates = re.findall(r"\d+\.(\d+)", text)
    assert coordinates and max(len(decimals) for decimals in coordinates) <= 5


def test_day_names_follow_the_language(make_position):
    code = make_position(state="operating", weekly_hours={"mon": [["06:00", "20:00"]]}).code
    chinese = Client().get(f"/p/{code}/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/p/{code}/").content.decode()
    assert "周一" in chinese and "Mon" not in chinese
    assert "Mon" in english and "周一" not in english


def test_the_chosen_count_reads_right_in_both_languages(public):
    query = {"q": "中山区", "ability": "heat_food", "facility": "wifi"}
    chinese = Client().get("/", query).content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/", query).content.decode()
    assert "我需要（已选 2 项）" in chinese
    assert "I need (2 selected)" in english and "（" not in english.split("<summary>")[1].split("</summary>")[0]
