"""Coordinate systems (spec §10): reference vectors of two independent implementations, round trips,
the out-of-China rule and GeoJSON conversion."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.geo import crs
from yizhan.core.geo.crs import CRS

# dromara/hutool hutool-core/src/test/java/cn/hutool/core/util/CoordinateUtilTest.java, (lng, lat).
# hutool's own assertions use delta 0; the values agree with other ports to 1e-14.
HUTOOL_WGS = (116.404, 39.915)
HUTOOL_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
HUTOOL_WGS_TO_BD = (116.41662724378733, 39.922699552216216)
HUTOOL_WGS_TO_BD_2 = ((122.99395597, 44.99804071), (123.00636516028885, 45.0063690918959))
HUTOOL_GCJ_TO_BD = ((116.404, 39.915), (116.41036949371029, 39.92133699351022))
HUTOOL_BD_TO_GCJ = ((116.404, 39.915), (116.39762729119315, 39.90865673957631))
# hutool's GCJ→WGS and BD→WGS are the one-step inverse (w = 2g − f(g)), i.e. one round of our iteration.
HUTOOL_GCJ_TO_WGS_ONE_STEP = ((116.404, 39.915), (116.39775550083061, 39.91359571849836))
HUTOOL_BD_TO_WGS_ONE_STEP = ((116.404, 39.915), (116.3913836995125, 39.907253214522164))

# googollee/eviltransform python/test.py TESTS: (wgsLat, wgsLng, gcjLat, gcjLng) — lat first.
# Its BD-09 vectors (TESTS_bd) are 8–35 m off (spec §10) and deliberately not used.
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]

EXACT = 1e-12  # degrees; both implementations agree to ~1e-14
INVERSE = 1e-9  # degrees (~0.1 mm): the iterated inverse after 3 rounds
EARTH_RADIUS = 6371008.8


def close(actual, expected, tol):
    return abs(actual[0] - expected[0]) <= tol and abs(actual[1] - expected[1]) <= tol


def haversine(a, b) -> float:
    (lng1, lat1), (lng2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * math.asin(math.sqrt(h))


def test_constants_are_the_specs():
    assert crs.A == 6378245.0
    assert crs.EE == 0.00669342162296594323
    assert math.pi * 3000.0 / 180.0 == crs.X_PI


def test_hutool_wgs_to_gcj():
    assert close(crs.wgs84_to_gcj02(*HUTOOL_WGS), HUTOOL_WGS_TO_GCJ, EXACT)


def test_hutool_wgs_to_bd():
    assert close(crs.gcj02_to_bd09(*crs.wgs84_to_gcj02(*HUTOOL_WGS)), HUTOOL_WGS_TO_BD, EXACT)
    source, expected = HUTOOL_WGS_TO_BD_2
    assert close(crs.gcj02_to_bd09(*crs.wgs84_to_gcj02(*source)), expected, EXACT)


def test_hutool_gcj_bd_both_ways():
    source, expected = HUTOOL_GCJ_TO_BD
    assert close(crs.gcj02_to_bd09(*source), expected, EXACT)
    source, expected = HUTOOL_BD_TO_GCJ
    assert close(crs.bd09_to_gcj02(*source), expected, EXACT)


def test_hutool_one_step_inverses_are_our_first_round():
    source, expected = HUTOOL_GCJ_TO_WGS_ONE_STEP
    assert close(crs.gcj02_to_wgs84(*source, rounds=1), expected, EXACT)
    source, expected = HUTOOL_BD_TO_WGS_ONE_STEP
    assert close(crs.gcj02_to_wgs84(*crs.bd09_to_gcj02(*source), rounds=1), expected, EXACT)


def test_iterated_inverse_beats_the_one_step_inverse():
    gcj = HUTOOL_WGS_TO_GCJ
    one_step = haversine(crs.gcj02_to_wgs84(*gcj, rounds=1), HUTOOL_WGS)
    iterated = haversine(crs.gcj02_to_wgs84(*gcj), HUTOOL_WGS)
    assert 0.01 < one_step < 5  # spec §10: the one-step inverse is up to ~4.7 m off
    assert iterated < 0.001  # and 3 rounds come within 0.2 mm
    assert haversine(crs.gcj02_to_wgs84(*gcj, rounds=2), HUTOOL_WGS) < 0.03


@pytest.mark.parametrize("wgs_lat, wgs_lng, gcj_lat, gcj_lng", EVILTRANSFORM)
def test_eviltransform_wgs_to_gcj(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    assert close(crs.wgs84_to_gcj02(wgs_lng, wgs_lat), (gcj_lng, gcj_lat), EXACT)


@pytest.mark.parametrize("wgs_lat, wgs_lng, gcj_lat, gcj_lng", EVILTRANSFORM)
def test_eviltransform_gcj_to_wgs(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    assert close(crs.gcj02_to_wgs84(gcj_lng, gcj_lat), (wgs_lng, wgs_lat), INVERSE)


def test_dispatch_by_crs_name():
    wgs, gcj = HUTOOL_WGS, HUTOOL_WGS_TO_GCJ
    assert close(crs.to_gcj02(*wgs, "wgs84"), gcj, EXACT)
    assert haversine(crs.to_gcj02(*HUTOOL_WGS_TO_BD, CRS.BD09), gcj) < 0.5  # BD→GCJ is a one-step inverse
    assert crs.to_gcj02(*gcj, CRS.GCJ02) == gcj
    assert close(crs.from_gcj02(*gcj, "bd09"), HUTOOL_WGS_TO_BD, EXACT)
    assert close(crs.from_gcj02(*gcj, CRS.WGS84), wgs, INVERSE)
    assert crs.from_gcj02(*gcj, "gcj02") == gcj
    with pytest.raises(ValueError):
        crs.to_gcj02(*gcj, "epsg3857")
    with pytest.raises(ValueError):
        crs.from_gcj02(*gcj, "baidu")


china_lng = st.floats(min_value=74, max_value=134, allow_nan=False)
china_lat = st.floats(min_value=18, max_value=53, allow_nan=False)


@given(china_lng, china_lat)
def test_wgs_gcj_round_trip_within_a_metre(lng, lat):
    gcj = crs.wgs84_to_gcj02(lng, lat)
    assert haversine(crs.gcj02_to_wgs84(*gcj), (lng, lat)) < 1.0


@given(china_lng, china_lat)
def test_gcj_offset_is_real_inside_china(lng, lat):
    # The offset is what makes unconverted GPS positions land hundreds of metres off (spec §10).
    assert 1 < haversine(crs.wgs84_to_gcj02(lng, lat), (lng, lat)) < 1500


@given(china_lng, china_lat)
def test_bd_gcj_round_trip_within_a_metre(lng, lat):
    assert haversine(crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lng, lat)), (lng, lat)) < 1.0
    assert haversine(crs.gcj02_to_bd09(*crs.bd09_to_gcj02(lng, lat)), (lng, lat)) < 1.0


outside_china = st.one_of(
    st.tuples(st.floats(-180, 73.6), st.floats(-90, 90)),
    st.tuples(st.floats(135.1, 180), st.floats(-90, 90)),
    st.tuples(st.floats(-180, 180), st.floats(-90, 3.8)),
    st.tuples(st.floats(-180, 180), st.floats(53.6, 90)),
)


@given(outside_china)
def test_points_outside_china_are_unchanged(point):
    lng, lat = point
    assert crs.out_of_china(lng, lat)
    assert crs.wgs84_to_gcj02(lng, lat) == (lng, lat)
    assert crs.gcj02_to_wgs84(lng, lat) == (lng, lat)


@pytest.mark.parametrize("point", [(2.3522, 48.8566), (-74.006, 40.7128), (139.69, 35.69), (0.0, 0.0)])
def test_known_foreign_cities_are_unchanged(point):
    assert crs.wgs84_to_gcj02(*point) == point
    assert crs.to_gcj02(*point, CRS.WGS84) == point


def test_transform_geojson_geometry_converts_nested_coordinates():
    ring = [[121.6, 38.9], [121.7, 38.9], [121.7, 39.0], [121.6, 38.9]]
    hole = [[121.62, 38.92], [121.63, 38.92], [121.63, 38.93], [121.62, 38.92]]
    multipolygon = {"type": "MultiPolygon", "coordinates": [[ring, hole], [ring]]}

    for target, convert in ((CRS.WGS84, crs.gcj02_to_wgs84), (CRS.BD09, crs.gcj02_to_bd09)):
        result = crs.transform_geojson_geometry(multipolygon, target)
        assert result["type"] == "MultiPolygon"
        assert [len(p) for p in result["coordinates"]] == [2, 1]
        for polygon_in, polygon_out in zip(multipolygon["coordinates"], result["coordinates"], strict=True):
            for ring_in, ring_out in zip(polygon_in, polygon_out, strict=True):
                assert len(ring_in) == len(ring_out)
                for point_in, point_out in zip(ring_in, ring_out, strict=True):
                    assert tuple(point_out) == convert(*point_in)
                    assert point_out != point_in
    assert multipolygon["coordinates"][0][0] == ring  # the input is left alone


def test_transform_geojson_geometry_handles_every_depth():
    point = crs.transform_geojson_geometry({"type": "Point", "coordinates": [121.6, 38.9]}, "wgs84")
    assert point == {"type": "Point", "coordinates": list(crs.gcj02_to_wgs84(121.6, 38.9))}
    line = crs.transform_geojson_geometry({"type": "LineString", "coordinates": [[121, 38], [122, 39]]}, "bd09")
    assert line["coordinates"] == [list(crs.gcj02_to_bd09(121, 38)), list(crs.gcj02_to_bd09(122, 39))]
    polygon = {"type": "Polygon", "coordinates": [[[121.6, 38.9], [121.7, 38.9], [121.6, 39.0], [121.6, 38.9]]]}
    assert crs.transform_geojson_geometry(polygon, CRS.GCJ02) == polygon
