"""Coverage benchmark (issue 18 "Measure"): a Wuhan-sized area on a 100 m grid against 2,000
stations, target ≤ 1 s and ≤ 1 GB, checked against a brute-force numpy computation on the same
data in the same run (the baseline), which must agree exactly: the number of stations reaching
every cell, every cell's nearest-station distance, and the nearest station of every covered cell.

The area is Wuhan's real boundary (yizhan/orgs/data/boundaries/420100.geojson, 8,569 km²), the
stations 2,000 random cells of it (fixed seed). Timed: the engine's reach pairs + nearest stations
(`straight_coverage`) and the whole report built from them (`coverage_report`: share, districts,
catchments, overlaps, distance distribution), from demand already in the metric frame — as a
stored demand set is. Memory: tracemalloc's peak of that computation (numpy reports its arrays).

    .venv/bin/python bench/coverage_grid.py
    BENCH_CELL_M=250 BENCH_STATIONS=500 .venv/bin/python bench/coverage_grid.py
"""

from __future__ import annotations

import json
import os
import statistics
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

from shapely.geometry import shape  # noqa: E402

from yizhan.coverage.engine.frame import MetricFrame  # noqa: E402
from yizhan.coverage.engine.grid import district_index, grid_centres  # noqa: E402
from yizhan.coverage.engine.reach import brute_force_straight, straight_coverage  # noqa: E402
from yizhan.coverage.engine.report import coverage_report  # noqa: E402

CELL_M = float(os.environ.get("BENCH_CELL_M", "100"))
STATIONS = int(os.environ.get("BENCH_STATIONS", "2000"))
RADIUS_M = 1250 / 1.3
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
TARGET_S, TARGET_MB = 1.0, 1024


def main() -> None:
    collection = json.loads((ROOT / "yizhan/orgs/data/boundaries/420100.geojson").read_text())
    city = next(f for f in collection["features"] if f["properties"]["level"] == "city")
    districts = [f for f in collection["features"] if f["properties"]["level"] == "district"]
    boundary = shape(city["geometry"])
    lng0, lat0, lng1, lat1 = boundary.bounds
    frame = MetricFrame.around([lng0, lng1], [lat0, lat1])
    area = frame.geometry_from_gcj02(boundary)
    started = time.perf_counter()
    x, y = grid_centres(area, CELL_M)
    grid_s = time.perf_counter() - started
    started = time.perf_counter()
    district = district_index(x, y, [frame.geometry_from_gcj02(shape(d["geometry"])) for d in districts])
    districts_s = time.perf_counter() - started
    rng = np.random.default_rng(18)
    pick = rng.choice(len(x), STATIONS, replace=False)
    sx = x[pick] + rng.uniform(-CELL_M / 2, CELL_M / 2, STATIONS)
    sy = y[pick] + rng.uniform(-CELL_M / 2, CELL_M / 2, STATIONS)
    weights = np.ones(len(x))
    print(
        f"area {area.area / 1e6:,.0f} km², {len(x):,} cells of {CELL_M:.0f} m, "
        f"{STATIONS:,} stations, radius {RADIUS_M:.1f} m"
    )
    print(f"grid generation {grid_s:.2f} s, district index {districts_s:.2f} s (once per demand set, not per run)")

    walls, cpus = [], []
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        reach, nearest = straight_coverage(x, y, sx, sy, RADIUS_M)
        report = coverage_report(reach, weights, nearest, district=district, n_districts=len(districts))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    reach, nearest = straight_coverage(x, y, sx, sy, RADIUS_M)
    report = coverage_report(reach, weights, nearest, district=district, n_districts=len(districts))
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wall = statistics.median(walls)
    print(
        f"engine: median {wall:.3f} s wall ({min(walls):.3f}–{max(walls):.3f}), {statistics.median(cpus):.3f} s CPU "
        f"(2 threads in the k-d tree); peak {peak / 2**20:,.0f} MB; covered {report.share:.2%}, "
        f"{len(reach.demand):,} pairs"
    )

    started, cpu = time.perf_counter(), time.process_time()
    counts, brute_nearest, brute_site = brute_force_straight(x, y, sx, sy, RADIUS_M)
    brute_s, brute_cpu = time.perf_counter() - started, time.process_time() - cpu
    nearest_distance, nearest_site = nearest
    covered = counts > 0
    agree = (
        np.array_equal(reach.reach_count(), counts),
        np.array_equal(nearest_distance, brute_nearest),
        np.array_equal(nearest_site[covered], brute_site[covered]),
    )
    print(f"brute force (numpy, every cell × every station): {brute_s:.1f} s wall, {brute_cpu:.1f} s CPU")
    print(
        f"agree exactly — stations per cell: {agree[0]}, nearest distance: {agree[1]}, "
        f"nearest station of covered cells: {agree[2]}"
    )
    print(f"engine vs brute force: {brute_s / wall:,.0f}× faster")
    ok = all(agree) and wall <= TARGET_S and peak / 2**20 <= TARGET_MB
    print(f"target ≤ {TARGET_S} s and ≤ {TARGET_MB} MB with exact agreement: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
