"""Public finder benchmark (issue 4, "Measure"): the in-process nearby query over `yizhan demo
--national` stations, the 5 nearest with a facility filter and "open now", target median ≤ 100 µs;
against a brute-force numpy haversine over every position measured in the same run (the baseline),
and checked on a sample of random points to give exactly the brute force's answer.

Runs on a throw-away database: SQLite by default, PostgreSQL when DATABASE_URL is set (its own
test_finder_bench database). Queries touch the database once each: the freshness check (one read of
the change feed, core/changes.py), also timed alone and next to the local-memory cache read that
was the check before issue 12.

    .venv/bin/python bench/finder_nearby.py                       # 130,000 stations, SQLite
    BENCH_POSITIONS=20000 BENCH_REPEAT=500 .venv/bin/python bench/finder_nearby.py
"""

from __future__ import annotations

import atexit
import gc
import math
import os
import random
import statistics
import sys
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ["YIZHAN_PUBLIC_RATE"] = "off"  # the API figure must not hit the rate limit

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "130000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2000"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "1000"))
TARGET_US = 100.0
DB_NAME = "test_finder_bench"
LIMIT = 5
RADIUS_M = 5000
FACILITY = "wifi"


def _medians_us(funcs, args_list) -> dict:
    """Median wall-clock and CPU µs of each func(*args) over args_list, the functions taking turns
    on each point, so that other work on the machine weighs on all of them alike."""
    wall: dict = {func: [] for func in funcs}
    cpu: dict = {func: [] for func in funcs}
    for i, args in enumerate(args_list):
        for func in funcs[i % len(funcs) :] + funcs[: i % len(funcs)]:
            start, start_cpu = time.perf_counter(), time.process_time()
            func(*args)
            cpu[func].append(time.process_time() - start_cpu)
            wall[func].append(time.perf_counter() - start)
    return {func: (statistics.median(wall[func]) * 1e6, statistics.median(cpu[func]) * 1e6) for func in funcs}


