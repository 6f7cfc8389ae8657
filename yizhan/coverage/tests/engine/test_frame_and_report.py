"""The metric frame's GCJ-02 arrays against the kernel's scalar conversions, and the report's
figures on a small layout."""

import numpy as np
import pytest

from yizhan.core.geo import crs
from yizhan.coverage.engine.frame import MetricFrame, gcj02_to_wgs84_arrays, wgs84_to_gcj02_arrays
from yizhan.coverage.engine.reach import straight_coverage
from yizhan.coverage.engine.report import coverage_report, heavily_overlapping


def test_array_conversions_match_the_kernel():
    rng = np.random.default_rng(2)
    lng, lat = rng.uniform(73, 135, 300), rng.uniform(4, 53, 300)
    forward = np.array([crs.wgs84_to_gcj02(a, b) for a, b in zip(lng, lat, strict=True)])
    backward = np.array([crs.gcj02_to_wgs84(a, b) for a, b in zip(lng, lat, strict=True)])
    assert np.abs(np.column_stack(wgs84_to_gcj02_arrays(lng, lat)) - forward).max() < 1e-9
    assert np.abs(np.column_stack(gcj02_to_wgs84_arrays(lng, lat)) - backward).max() < 1e-9
    # Outside China nothing moves.
    assert wgs84_to_gcj02_arrays([2.35], [48.85])[0][0] == 2.35


def test_frame_distances_are_true_distances():
    from pyproj import Geod

    frame = MetricFrame(121.6, 38.9)
    lng, lat = [121.6, 121.65], [38.9, 38.93]
    x, y = frame.from_wgs84(lng, lat)
    _a, _b, geodesic = Geod(ellps="WGS84").inv(lng[0], lat[0], lng[1], lat[1])
    # From the frame's centre, distances are geodesic distances.
    assert x[0] == pytest.approx(0, abs=1e-6) and np.hypot(x[1], y[1]) == pytest.approx(geodesic, abs=1e-3)
    lng, lat = frame.to_gcj02(*frame.from_gcj02([121.61], [38.91]))
    assert lng[0] == pytest.approx(121.61, abs=1e-9) and lat[0] == pytest.approx(38.91, abs=1e-9)


def test_report_of_two_overlapping_stations():
    # Stations at 0 and 100 m reach the same three points; a third station alone reaches one.
    demand_x = np.array([0.0, 50.0, 100.0, 5000.0, 9000.0])
    weights = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    reach, nearest = straight_coverage(demand_x, np.zeros(5), [0.0, 100.0, 5000.0], [0.0, 0.0, 0.0], 200.0)
    report = coverage_report(reach, weights, nearest, district=np.array([0, 0, 0, 1, -1]), n_districts=2)
    assert report.total_weight == 20 and report.covered_weight == 10 and report.share == 0.5
    assert report.covered.tolist() == [True, True, True, True, False]
    first, second, third = report.catchments
    assert first.weight == 6 and first.exclusive_weight == 0 and first.overlap_share == 1.0 and first.partner == 1
    assert third.exclusive_weight == 4 and third.overlap_share == 0.0 and third.partner == -1
    assert heavily_overlapping(report.catchments, 0.8) == [0, 1]
    assert [d["share"] for d in report.districts] == [1.0, 1.0]
    distribution = report.distribution
    assert distribution["beyond"] == 0 and sum(distribution["weights"]) == 20
    # By weight: half the demand is within 50 m of a station, 90 % within 4 km.
    assert distribution["median"] == 50.0 and distribution["p90"] == 4000.0
