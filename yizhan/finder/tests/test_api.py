"""GET /api/v1/public/nearby and /api/v1/public/positions/{id}: no login, every parameter, clear
400s in Chinese for bad ones, no personal data, cache headers, rate limit, CORS, OpenAPI."""

import json
from datetime import date

import pytest
from django.test import Client

from yizhan.core.geo.crs import gcj02_to_bd09, gcj02_to_wgs84
from yizhan.core.geo.distance import distance_m
from yizhan.finder import params
from yizhan.finder.api import PUBLIC_MAX_AGE_S
from yizhan.finder.selectors import POSITION_NOT_PUBLIC
from yizhan.finder.tests.conftest import CENTRE
from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import HoursExceptionFactory

NEARBY = "/api/v1/public/nearby"
GCJ = f"lng={CENTRE[0]}&lat={CENTRE[1]}&crs=gcj02"
PERSONAL = ("王小明", "13912345678")
# Every key of a nearby result; nothing else may appear (a new field is a decision, not an accident).
NEARBY_KEYS = {
    "id",
    "code",
    "abilities",
    "name",
    "short_name",
    "kind",
    "state",
    "state_reason",
    "expected_reopen_on",
    "address",
    "lng",
    "lat",
    "is_open",
    "closes_at",
    "opens_at",
    "hours_unknown",
    "always_open",
    "facilities",
    "public_phone",
    "entry_method",
    "no_app_needed",
    "stars",
    "stars_rated_on",
    "distance_m",
    "walk_minutes",
    "reported_closed",
}


@pytest.fixture
def anonymous():
    return Client()


def _two_days_on() -> str:
    """The weekday two days after today in Shanghai: an hour that day is never now during a test, so
    the station with it is closed and has a next opening whenever the suite runs (a fixed Monday
    09:00–10:00 was open in a run at 09:14 on a Monday, 2026-12-07)."""
    from django.utils import timezone

    from yizhan.core.hours import SHANGHAI

    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return days[(timezone.now().astimezone(SHANGHAI).weekday() + 2) % 7]