def main() -> None:
    db = throwaway_database(DB_NAME)
    atexit.register(db.drop)
    engine = db.engine
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from yizhan.core import changes
    from yizhan.core.audit import audit_context
    from yizhan.core.geo.distance import EARTH_RADIUS_M
    from yizhan.core.hours import SHANGHAI, HoursOverride, opening_status
    from yizhan.finder import index
    from yizhan.positions.choices import PositionState
    from yizhan.positions.models import HoursException, Position

    start = time.perf_counter()
    with audit_context(actor_name="bench"):
        from yizhan.positions.demo import load_national

        load_national(POSITIONS)
    load_s = time.perf_counter() - start

    start = time.perf_counter()
    built = index.current_index()
    build_s = time.perf_counter() - start
    tracemalloc.start()
    measured = index.PositionIndex.build()
    index_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del measured

    # A weekday morning in Shanghai: most demo schedules are open, some are not yet.
    at = datetime(2026, 11, 25, 7, 30, tzinfo=SHANGHAI)

    # --- the brute force: every position, numpy haversine, same filters and tie order ----------------
    rows = list(Position.objects.values_list("pk", "lng", "lat", "state", "facilities", "always_open", "weekly_hours"))
    exceptions: dict[int, list[HoursOverride]] = {}
    for pk, s, e, closed, intervals in HoursException.objects.values_list(
        "position_id", "start", "end", "closed", "intervals"
    ):
        exceptions.setdefault(pk, []).append(HoursOverride(s, e, closed, intervals))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    lng = np.radians(np.array([r[1] for r in rows]))
    lat = np.radians(np.array([r[2] for r in rows]))
    cos_lat = np.cos(lat)
    # What the filters decide does not depend on the point: computed once, outside the timing.
    eligible = np.array(
        [
            state == PositionState.OPERATING
            and FACILITY in facilities
            and opening_status(
                at=at, schedule=weekly, exceptions=exceptions.get(pk, []), always_open=always, operating=True
            ).is_open
            for pk, _lng, _lat, state, facilities, always, weekly in rows
        ]
    )
    radius_rad = RADIUS_M / EARTH_RADIUS_M

    def brute_force(q_lng: float, q_lat: float) -> list[int]:
        p_lng, p_lat = np.radians(q_lng), np.radians(q_lat)
        a = np.sin((lat - p_lat) / 2) ** 2 + np.cos(p_lat) * cos_lat * np.sin((lng - p_lng) / 2) ** 2
        d = 2 * np.arcsin(np.sqrt(a))
        hits = np.flatnonzero(eligible & (d <= radius_rad))
        order = np.lexsort((ids[hits], d[hits]))[:LIMIT]
        return ids[hits][order].tolist()

    filters = index.Filters(facilities=(FACILITY,))

    def finder(q_lng: float, q_lat: float) -> list[int]:
        hits = index.nearest(q_lng, q_lat, radius_m=RADIUS_M, limit=LIMIT, filters=filters, open_now=True, at=at)
        return [pk for pk, _d in hits]

    # Random points where people are: near a random public station, up to a few km away.
    rng = random.Random(20261125)
    public = [(r[1], r[2]) for r in rows if r[3] in (PositionState.OPERATING, PositionState.SUSPENDED)]

    def points(n: int) -> list[tuple[float, float]]:
        out = []
        for _ in range(n):
            p_lng, p_lat = rng.choice(public)
            out.append((p_lng + rng.gauss(0, 0.02), p_lat + rng.gauss(0, 0.02)))
        return out

    sample = points(SAMPLE)
    mismatches = [p for p in sample if finder(*p) != brute_force(*p)]
    found = statistics.mean(len(finder(*p)) for p in sample)

    queries = points(REPEAT)
    for p in queries[:50]:  # warm up
        finder(*p)
    warm = index.current_index()

    def held(q_lng: float, q_lat: float):
        return warm.nearest(q_lng, q_lat, radius_m=RADIUS_M, limit=LIMIT, filters=filters, open_now=True, at=at)

    def unfiltered(q_lng: float, q_lat: float):
        return index.nearest(q_lng, q_lat, radius_m=RADIUS_M, limit=LIMIT)

    tree = warm.main.tree
    from django.core.cache import cache

    cache.set("bench-finder-version", 1, None)

    def check_only(q_lng: float, q_lat: float):
        return changes.latest()

    def cache_check(q_lng: float, q_lat: float):
        return cache.get("bench-finder-version")

    def cache_checked(q_lng: float, q_lat: float):
        """What `index.nearest` cost before issue 12: one cache read, then the held index."""
        cache.get("bench-finder-version")
        return warm.nearest(q_lng, q_lat, radius_m=RADIUS_M, limit=LIMIT, filters=filters, open_now=True, at=at)

    def tree_only(q_lng: float, q_lat: float):
        lam, phi = math.radians(q_lng), math.radians(q_lat)
        return tree.query((math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)), k=16)

    gc.collect()  # the load's garbage is not the queries' cost
    labels = {
        finder: "`index.nearest` (incl. the freshness check: one read of the change feed)",
        held: "the same on a held index (no freshness check)",
        cache_checked: "the same with the check before issue 12 instead (one local-memory cache read)",
        unfiltered: "no filter, no open-now",
        tree_only: "floor: one bare `cKDTree.query(k=16)` at the same points",
        check_only: "the freshness check alone: `changes.latest()`",
        cache_check: "for comparison, the check before issue 12: one local-memory cache read",
    }
    medians = _medians_us(list(labels), queries)
    load_average = os.getloadavg()[0]  # other work on the machine during the timings
    baseline_us, baseline_cpu_us = _medians_us([brute_force], queries[: max(50, REPEAT // 10)])[brute_force]

    # Freshness: one changed position is patched in (a rebuild costs the build time above).
    changed = int(ids[0])
    Position.objects.filter(pk=changed).update(facilities=["wifi"])  # no signal: the feed has it
    start = time.perf_counter()
    patched = index.current_index()
    patch_ms = (time.perf_counter() - start) * 1e3
    assert patched is not built

    client = Client()
    api_urls = [
        f"/api/v1/public/nearby?lng={q_lng}&lat={q_lat}&crs=gcj02&limit={LIMIT}&facility={FACILITY}&open_now=true"
        for q_lng, q_lat in queries[:200]
    ]
    client.get(api_urls[0])
    api_timings = []
    for url in api_urls:
        start = time.perf_counter()
        response = client.get(url)
        api_timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
    api_ms = statistics.median(api_timings) * 1e3

    n_public = len(built)
    print(
        f"### Public finder on {engine}: {POSITIONS:,} stations ({n_public:,} public; generated in {load_s:.0f} s), "
        f"{REPEAT} queries\n"
    )
    print(f"5 nearest within {RADIUS_M} m with `facility={FACILITY}` and open now (a weekday 07:30 Shanghai):\n")
    print("| what | median | CPU time | brute force ÷ this | target ≤ 100 µs |")
    print("|---|---|---|---|---|")
    for func, label in labels.items():
        median, cpu = medians[func]
        verdict = ("yes" if median <= TARGET_US else "NO") if func is finder else ""
        ratio = "" if func in (check_only, cache_check) else f"{baseline_us / median:.0f}×"
        print(f"| {label} | {median:.1f} µs | {cpu:.1f} µs | {ratio} | {verdict} |")
    print(
        f"| brute force: numpy haversine over all {len(rows):,} positions (baseline) | {baseline_us:.0f} µs "
        f"| {baseline_cpu_us:.0f} µs | 1× | |"
    )
    print(f"| `GET /api/v1/public/nearby` through Django's test client, for scale | {api_ms * 1e3:.0f} µs | | | |")
    print()
    print(
        f"Identical to the brute force on {SAMPLE - len(mismatches)} of {SAMPLE} random points "
        f"(mean {found:.1f} results each). Index build {build_s:.1f} s, {index_mb:.0f} MB; "
        f"one changed position patched in {patch_ms:.1f} ms. Load average during the timings: {load_average:.1f} "
        f"({os.cpu_count()} CPUs)."
    )
    if mismatches:
        print(f"MISMATCHES at {mismatches[:5]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
