"""Reach by straight line (spec §10): which sites reach which demand points, and each point's
nearest site.

The rule, in one place: a site reaches a point when the squared distance between them, computed as
`dx * dx + dy * dy` in float64 in the metric frame (`squared_distance`), is at most `radius *
radius` (`within_reach`) — "at most", so a point exactly on the circle is covered. The engine and
the brute-force check (`brute_force_straight`) call these same two functions, so they agree to the
last bit, ties on the circle included.

The engine finds candidate pairs with a bucket grid: sites are filed in square buckets a little
wider than the radius, so every site within the radius of a point lies in the 3 × 3 buckets around
the point's own, and each candidate pair is then decided by the rule above. Among the sites within
reach of a point, the nearest is the one of smallest squared distance, the lower index on a tie.
Points out of reach get their nearest site from a k-d tree of the sites, looked for up to
`NEAREST_CAP_M` (a point with no site that close has none: infinity); its distance is recomputed
by `squared_distance`, so it equals brute force's, but on an exact tie between two sites beyond
the radius either may be named.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from yizhan.coverage.engine.progress import SILENT, Progress

# The nearest-site distance is looked for up to here (the last bin of the distance chart).
NEAREST_CAP_M = 10_000.0
# Buckets are this much wider than the distance they must hold, so that rounding in x / size can
# never put a site within the distance outside the 3 × 3 neighbourhood.
_BUCKET_MARGIN = 1 + 1e-9
_NO_SITE = np.iinfo(np.int32).max


def squared_distance(ax, ay, bx, by):
    """The one distance arithmetic of straight-line reach (see the module docstring)."""
    dx = ax - bx
    dy = ay - by
    return dx * dx + dy * dy


def within_reach(d2, radius: float):
    """Covered ⇔ squared distance ≤ radius² (the circle itself counts)."""
    return d2 <= radius * radius


@dataclass(frozen=True)
class Reach:
    """Pairs (demand point, site) within reach, with their distance in metres (straight-line or
    walking), in the order the computation found them (the same for the same inputs)."""

    n_demand: int
    n_sites: int
    demand: np.ndarray  # int64 per pair
    site: np.ndarray  # int64 per pair
    distance: np.ndarray  # float64 per pair
    limit: float

    def by_site(self) -> sparse.csr_matrix:
        """Sites × demand points, 1 where the site reaches the point (rows in demand order)."""
        return sparse.csr_matrix(
            (np.ones(len(self.site), dtype=np.float64), (self.site, self.demand)), shape=(self.n_sites, self.n_demand)
        )

    def by_demand(self) -> sparse.csr_matrix:
        """Demand points × sites, 1 where the site reaches the point (rows in site order)."""
        return self.by_site().T.tocsr()

    def reach_count(self) -> np.ndarray:
        """How many sites reach each demand point."""
        return np.bincount(self.demand, minlength=self.n_demand).astype(np.int32)

    def restricted_to_sites(self, keep: np.ndarray) -> Reach:
        """The pairs of the sites where `keep` (bool per site) is true, renumbered in their order."""
        new_index = np.cumsum(keep) - 1
        mask = keep[self.site]
        return Reach(
            self.n_demand,
            int(keep.sum()),
            self.demand[mask],
            new_index[self.site[mask]],
            self.distance[mask],
            self.limit,
        )


class _Buckets:
    """Sites filed in square buckets of side `size` over a box that also holds the points."""

    def __init__(self, site_x, site_y, size: float, box: tuple[float, float, float, float]):
        self.size = size
        min_x, min_y, max_x, max_y = box
        self.ix0 = int(np.floor(min_x / size)) - 1
        self.iy0 = int(np.floor(min_y / size)) - 1
        self.nx = int(np.floor(max_x / size)) - self.ix0 + 2
        self.ny = int(np.floor(max_y / size)) - self.iy0 + 2
        keys = self.keys(site_x, site_y)
        self.order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=self.nx * self.ny)
        self.counts = counts
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def cells(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.floor(x / self.size).astype(np.int64) - self.ix0,
            np.floor(y / self.size).astype(np.int64) - self.iy0,
        )

    def keys(self, x, y) -> np.ndarray:
        cx, cy = self.cells(x, y)
        return cx * self.ny + cy

    def neighbour_pairs(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(point position, site index) for every site in the 3 × 3 buckets around each point."""
        cx, cy = self.cells(x, y)
        points_parts, sites_parts = [], []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                keys = (cx + dx) * self.ny + (cy + dy)
                counts = self.counts[keys]
                holding = np.flatnonzero(counts)
                if len(holding) == 0:
                    continue
                counts = counts[holding]
                total = int(counts.sum())
                points = np.repeat(holding, counts)
                # Position of each pair inside its bucket: 0, 1, … counts-1.
                firsts = np.repeat(np.cumsum(counts) - counts, counts)
                within = np.arange(total) - firsts
                sites = self.order[np.repeat(self.starts[keys[holding]], counts) + within]
                points_parts.append(points)
                sites_parts.append(sites)
        if not points_parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(points_parts), np.concatenate(sites_parts)


def _box(*coordinate_arrays) -> tuple[float, float, float, float]:
    xs = [a for a in coordinate_arrays[0::2] if len(a)]
    ys = [a for a in coordinate_arrays[1::2] if len(a)]
    return (
        min(float(a.min()) for a in xs),
        min(float(a.min()) for a in ys),
        max(float(a.max()) for a in xs),
        max(float(a.max()) for a in ys),
    )