@pytest.fixture
def stations(make_position):
    """Three operating stations east of the centre at ~0, 430 and 860 m, one suspended, one planned
    and one delisted; every one with a manager whose name and phone must never be published."""
    personal = {"manager_name": PERSONAL[0], "manager_phone": PERSONAL[1]}
    near = make_position(
        state=PositionState.OPERATING,
        lng=CENTRE[0],
        lat=CENTRE[1],
        always_open=True,
        facilities=["drinking_water", "wifi", "toilet"],
        abilities=["rest", "drink"],
        served_groups=["courier"],
        public_phone="0411-82345678",
        short_name="近站",
        **personal,
    )
    middle = make_position(
        state=PositionState.OPERATING,
        lng=CENTRE[0] + 0.005,
        lat=CENTRE[1],
        weekly_hours={_two_days_on(): [["09:00", "10:00"]]},
        facilities=["drinking_water"],
        abilities=["rest"],
        served_groups=["sanitation"],
        **personal,
    )
    far = make_position(
        state=PositionState.OPERATING,
        lng=CENTRE[0] + 0.01,
        lat=CENTRE[1],
        always_open=True,
        facilities=["wifi"],
        **personal,
    )
    suspended = make_position(
        state=PositionState.SUSPENDED,
        state_reason="水管维修，暂停供水",
        lng=CENTRE[0] + 0.0025,
        lat=CENTRE[1],
        **personal,
    )
    planned = make_position(state=PositionState.PLANNED, lng=CENTRE[0] + 0.001, lat=CENTRE[1], **personal)
    delisted = make_position(
        state=PositionState.DELISTED, state_reason="摘牌", lng=CENTRE[0] + 0.002, lat=CENTRE[1], **personal
    )
    return {
        "near": near,
        "middle": middle,
        "far": far,
        "suspended": suspended,
        "planned": planned,
        "delisted": delisted,
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_nearby_needs_no_login_and_sorts_by_distance(anonymous, stations):
    response = anonymous.get(f"{NEARBY}?{GCJ}")
    assert _ids(response) == [stations[k].pk for k in ("near", "suspended", "middle", "far")]
    body = response.json()
    assert body["crs"] == "gcj02" and body["count"] == 4 and body["radius"] == params.DEFAULT_RADIUS_M
    near, suspended, middle, _far = body["results"]
    assert set(near) == NEARBY_KEYS
    assert near["distance_m"] == 0 and near["walk_minutes"] == 0
    assert near["is_open"] is True and near["stars"] is None
    assert near["short_name"] == "近站" and near["public_phone"] == "0411-82345678"
    assert near["facilities"] == ["drinking_water", "toilet", "wifi"]
    assert (near["lng"], near["lat"]) == (round(stations["near"].lng, 7), round(stations["near"].lat, 7))
    expected = distance_m(*CENTRE, stations["middle"].lng, stations["middle"].lat)
    assert middle["distance_m"] == round(expected)
    assert middle["walk_minutes"] == 7  # 433 m × 1.3 = 563 m at 83.3 m/min = 6.8, rounded up
    assert suspended["state"] == "suspended" and suspended["state_reason"] == "水管维修，暂停供水"
    assert suspended["is_open"] is False
    assert near["state_reason"] is None


def test_a_phone_position_in_wgs84_is_converted_first(anonymous, stations):
    """A WGS-84 point and its GCJ-02 equivalent give the same answer; taken unconverted it would
    be hundreds of metres off (spec §10)."""
    wgs_lng, wgs_lat = gcj02_to_wgs84(*CENTRE)
    converted = anonymous.get(f"{NEARBY}?lng={wgs_lng}&lat={wgs_lat}").json()["results"]
    canonical = anonymous.get(f"{NEARBY}?{GCJ}").json()["results"]
    assert [r["id"] for r in converted] == [r["id"] for r in canonical]
    assert all(abs(a["distance_m"] - b["distance_m"]) <= 1 for a, b in zip(converted, canonical, strict=True))
    unconverted = anonymous.get(f"{NEARBY}?lng={wgs_lng}&lat={wgs_lat}&crs=gcj02").json()["results"]
    assert 200 < unconverted[0]["distance_m"] < 1000


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_coordinates_come_back_in_the_asked_system(anonymous, stations, crs):
    position = stations["near"]
    convert = {"wgs84": gcj02_to_wgs84, "bd09": gcj02_to_bd09, "gcj02": lambda lng, lat: (lng, lat)}[crs]
    lng, lat = convert(position.lng, position.lat)
    [first, *_rest] = anonymous.get(f"{NEARBY}?lng={lng}&lat={lat}&crs={crs}").json()["results"]
    assert first["id"] == position.pk and first["distance_m"] == 0
    assert first["lng"] == pytest.approx(lng, abs=1e-6) and first["lat"] == pytest.approx(lat, abs=1e-6)
    detail = anonymous.get(f"/api/v1/public/positions/{position.pk}?crs={crs}").json()
    assert detail["crs"] == crs and detail["lng"] == pytest.approx(lng, abs=1e-6)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("facility=wifi", ["near", "far"]),
        ("facility=wifi&facility=toilet", ["near"]),
        ("facility=drinking_water&facility=drinking_water", ["near", "middle"]),
        ("ability=rest", ["near", "middle"]),
        ("ability=rest&ability=drink", ["near"]),
        ("group=sanitation", ["middle"]),
        ("kind=station", ["near", "suspended", "middle", "far"]),
        ("kind=centre", []),
        ("open_now=true", ["near", "far"]),
        ("open_now=false", ["near", "suspended", "middle", "far"]),
        ("include_suspended=false", ["near", "middle", "far"]),
        ("include_suspended=true", ["near", "suspended", "middle", "far"]),
        ("radius=500", ["near", "suspended", "middle"]),
        ("radius=1", ["near"]),
        ("radius=50000", ["near", "suspended", "middle", "far"]),
        ("limit=2", ["near", "suspended"]),
        ("limit=50", ["near", "suspended", "middle", "far"]),
    ],
)
def test_every_filter(anonymous, stations, query, expected):
    response = anonymous.get(f"{NEARBY}?{GCJ}&{query}")
    assert _ids(response) == [stations[k].pk for k in expected]
    _assert_matches_the_documented_schema(response)


