"""Straight-line reach on hand-made cases, and the engine against brute force (issue 18)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yizhan.coverage.engine.reach import NEAREST_CAP_M, brute_force_straight, straight_coverage, straight_reach


def test_a_point_exactly_on_the_circle_is_covered_and_one_just_outside_is_not():
    # 3-4-5: the squared distance 25 equals the radius squared exactly.
    reach = straight_reach([3.0, 3.0 + 1e-9, 0.0], [4.0, 4.0, 0.0], [0.0], [0.0], 5.0)
    assert sorted(reach.demand.tolist()) == [0, 2]
    assert reach.reach_count().tolist() == [1, 0, 1]


def test_counts_and_nearest_on_a_small_layout():
    # Two stations 1,000 m apart, radius 600: the middle point is reached by both.
    demand_x = np.array([0.0, 500.0, 1000.0, 3000.0])
    demand_y = np.zeros(4)
    reach, (nearest, site) = straight_coverage(demand_x, demand_y, [0.0, 1000.0], [0.0, 0.0], 600.0)
    assert reach.reach_count().tolist() == [1, 2, 1, 0]
    assert nearest.tolist() == [0.0, 500.0, 0.0, 2000.0]
    # A tie goes to the lower station index.
    assert site.tolist() == [0, 0, 1, 1]


def test_no_station_and_stations_beyond_the_cap():
    reach, (nearest, site) = straight_coverage([0.0], [0.0], [], [], 960.0)
    assert reach.reach_count().tolist() == [0] and np.isinf(nearest[0]) and site[0] == -1
    reach, (nearest, site) = straight_coverage([0.0], [0.0], [NEAREST_CAP_M + 1], [0.0], 960.0)
    assert np.isinf(nearest[0]) and site[0] == -1


def _agree(dx, dy, sx, sy, radius):
    reach, (nearest, site) = straight_coverage(dx, dy, sx, sy, radius)
    counts, brute_nearest, brute_site = brute_force_straight(dx, dy, sx, sy, radius)
    assert np.array_equal(reach.reach_count(), counts)
    assert np.array_equal(nearest, brute_nearest)
    # The same station, or one exactly as near (beyond the radius a tie may go either way).
    assert np.array_equal(site >= 0, brute_site >= 0)
    found = site >= 0
    mine = np.hypot(dx[found] - sx[site[found]], dy[found] - sy[site[found]])
    theirs = np.hypot(dx[found] - sx[brute_site[found]], dy[found] - sy[brute_site[found]])
    assert np.array_equal(mine, theirs)
    # Within the radius the lower index wins the tie, as brute force's argmin does.
    covered = counts > 0
    assert np.array_equal(site[covered], brute_site[covered])


def test_agrees_exactly_with_brute_force_on_a_grid_with_ties():
    # Stations on cell centres and corners of a 100 m grid, radius a whole number of cells: many
    # points lie exactly on a circle, and many at equal distance from two stations.
    xs = (np.arange(60) + 0.5) * 100.0
    gx, gy = np.meshgrid(xs, xs)
    rng = np.random.default_rng(4)
    sx = rng.integers(0, 60, 80) * 100.0 + rng.choice([0.0, 50.0], 80)
    sy = rng.integers(0, 60, 80) * 100.0 + rng.choice([0.0, 50.0], 80)
    for radius in (100.0, 250.0, 500.0, 960.0):
        _agree(gx.ravel(), gy.ravel(), sx, sy, radius)


coordinate = st.floats(min_value=-20_000, max_value=20_000, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=60),
    st.lists(st.tuples(coordinate, coordinate), min_size=0, max_size=12),
    st.floats(min_value=50, max_value=10_000),
)
def test_agrees_exactly_with_brute_force(demand, sites, radius):
    dx, dy = (np.array([p[i] for p in demand]) for i in (0, 1))
    sx, sy = (np.array([p[i] for p in sites], dtype=float) for i in (0, 1))
    _agree(dx, dy, sx, sy, radius)


def test_the_same_inputs_give_the_same_pairs():
    rng = np.random.default_rng(9)
    dx, dy, sx, sy = rng.uniform(0, 5000, (4, 500))
    first = straight_reach(dx, dy, sx[:30], sy[:30], 700.0)
    second = straight_reach(dx.copy(), dy.copy(), sx[:30].copy(), sy[:30].copy(), 700.0)
    for name in ("demand", "site", "distance"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
