"""The dashboard's map coloured by usage (issue 15 §6): quantile classes that hold every position
once (Hypothesis), the API's points with their visits and the URL of the rows behind each (the
rows add up to the figure), coordinates in the tile layer's system, the same scope as the
dashboard (a district never sees another's positions), and the page carrying the map from this
site with the tile fallback."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.roles import Role
from yizhan.ledger import overview
from yizhan.ledger.overview import USAGE_CLASSES, usage_class_of, usage_classes
from yizhan.ledger.tests.factories import DailyLedgerFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG

API = "/api/v1/ledger/usage-map"


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=200))
def test_every_count_falls_in_exactly_one_class(values):
    classes = usage_classes(values)
    assert classes[0].high == 0 and classes[0].count == values.count(0)
    assert sum(c.count for c in classes) == len(values)
    assert len(classes) <= USAGE_CLASSES + 1
    for before, after in zip(classes, classes[1:], strict=False):
        assert after.low == before.high + 1 and after.low <= after.high
    for value in values:
        held = [c for c in classes if c.low <= value <= c.high]
        assert len(held) == 1 and classes[usage_class_of(value, classes)] is held[0]
    colours = [c.colour for c in classes]
    assert len(set(colours)) == len(colours)


def test_quartiles_of_a_spread_network():
    classes = usage_classes([0, 0, *range(1, 101)])
    bounds = [(c.low, c.high, c.count) for c in classes]
    assert bounds == [(0, 0, 2), (1, 25, 25), (26, 50, 25), (51, 75, 25), (76, 100, 25)]
    assert [c.label for c in classes] == ["无服务人次", "1–25", "26–50", "51–75", "76–100"]
    # Equal counts merge into one class; the darkest colours are kept for the busiest.
    same = usage_classes([7, 7, 7])
    assert [(c.low, c.high, c.count) for c in same] == [(0, 0, 0), (1, 7, 3)] and same[1].label == "1–7"
    assert same[1].colour == overview.USAGE_COLOURS[-1]
    assert [c.count for c in usage_classes([])] == [0]


@pytest.fixture
def world(dalian_map, make_position, station):
    today = timezone.localdate()
    busy = make_position(state=PositionState.OPERATING)
    quiet = make_position(state=PositionState.OPERATING)
    xg = make_position(unit=dalian_map["xg"], lng=XIGANG[0], lat=XIGANG[1], state=PositionState.OPERATING)
    for n in range(3):
        DailyLedgerFactory(position=busy, day=today - timedelta(days=n), visits_delivery=100)
        DailyLedgerFactory(position=station, day=today - timedelta(days=n), visits_delivery=5)
        DailyLedgerFactory(position=xg, day=today - timedelta(days=n), visits_delivery=50)
    DailyLedgerFactory(position=quiet, day=today - timedelta(days=45), visits_delivery=9)  # before the period
    return {"busy": busy, "quiet": quiet, "station": station, "xg": xg}


@pytest.mark.django_db
def test_the_api_gives_each_position_its_visits_class_and_rows(world, dalian_map, make_user, login, settings):
    settings.YIZHAN_MAP_TILES = "osm"  # a WGS-84 base map: the points are converted to it
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    r = client.get(API)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["crs"] == CRS.WGS84 and data["truncated"] is False
    points = {p["id"]: p for p in data["points"]}
    assert world["xg"].pk not in points  # another district's position
    assert [p["id"] for p in data["points"]][:2] == [world["busy"].pk, world["station"].pk]  # busiest first
    busy = points[world["busy"].pk]
    assert busy["visits"] == 3 * (100 + 4)  # the factory's 4 riders a day beside the couriers
    x, y = from_gcj02(world["busy"].lng, world["busy"].lat, CRS.WGS84)
    assert (busy["x"], busy["y"]) == (round(x, 6), round(y, 6))
    assert points[world["quiet"].pk]["visits"] == 0 and points[world["quiet"].pk]["cls"] == 0
    assert data["classes"][busy["cls"]]["low"] <= busy["visits"] <= data["classes"][busy["cls"]]["high"]
    assert sum(c["count"] for c in data["classes"]) == len(points)
    # The rows behind a point's figure add up to it.
    rows = client.get(busy["url"]).content.decode()
    assert f"合计服务人次 {busy['visits']}" in rows


@pytest.mark.django_db
def test_the_map_follows_the_dashboards_scope_and_period(world, dalian_map, make_user, login):
    zs = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    assert zs.get(API, {"unit": dalian_map["xg"].pk}).status_code == 404
    assert zs.get(API, {"unit": dalian_map["city"].pk}).status_code == 404
    city = login(make_user(Role.FEDERATION_ADMIN, dalian_map["city"]))
    data = city.get(API, {"unit": dalian_map["city"].pk}).json()
    assert world["xg"].pk in {p["id"] for p in data["points"]}
    old = timezone.localdate() - timedelta(days=45)
    data = city.get(API, {"unit": dalian_map["zs"].pk, "date_from": old, "date_to": old}).json()
    visits = {p["id"]: p["visits"] for p in data["points"]}
    assert visits[world["quiet"].pk] == 9 + 4 and visits[world["busy"].pk] == 0


@pytest.mark.django_db
def test_the_page_carries_the_map_from_this_site(world, dalian_map, make_user, login):
    page = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])).get("/staff/ledger/dashboard/").content.decode()
    assert 'id="usage-map"' in page and "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/ledger/overview-map.js" in page and f"/api/v1/ledger/usage-map?unit={dalian_map['zs'].pk}" in page
    assert 'data-tiles="none"' in page  # the tests' setting: no tile server, boundaries-free points only