def _assert_matches_the_documented_schema(response):
    """The nearby answer is written without ninja's validation (for speed): it must still be exactly
    what NearbyOut documents, value for value, once read back through it."""
    from yizhan.finder.schemas import NearbyOut

    body = response.json()
    assert json.loads(NearbyOut.model_validate(body).model_dump_json()) == body
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_answers_with_times_and_reasons_match_the_schema(anonymous, stations, crs):
    """Opening times, a suspension reason, every coordinate system."""
    response = anonymous.get(f"{NEARBY}?lng={CENTRE[0]}&lat={CENTRE[1]}&crs={crs}&radius=50000")
    assert response.status_code == 200
    results = response.json()["results"]
    assert any(r["opens_at"] for r in results) and any(r["state_reason"] for r in results)
    _assert_matches_the_documented_schema(response)


def test_open_now_is_computed_now(anonymous, stations):
    """ "Now" moves with the clock: the station open one hour two days from now is not open in the
    answer, and the round-the-clock ones always are."""
    ids = _ids(anonymous.get(f"{NEARBY}?{GCJ}&open_now=1"))
    assert stations["middle"].pk not in ids
    assert stations["near"].pk in ids and stations["far"].pk in ids


BAD = [
    ("lng=121.6", "lat", params.PARAM_REQUIRED.format(name="lat")),
    ("lat=38.9", "lng", params.PARAM_REQUIRED.format(name="lng")),
    ("lat=&lng=121.6", "lat", params.PARAM_REQUIRED.format(name="lat")),
    ("lat=abc&lng=121.6", "lat", params.PARAM_NOT_A_NUMBER.format(name="lat", value="abc")),
    ("lat=nan&lng=121.6", "lat", params.PARAM_NOT_A_NUMBER.format(name="lat", value="nan")),
    ("lat=inf&lng=121.6", "lat", params.PARAM_NOT_A_NUMBER.format(name="lat", value="inf")),
    ("lat=91&lng=121.6", "lat", params.LAT_OUT_OF_RANGE),
    ("lat=-90.5&lng=121.6", "lat", params.LAT_OUT_OF_RANGE),
    ("lat=38.9&lng=181", "lng", params.LNG_OUT_OF_RANGE),
    ("lat=38.9&lng=121.6&crs=utm", "crs", params.CRS_UNKNOWN.format(value="utm")),
    ("lat=38.9&lng=121.6&radius=0", "radius", params.RADIUS_OUT_OF_RANGE.format(max=params.MAX_RADIUS_M)),
    ("lat=38.9&lng=121.6&radius=-5", "radius", params.RADIUS_OUT_OF_RANGE.format(max=params.MAX_RADIUS_M)),
    ("lat=38.9&lng=121.6&radius=50001", "radius", params.RADIUS_OUT_OF_RANGE.format(max=params.MAX_RADIUS_M)),
    ("lat=38.9&lng=121.6&radius=far", "radius", params.PARAM_NOT_A_NUMBER.format(name="radius", value="far")),
    ("lat=38.9&lng=121.6&limit=0", "limit", params.LIMIT_OUT_OF_RANGE.format(max=params.MAX_LIMIT)),
    ("lat=38.9&lng=121.6&limit=51", "limit", params.LIMIT_OUT_OF_RANGE.format(max=params.MAX_LIMIT)),
    ("lat=38.9&lng=121.6&limit=1000000000", "limit", params.LIMIT_OUT_OF_RANGE.format(max=params.MAX_LIMIT)),
    ("lat=38.9&lng=121.6&limit=2.5", "limit", params.PARAM_NOT_AN_INTEGER.format(name="limit", value="2.5")),
    ("lat=38.9&lng=121.6&facility=jacuzzi", "facility", None),
    ("lat=38.9&lng=121.6&facility=wifi&facility=sauna", "facility", None),
    ("lat=38.9&lng=121.6&ability=fly", "ability", None),
    ("lat=38.9&lng=121.6&kind=castle", "kind", None),
    ("lat=38.9&lng=121.6&group=astronauts", "group", None),
    (
        "lat=38.9&lng=121.6&open_now=maybe",
        "open_now",
        params.PARAM_NOT_A_BOOLEAN.format(name="open_now", value="maybe"),
    ),
    ("lat=38.9&lng=121.6&include_suspended=2", "include_suspended", None),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD)
