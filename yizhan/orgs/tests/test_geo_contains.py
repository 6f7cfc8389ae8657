"""`geo.region_contains` tests points by coordinates (shapely's `intersects_xy`); it must answer as
the prepared polygon's `covers(Point)` does, edge and holes included."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape
from shapely.prepared import prep

from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.geo import region_contains
from yizhan.orgs.models import Region

DALIAN_FILE = Path(__file__).resolve().parents[1] / "data" / "boundaries" / "210200.geojson"
ZHONGSHAN = next(
    f["geometry"] for f in json.loads(DALIAN_FILE.read_text(encoding="utf-8"))["features"] if "210202" in json.dumps(f)
)
# A square with a square hole: points on the outer edge, the hole's edge and inside the hole.
HOLED = {
    "type": "Polygon",
    "coordinates": [
        [[121.0, 38.0], [122.0, 38.0], [122.0, 39.0], [121.0, 39.0], [121.0, 38.0]],
        [[121.25, 38.25], [121.75, 38.25], [121.75, 38.75], [121.25, 38.75], [121.25, 38.25]],
    ],
}


@pytest.fixture(scope="module")
def shapes():
    return {"zs": ZHONGSHAN, "holed": HOLED}


def _edge_points(geometry: dict) -> list[tuple[float, float]]:
    """Every vertex and the middle of every edge."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    points = []
    for polygon in polygons:
        for ring in polygon:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                points += [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2)]
    return points


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["zs", "holed"])
def test_edges_and_vertices_answer_as_covers(name, shapes):
    geometry = shapes[name]
    region = Region.objects.create(adcode="219999", name="测试区", level=RegionLevel.DISTRICT, boundary=geometry)
    reference = prep(shape(geometry))
    points = _edge_points(geometry)[:4000]
    assert [region_contains(region, x, y) for x, y in points] == [reference.covers(Point(x, y)) for x, y in points]
    assert region_contains(region.pk, 121.5, 38.5) is reference.covers(Point(121.5, 38.5))  # by id too


@pytest.mark.django_db
def test_no_boundary_is_none():
    region = Region.objects.create(adcode="219998", name="无边界", level=RegionLevel.DISTRICT)
    assert region_contains(region, 121.5, 38.5) is None


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=120.9, max_value=122.1, allow_nan=False),
    st.floats(min_value=37.9, max_value=39.1, allow_nan=False),
    st.sampled_from([0.0, 0.25, 0.5, 0.75]),
)
def test_random_points_answer_as_covers(x, y, snap):
    # Snapping some coordinates to the grid of the holed square puts many points exactly on its edges.
    if snap:
        x = 121.0 + round((x - 121.0) / snap) * snap
    region = Region.objects.get_or_create(
        adcode="219997", defaults={"name": "带洞区", "level": RegionLevel.DISTRICT, "boundary": HOLED}
    )[0]
    assert region_contains(region, x, y) is prep(shape(HOLED)).covers(Point(x, y))


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=120.9, max_value=122.1, allow_nan=False),
            st.floats(min_value=37.9, max_value=39.1, allow_nan=False),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_points_asked_ahead_answer_as_one_at_a_time(points):
    """`points_ahead` tests many points in one call per area; `region_contains` and `region_at` then
    answer from it exactly as they do point by point (edges included)."""
    from yizhan.orgs import geo

    region = Region.objects.get_or_create(
        adcode="219996",
        defaults={"name": "带洞区", "level": RegionLevel.DISTRICT, "boundary": HOLED, "min_lng": 121.0,
                  "min_lat": 38.0, "max_lng": 122.0, "max_lat": 39.0},
    )[0]  # fmt: skip
    points = [(121.0 + round((x - 121.0) * 4) / 4, y) if snap else (x, y) for x, y, snap in points]
    with geo.boundaries_pinned_to("test-ahead"):
        geo._answers.clear()
        one_by_one = [(region_contains(region, x, y), geo.region_at(x, y)) for x, y in points]
        geo.points_ahead([(x, y, region.pk) for x, y in points])
        assert all(("test-ahead", region.pk, x, y) in geo._answers for x, y in points)
        ahead = [(region_contains(region, x, y), geo.region_at(x, y)) for x, y in points]
    assert ahead == one_by_one
    with geo.boundaries_pinned_to("another-version"):
        assert not any(("another-version", region.pk, x, y) in geo._answers for x, y in points)
