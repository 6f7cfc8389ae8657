"""Searching by place (issue 14 §5): a typed district, street or custom area is searched by its
outline — every station inside it, nearest to the worker's location or to a point inside the area
first — not by a circle around one point; addresses and landmarks go through the configured
geocoder (a stand-in service on a local port), and without one (or when it fails) through the
addresses of the federation's own positions, saying so. The public page and /api/v1/public/search."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from shapely.geometry import Point, Polygon, mapping, shape

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.core.testing.geocoder_server import GeocoderServer
from yizhan.finder import index
from yizhan.finder.places import ADDRESS, GEOCODED, POSITION, REGION, find_place, place_lookup, place_search
from yizhan.finder.schemas import PlaceSearchOut
from yizhan.finder.tests.conftest import CENTRE, QUERY_FROM, brute_force, public_snapshot
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.models import Region
from yizhan.orgs.tests.factories import RegionFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/public/search"
# An L-shaped district (GCJ-02): an arm ~5 km east and an arm ~5.5 km north, each ~500 m wide.
# Its centroid lies in the crook, outside it.
L_SHAPE = Polygon(
    [(121.60, 38.90), (121.66, 38.90), (121.66, 38.905), (121.605, 38.905), (121.605, 38.95), (121.60, 38.95)]
)
CENTROID = (L_SHAPE.centroid.x, L_SHAPE.centroid.y)
EAST_END = (121.657, 38.9025)  # inside, at the end of the east arm: ~3.6 km from the centroid
NORTH_END = (121.6025, 38.947)  # inside, at the end of the north arm
CORNER = (121.6025, 38.9025)  # inside, where the arms meet
CROOK = (121.6300, 38.9132)  # outside, in the crook: ~1 km from the centroid
# A unit's custom area: a thin strip running north-east, ~4.5 km long and ~250 m wide.
STRIP = Polygon([(121.700, 38.860), (121.7025, 38.858), (121.7425, 38.888), (121.740, 38.890)])
STRIP_FAR = (121.7390, 38.8875)  # inside, near its north-east end
STRIP_BESIDE = (121.7150, 38.8760)  # outside, ~400 m off its middle
# What the page says when a landmark is found among the positions' addresses only.
OFFLINE_NOTICE = "未配置地址查询服务（离线模式），只在区县、街道和本会驿站的名称、地址中查找。"


def _area(name: str, polygon: Polygon, **fields):
    return RegionFactory(name=name, boundary=mapping(polygon), **fields)


def _station(point, name: str, **fields) -> Position:
    fields.setdefault("state", PositionState.OPERATING)
    fields.setdefault("always_open", True)
    return PositionFactory(lng=point[0], lat=point[1], short_name=name, **fields)


@pytest.fixture
def l_district(dalian_map):
    """曲尺区 (the L) with stations at both arms' ends and at the corner, one in its crook (outside),
    one suspended and one planned inside; a custom area of 中山区总工会 with one station inside and
    one beside it."""
    unit = dalian_map["zs"]
    area = _area("曲尺区", L_SHAPE, adcode="990101", parent=dalian_map["areas"]["210200"])
    strip = _area(
        "东港商务区", STRIP, adcode="X21020201", level=RegionLevel.CUSTOM, owner=unit,
        parent=dalian_map["areas"]["210202"],
    )  # fmt: skip
    made = {
        "east": _station(EAST_END, "东臂站", unit=unit),
        "north": _station(NORTH_END, "北臂站", unit=unit),
        "corner": _station(CORNER, "拐角站", unit=unit, facilities=["wifi"]),
        "crook": _station(CROOK, "弯里站", unit=unit),
        "suspended": _station(
            (121.630, 38.9015), "停水站", unit=unit, state=PositionState.SUSPENDED, state_reason="停水检修"
        ),
        "planned": _station((121.640, 38.9015), "规划站", unit=unit, state=PositionState.PLANNED),
        "strip_far": _station(STRIP_FAR, "长条站", unit=unit),
        "strip_beside": _station(STRIP_BESIDE, "条外站", unit=unit),
    }
    return {"area": area, "strip": strip, **made}


def test_the_shape_is_what_the_tests_claim():
    assert not L_SHAPE.contains(Point(CENTROID))
    assert L_SHAPE.contains(Point(EAST_END)) and distance_m(*CENTROID, *EAST_END) > 3000
    assert not L_SHAPE.contains(Point(CROOK)) and 900 < distance_m(*CENTROID, *CROOK) < 1100
    assert STRIP.contains(Point(STRIP_FAR)) and not STRIP.contains(Point(STRIP_BESIDE))


def test_an_l_shaped_district_gives_its_own_stations_however_far_from_its_centre(l_district):
    place = find_place("曲尺区")
    assert (place.kind, place.label, place.adcode, place.region_id) == (
        REGION,
        "曲尺区",
        "990101",
        l_district["area"].pk,
    )
    assert L_SHAPE.contains(Point(place.lng, place.lat))  # a point inside it, not the centroid in the crook
    found = place_search(text="曲尺区", limit=20)
    ids = [r.position_id for r in found.results]
    inside = ("east", "north", "corner", "suspended")
    assert set(ids) == {l_district[key].pk for key in inside}
    assert l_district["crook"].pk not in ids  # 1 km from the centre, but not in the district
    assert l_district["planned"].pk not in ids
    assert found.in_area and found.origin == (place.lng, place.lat)
    distances = [r.distance_m for r in found.results]
    assert distances == sorted(distances)
    for result in found.results:
        row = Position.objects.get(pk=result.position_id)
        assert result.distance_m == pytest.approx(distance_m(place.lng, place.lat, row.lng, row.lat))
    # Yesterday's circle of 5 km around that point held the station in the crook and missed the east end.
    assert distance_m(place.lng, place.lat, *CROOK) < 5000 < distance_m(place.lng, place.lat, *EAST_END)


def test_nearest_to_the_workers_location_first(l_district):
    worker = (121.6595, 38.9010)  # GCJ-02, at the east end
    wgs = from_gcj02(*worker, CRS.WGS84)  # as the phone reports it
    found = place_search(text="曲尺区", near=(wgs[0], wgs[1], CRS.WGS84), limit=20)
    assert [r.position_id for r in found.results][:2] == [l_district["east"].pk, l_district["suspended"].pk]
    assert found.results[0].distance_m == pytest.approx(distance_m(*worker, *EAST_END), abs=0.5)
    assert found.results[-1].position_id == l_district["north"].pk
    assert found.origin == pytest.approx(worker, abs=1e-6)


def test_filters_and_open_now_apply_inside_the_area(l_district):
    found = place_search(text="曲尺区", limit=20, filters=index.Filters(facilities=("wifi",)))
    assert [r.position_id for r in found.results] == [l_district["corner"].pk]
    found = place_search(text="曲尺区", limit=20, open_now=True)
    assert l_district["suspended"].pk not in [r.position_id for r in found.results]
    assert len(place_search(text="曲尺区", limit=2).results) == 2


def test_a_units_custom_area_is_searched_by_its_outline(l_district):
    found = place_search(text="东港商务区", limit=20)
    assert found.place.kind == REGION and found.place.adcode == "X21020201"
    assert [r.position_id for r in found.results] == [l_district["strip_far"].pk]


def test_the_area_search_sees_new_and_moved_stations(l_district):
    place_search(text="曲尺区", limit=20)  # the index is read
    added = _station((121.6025, 38.925), "新站", unit=l_district["east"].unit)
    Position.objects.filter(pk=l_district["north"].pk).update(lng=CROOK[0], lat=CROOK[1])
    ids = [r.position_id for r in place_search(text="曲尺区", limit=20).results]
    assert added.pk in ids and l_district["north"].pk not in ids


@pytest.mark.parametrize("outline", ["l", "zhongshan"])
def test_the_area_search_agrees_with_a_scan_of_every_position(finder_positions, dalian_map, outline):
    """The index's area search against a brute-force scan: every filter, open now at several moments,
    positions sharing a point, dated exceptions."""
    if outline == "l":  # the L moved over the test positions
        dx, dy = CENTRE[0] - 121.63, CENTRE[1] - 38.92
        polygon = Polygon([(x + dx, y + dy) for x, y in L_SHAPE.exterior.coords])
    else:
        polygon = shape(Region.objects.get(adcode="210202").boundary)
    snapshot = public_snapshot()
    held = index.current_index()
    origin = (CENTRE[0] + 0.01, CENTRE[1] - 0.004)
    cases = [
        (index.Filters(), False),
        (index.Filters(facilities=("wifi",)), False),
        (index.Filters(abilities=("rest",), include_suspended=False), False),
        (index.Filters(kind="station"), True),
    ]
    for hours in range(0, 14 * 24, 29):
        at = QUERY_FROM + timedelta(hours=hours, minutes=7)
        for filters, open_now in cases:
            got = held.inside(polygon, *origin, limit=15, filters=filters, open_now=open_now, at=at)
            every = brute_force(snapshot, *origin, radius_m=1e9, limit=10**6, filters=filters, open_now=open_now, at=at)
            points = {p.pk: (p.lng, p.lat) for p in snapshot}
            expected = [(pk, d) for pk, d in every if polygon.intersects(Point(points[pk]))][:15]
            assert got == expected, (filters, open_now, at)


# --- Addresses and landmarks: the geocoder, or the positions' own addresses ---------------------


@pytest.fixture
def landmark(dalian_map):
    """A station whose address names a landmark, and one ~1.2 km east of it."""
    unit = dalian_map["zs"]
    at = (121.6300, 38.9180)
    return {
        "square": _station(at, "广场站", unit=unit, address="中山区二七广场东侧50米"),
        "east": _station((at[0] + 0.014, at[1]), "东边站", unit=unit, address="中山区人民路1号"),
    }


@pytest.fixture
def geocoder(settings):
    with GeocoderServer() as server:
        settings.YIZHAN_GEOCODER = "amap"
        settings.YIZHAN_GEOCODER_KEY = "key"
        settings.YIZHAN_GEOCODER_URL = server.url
        settings.YIZHAN_GEOCODER_TIMEOUT_SECONDS = 0.3
        yield server


def _amap(lng: float, lat: float, level: str = "兴趣点") -> dict:
    geocoded = {"formatted_address": "辽宁省大连市中山区某处", "location": f"{lng},{lat}", "level": level}
    return {"status": "1", "info": "OK", "count": "1", "geocodes": [geocoded]}


def test_without_a_geocoder_a_landmark_is_found_among_the_positions_addresses(landmark):
    lookup = place_lookup("二七广场")
    assert lookup.place.kind == ADDRESS and lookup.place.label == "二七广场"
    assert lookup.place.address == "中山区二七广场东侧50米"
    assert lookup.notice == OFFLINE_NOTICE
    found = place_search(text="二七广场", limit=10)
    assert [r.position_id for r in found.results] == [landmark["square"].pk, landmark["east"].pk]
    assert found.results[0].distance_m == 0 and not found.in_area and found.radius_m == 5000


def test_names_and_areas_need_no_geocoder(landmark, geocoder):
    assert place_lookup("广场站").place.kind == POSITION
    assert place_lookup("中山区").place.kind == REGION
    assert place_lookup("中山区").notice == ""
    assert geocoder.requests == []


def test_a_configured_geocoder_finds_a_landmark_in_the_federations_city(landmark, geocoder):
    target = (121.6440, 38.9181)  # beside 东边站
    geocoder.answer(_amap(*target))
    lookup = place_lookup("人民广场")
    assert (lookup.place.kind, lookup.place.label, lookup.notice) == (GEOCODED, "人民广场", "")
    assert (lookup.place.lng, lookup.place.lat) == target
    (asked,) = geocoder.requests
    assert asked["query"]["address"] == ["人民广场"] and asked["query"]["city"] == ["210200"]  # 大连市
    found = place_search(text="人民广场", limit=10)
    assert found.results[0].position_id == landmark["east"].pk
    assert len(geocoder.requests) == 1  # asked once: the answer is cached


def test_a_geocoded_point_outside_the_federation_is_not_used(landmark, geocoder):
    geocoder.answer(_amap(113.665412, 34.753636))  # 郑州's 二七广场
    lookup = place_lookup("二七广场")
    assert lookup.place.kind == ADDRESS and lookup.place.address == "中山区二七广场东侧50米"
    assert lookup.notice == ""


@pytest.mark.parametrize(
    ("answer", "notice"),
    [
        ({"body": _amap(121.644, 38.918), "delay": 3}, "地址查询服务在 0.3 秒内没有应答"),
        ({"body": {"status": "0", "info": "INVALID_USER_KEY"}}, "地址查询服务暂时无法使用（INVALID_USER_KEY）"),
        ({"body": b"Bad Gateway", "status": 502}, "地址查询服务暂时无法使用（HTTP 502）"),
    ],
)
def test_a_failing_geocoder_falls_back_to_the_positions_addresses_and_says_so(landmark, geocoder, answer, notice):
    geocoder.answer(answer["body"], status=answer.get("status", 200), delay=answer.get("delay", 0))
    response = Client().get("/", {"q": "二七广场"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{notice}，只在区县、街道和本会驿站的名称、地址中查找。" in html
    assert "广场站" in html and "二七广场附近" in html
    api = Client().get(SEARCH, {"q": "二七广场"})
    assert api.status_code == 200
    body = api.json()
    assert body["notice"].startswith("地址查询服务") and body["place"]["kind"] == ADDRESS
    assert body["results"][0]["id"] == landmark["square"].pk


# --- The public page ------------------------------------------------------------------------------


def _names(response) -> list[str]:
    """The results' names in order (a result's heading may carry its number before the link)."""
    pattern = r'<h2>(?:<span[^>]*>[^<]*</span>\s*)?<a href="/p/[^"]+">([^<]+)</a></h2>'
    return re.findall(pattern, response.content.decode())


def test_the_page_lists_an_areas_stations_and_says_so(l_district):
    response = Client().get("/", {"q": "曲尺区"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "曲尺区内" in html
    shown = _names(response)
    assert {"东臂站", "北臂站", "拐角站", "停水站"} <= set(shown)
    assert "弯里站" not in html and "规划站" not in html
    nothing = Client().get("/", {"q": "曲尺区", "facility": "refrigerator"})
    assert "曲尺区内没有符合条件的驿站" in nothing.content.decode()


def test_the_page_orders_an_areas_stations_from_the_riders_location(l_district):
    """A typed area wins over a location kept from before, which then orders its stations."""
    rider = from_gcj02(121.6025, 38.9465, CRS.WGS84)  # at the north end, as the phone reports it
    params = {"q": "曲尺区", "lng": rider[0], "lat": rider[1], "crs": "wgs84", "sort": "distance"}
    shown = _names(Client().get("/", params))
    assert shown[:2] == ["北臂站", "拐角站"] and "弯里站" not in shown


def test_the_page_offline_finds_a_landmark_by_address_and_says_it_is_offline(landmark):
    response = Client().get("/", {"q": "二七广场"})
    html = response.content.decode()
    assert OFFLINE_NOTICE in html and "二七广场附近" in html
    assert _names(response)[0] == "广场站"
    unknown = Client().get("/", {"q": "火星基地"}).content.decode()
    assert "没有找到“火星基地”" in unknown and OFFLINE_NOTICE in unknown


# --- The public API -------------------------------------------------------------------------------


def test_the_api_searches_an_area(l_district):
    response = Client().get(SEARCH, {"q": "曲尺区", "crs": "gcj02"})
    assert response.status_code == 200
    body = response.json()
    PlaceSearchOut.model_validate(body)
    assert body["scope"] == "area" and body["radius"] is None and body["notice"] is None
    assert body["place"]["kind"] == REGION and body["place"]["adcode"] == "990101"
    assert {r["id"] for r in body["results"]} == {l_district[k].pk for k in ("east", "north", "corner", "suspended")}
    assert body["count"] == 4
    worker = {"q": "曲尺区", "lng": 121.6595, "lat": 38.9010, "crs": "gcj02"}
    near = Client().get(SEARCH, worker).json()
    assert near["results"][0]["id"] == l_district["east"].pk
    assert near["results"][0]["distance_m"] == round(distance_m(121.6595, 38.9010, *EAST_END))
    wgs = Client().get(SEARCH, {"q": "曲尺区"}).json()  # answered in WGS-84 by default
    east = next(r for r in wgs["results"] if r["id"] == l_district["east"].pk)
    assert (east["lng"], east["lat"]) == pytest.approx(from_gcj02(*EAST_END, CRS.WGS84), abs=1e-6)


def test_the_api_searches_around_a_point_place(landmark):
    body = Client().get(SEARCH, {"q": "广场站", "radius": 1000}).json()
    assert body["scope"] == "radius" and body["radius"] == 1000 and body["place"]["kind"] == POSITION
    assert [r["id"] for r in body["results"]] == [landmark["square"].pk]  # 东边站 is 1.2 km away


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({}, "q", "缺少参数 q"),
        ({"q": ""}, "q", "缺少参数 q"),
        ({"q": " "}, "q", "缺少参数 q"),
        ({"q": "区" * 61}, "q", "地点 q 不能超过 60 个字"),
        ({"q": "曲尺区", "lat": "38.9"}, "lng", "缺少参数 lng"),
        ({"q": "曲尺区", "lat": "38.9", "lng": "abc"}, "lng", "参数 lng 应为数字"),
        ({"q": "曲尺区", "lat": "95", "lng": "121"}, "lat", "纬度 lat 应在 -90 到 90 之间"),
        ({"q": "曲尺区", "crs": "mars"}, "crs", "未知的坐标系"),
        ({"q": "曲尺区", "limit": "0"}, "limit", "返回数量 limit"),
        ({"q": "曲尺区", "kind": "nope"}, "kind", "参数 kind 的值“nope”无效"),
    ],
)
def test_the_api_answers_bad_input_with_400_in_chinese(db, query, field, message):
    response = Client().get(SEARCH, query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field and body["detail"].startswith(message), body
    assert "no-store" in response["Cache-Control"]


def test_the_api_answers_an_unknown_place_with_404(l_district):
    response = Client().get(SEARCH, {"q": "火星基地"})
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"没有找到“火星基地”。请换个说法（驿站名称、拼音首字母、地址或区县）。{OFFLINE_NOTICE}",
        "field": "q",
    }


def test_the_api_is_documented(db):
    schema = Client().get("/api/v1/openapi.json").json()
    search = schema["paths"][SEARCH]["get"]
    assert "security" not in search
    assert {"200", "400", "404", "429"} <= set(search["responses"])
    assert {p["name"] for p in search["parameters"]} >= {"q", "lat", "lng", "crs", "radius", "limit", "open_now"}