def test_bad_parameters_answer_400_in_chinese(anonymous, db, query, field, message):
    response = anonymous.get(f"{NEARBY}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field
    assert body["detail"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    if message is not None:
        assert body["detail"] == str(message)
    assert response["Cache-Control"] == "no-store"


def test_an_unknown_value_lists_the_choices(anonymous, db):
    detail = anonymous.get(f"{NEARBY}?lat=38.9&lng=121.6&facility=jacuzzi").json()["detail"]
    assert "jacuzzi" in detail and "drinking_water" in detail and "wifi" in detail


def test_a_huge_value_is_not_echoed_whole(anonymous, db):
    detail = anonymous.get(f"{NEARBY}?lng=121.6&lat={'9' * 5000}x").json()["detail"]
    assert len(detail) < 100


def test_detail_of_a_public_position(anonymous, stations):
    position = stations["near"]
    response = anonymous.get(f"/api/v1/public/positions/{position.pk}?crs=gcj02")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == position.pk and body["state"] == "operating" and body["always_open"] is True
    assert body["abilities"] == ["rest", "drink"] and body["served_groups"] == ["courier"]
    assert body["hours_exceptions"] == [] and body["stars"] is None
    suspended = anonymous.get(f"/api/v1/public/positions/{stations['suspended'].pk}").json()
    assert suspended["state_reason"] == "水管维修，暂停供水"


def test_detail_lists_todays_and_later_exceptions_only(anonymous, stations):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    position = stations["near"]
    HoursExceptionFactory(position=position, start=today - timedelta(days=9), end=today - timedelta(days=8))
    HoursExceptionFactory(position=position, start=today, end=today + timedelta(days=1))
    body = anonymous.get(f"/api/v1/public/positions/{position.pk}").json()
    assert body["hours_exceptions"] == [
        {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat(), "closed": True, "intervals": []}
    ]
    assert body["is_open"] is False


@pytest.mark.parametrize("key", ["planned", "delisted"])
def test_positions_not_public_answer_404(anonymous, stations, key):
    response = anonymous.get(f"/api/v1/public/positions/{stations[key].pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == str(POSITION_NOT_PUBLIC)
    assert stations[key].pk not in _ids(anonymous.get(f"{NEARBY}?{GCJ}&radius=50000&limit=50"))


def test_an_unknown_position_answers_404_the_same_way(anonymous, db):
    response = anonymous.get("/api/v1/public/positions/999999")
    assert response.status_code == 404 and response.json()["detail"] == str(POSITION_NOT_PUBLIC)
    assert anonymous.get("/api/v1/public/positions/abc").status_code == 404
    assert anonymous.get("/api/v1/public/positions/1?crs=mars").status_code == 400


def test_no_personal_data_in_public_answers(anonymous, stations):
    for url in [
        f"{NEARBY}?{GCJ}&radius=50000&limit=50",
        *(f"/api/v1/public/positions/{p.pk}" for p in stations.values()),
    ]:
        response = anonymous.get(url)
        text = json.dumps(response.json(), ensure_ascii=False)
        for value in PERSONAL:
            assert value not in text, url
        assert "manager" not in text, url


def test_successful_answers_may_be_cached_briefly(anonymous, stations):
    for url in [f"{NEARBY}?{GCJ}", f"/api/v1/public/positions/{stations['near'].pk}"]:
        cache_control = {part.strip() for part in anonymous.get(url)["Cache-Control"].split(",")}
        assert cache_control == {"public", f"max-age={PUBLIC_MAX_AGE_S}"}


def test_too_many_requests_answer_429_with_retry_after(anonymous, db, settings):
    settings.YIZHAN_PUBLIC_RATE = "3/m"
    for _ in range(3):
        assert anonymous.get(f"{NEARBY}?{GCJ}").status_code == 200
    response = anonymous.get(f"{NEARBY}?{GCJ}")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "请求过于频繁" in response.json()["detail"]
    assert response["Cache-Control"] == "no-store"
    # Bad requests count too, and the detail endpoint shares the budget.
    assert anonymous.get("/api/v1/public/positions/1").status_code == 429
    # Another client has its own budget.
    assert Client(REMOTE_ADDR="10.1.2.3").get(f"{NEARBY}?{GCJ}").status_code == 200


def test_the_rate_limit_uses_the_address_the_trusted_proxy_saw(db, settings):
    settings.YIZHAN_PUBLIC_RATE = "1/m"
    settings.YIZHAN_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert proxy.get(f"{NEARBY}?{GCJ}", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200
    assert proxy.get(f"{NEARBY}?{GCJ}", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
    assert proxy.get(f"{NEARBY}?{GCJ}", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429


def test_cors_only_for_configured_origins_and_only_on_public_paths(anonymous, db, settings, make_user, dalian_map):
    from yizhan.core.roles import Role

    allowed = "https://map.example.org"
    assert "Access-Control-Allow-Origin" not in anonymous.get(f"{NEARBY}?{GCJ}", HTTP_ORIGIN=allowed)
    settings.CORS_ALLOWED_ORIGINS = [allowed]
    response = anonymous.get(f"{NEARBY}?{GCJ}", HTTP_ORIGIN=allowed)
    assert response["Access-Control-Allow-Origin"] == allowed
    assert "Access-Control-Allow-Credentials" not in response
    other = anonymous.get(f"{NEARBY}?{GCJ}", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other
    preflight = anonymous.options(NEARBY, HTTP_ORIGIN=allowed, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight["Access-Control-Allow-Origin"] == allowed
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    staff = Client()
    staff.force_login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    assert "Access-Control-Allow-Origin" not in staff.get("/api/v1/me", HTTP_ORIGIN=allowed)


def test_documented_in_the_openapi_schema(anonymous, db):
    schema = anonymous.get("/api/v1/openapi.json").json()
    nearby = schema["paths"]["/api/v1/public/nearby"]["get"]
    detail = schema["paths"]["/api/v1/public/positions/{position_id}"]["get"]
    assert "security" not in nearby and "security" not in detail
    assert {"200", "400", "429"} <= set(nearby["responses"]) and "404" in detail["responses"]
    names = {p["name"] for p in nearby["parameters"]}
    assert names == {
        "lat",
        "lng",
        "crs",
        "radius",
        "limit",
        "facility",
        "ability",
        "kind",
        "group",
        "open_now",
        "include_suspended",
    }
    assert "近似" in nearby["description"]


def test_a_repeated_nearby_answer_reads_no_position_rows(anonymous, stations):
    """Rows are read once per index version, with every field a result shows (no deferred field
    is fetched afterwards, one query per position)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = anonymous.get(f"{NEARBY}?{GCJ}&radius=50000")
    with CaptureQueriesContext(connection) as queries:
        again = anonymous.get(f"{NEARBY}?{GCJ}&radius=50000")
        page = anonymous.get("/", {"lng": CENTRE[0], "lat": CENTRE[1], "crs": "gcj02"})
    assert again.json() == first.json() and page.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "positions_position" in q["sql"]]


def test_a_nearby_result_shows_what_the_detail_shows(anonymous, stations, make_position, zs_admin):
    """The nearby answer is written from pre-written records, the detail from the row: every field
    both carry agrees, for every kind of station (suspended with a reason and a date, rated)."""
    rated = make_position(
        state=PositionState.OPERATING,
        star_rating="4",
        star_rated_on=date(2026, 6, 1),
        lng=CENTRE[0] + 0.003,
        lat=CENTRE[1],
        entry_method="code_lock",
        no_app_needed=False,
    )
    services.position_transition(
        actor=zs_admin,
        position=rated,
        to_state=PositionState.SUSPENDED,
        reason="装修",
        expected_reopen_on=date(2027, 1, 5),
    )
    results = anonymous.get(f"{NEARBY}?{GCJ}&radius=50000&limit=50").json()["results"]
    assert {item["state"] for item in results} == {"operating", "suspended"}
    assert any(item["stars"] for item in results) and any(item["expected_reopen_on"] for item in results)
    for item in results:
        detail = anonymous.get(f"/api/v1/public/positions/{item['id']}?crs=gcj02").json()
        shared = set(item) & set(detail)
        assert shared == NEARBY_KEYS - {"distance_m", "walk_minutes", "reported_closed"}
        assert {k: item[k] for k in shared} == {k: detail[k] for k in shared}, item["id"]