def straight_reach(demand_x, demand_y, site_x, site_y, radius: float, *, progress: Progress = SILENT) -> Reach:
    """Every (demand point, site) pair within `radius` metres in a straight line."""
    reach, _nearest = _straight(demand_x, demand_y, site_x, site_y, radius, nearest=False, progress=progress)
    return reach


def straight_coverage(
    demand_x, demand_y, site_x, site_y, radius: float, *, progress: Progress = SILENT
) -> tuple[Reach, tuple[np.ndarray, np.ndarray]]:
    """The pairs within `radius` and each point's nearest site: (distance in metres, site index),
    infinity and -1 when no site lies within NEAREST_CAP_M."""
    return _straight(demand_x, demand_y, site_x, site_y, radius, nearest=True, progress=progress)


def _straight(demand_x, demand_y, site_x, site_y, radius, *, nearest: bool, progress: Progress):
    demand_x = np.asarray(demand_x, dtype=np.float64)
    demand_y = np.asarray(demand_y, dtype=np.float64)
    site_x = np.asarray(site_x, dtype=np.float64)
    site_y = np.asarray(site_y, dtype=np.float64)
    n, m = len(demand_x), len(site_x)
    best_d2 = np.full(n, np.inf)
    best_site = np.full(n, -1, dtype=np.int64)
    if n == 0 or m == 0:
        empty = np.empty(0, dtype=np.int64)
        return Reach(n, m, empty, empty, np.empty(0), radius), (best_d2, best_site)
    box = _box(demand_x, demand_y, site_x, site_y)
    progress(0, 3, "计算直线可达范围")
    buckets = _Buckets(site_x, site_y, radius * _BUCKET_MARGIN + 1e-6, box)
    points, sites = buckets.neighbour_pairs(demand_x, demand_y)
    d2 = squared_distance(demand_x[points], demand_y[points], site_x[sites], site_y[sites])
    inside = within_reach(d2, radius)
    points, sites, d2 = points[inside], sites[inside], d2[inside]
    reach = Reach(n, m, points, sites, np.sqrt(d2), radius)
    if not nearest:
        return reach, (best_d2, best_site)
    progress(1, 3, "计算最近站点距离")
    _take_nearest(best_d2, best_site, points, sites, d2)
    # Points out of reach: their nearest site from a k-d tree of the sites. Its squared distance is
    # the same sum of the same two products as `squared_distance`, recomputed here all the same.
    open_points = np.flatnonzero(best_site < 0)
    cap = max(NEAREST_CAP_M, radius)
    if len(open_points):
        tree = cKDTree(np.column_stack([site_x, site_y]))
        found_d, found = tree.query(
            np.column_stack([demand_x[open_points], demand_y[open_points]]),
            k=1,
            distance_upper_bound=cap * _BUCKET_MARGIN + 1e-6,
            workers=-1,
        )
        hit = np.isfinite(found_d)
        points, sites = open_points[hit], found[hit]
        d2 = squared_distance(demand_x[points], demand_y[points], site_x[sites], site_y[sites])
        near = d2 <= cap * cap
        best_d2[points[near]] = d2[near]
        best_site[points[near]] = sites[near]
    progress(3, 3, "计算最近站点距离")
    return reach, (np.sqrt(best_d2), best_site)


def _take_nearest(best_d2, best_site, points, sites, d2) -> None:
    """Lower `best_d2` per point to the smallest d2 among the pairs; the lowest site index among
    those at that distance."""
    np.minimum.at(best_d2, points, d2)
    at_best = d2 == best_d2[points]
    candidate = np.full(len(best_site), _NO_SITE, dtype=np.int64)
    np.minimum.at(candidate, points[at_best], sites[at_best])
    found = candidate != _NO_SITE
    best_site[found] = candidate[found]


def brute_force_straight(
    demand_x, demand_y, site_x, site_y, radius: float, *, chunk: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every point against every site with numpy, in chunks of points: (sites within reach per
    point, nearest distance or infinity beyond NEAREST_CAP_M, nearest site or -1). The reference
    the engine must match exactly (tests, bench/coverage_grid.py)."""
    demand_x = np.asarray(demand_x, dtype=np.float64)
    demand_y = np.asarray(demand_y, dtype=np.float64)
    site_x = np.asarray(site_x, dtype=np.float64)
    site_y = np.asarray(site_y, dtype=np.float64)
    n = len(demand_x)
    counts = np.zeros(n, dtype=np.int32)
    nearest = np.full(n, np.inf)
    nearest_site = np.full(n, -1, dtype=np.int64)
    if len(site_x) == 0:
        return counts, nearest, nearest_site
    cap = max(NEAREST_CAP_M, radius)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        d2 = squared_distance(demand_x[start:stop, None], demand_y[start:stop, None], site_x[None, :], site_y[None, :])
        counts[start:stop] = within_reach(d2, radius).sum(axis=1)
        best = d2.argmin(axis=1)  # the first (lowest index) among equal minima
        best_d2 = d2[np.arange(stop - start), best]
        known = best_d2 <= cap * cap
        nearest[start:stop] = np.where(known, np.sqrt(best_d2), np.inf)
        nearest_site[start:stop] = np.where(known, best, -1)
    return counts, nearest, nearest_site
