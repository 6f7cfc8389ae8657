"""Siting benchmark (issue 18 "Measure"): 5,000 candidates, 100,000 demand points, k = 50, 960 m:
greedy ≤ 1 s; exact or a proved gap ≤ 1 % within 120 s. Then PySAL spopt's MCLP (the peer, pulp +
CBC on a dense cost matrix) on instances it can build — 500 candidates × 5,000 points and 2,000 ×
20,000 — against ours end to end (reach, model, greedy, bound, exact), time and objective side by
side; goal ≥ 10× faster at the same objective.

The instance (fixed seed): a 40 × 40 km city, 60 % of the demand around 80 centres (σ 1.5 km), the
rest spread evenly, weights Gamma(2, 1); candidates uniform; 150 existing stations whose coverage
counts (siting respects existing stations). spopt needs `pip install -r requirements/bench.in`.

    .venv/bin/python bench/coverage_siting.py
    BENCH_TIME_LIMIT=30 BENCH_PEER=0 .venv/bin/python bench/coverage_siting.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")

import django  # noqa: E402

django.setup()

from yizhan.coverage.engine import siting  # noqa: E402
from yizhan.coverage.engine.reach import straight_reach  # noqa: E402

SIDE_M = 40_000.0
RADIUS_M = 960.0
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "120"))
PEER = os.environ.get("BENCH_PEER", "1") == "1"


def instance(demand: int, candidates: int, stations: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    clustered = int(demand * 0.6)
    centres = rng.uniform(0, SIDE_M, (80, 2))
    which = rng.integers(0, 80, clustered)
    points = np.vstack(
        [centres[which] + rng.normal(0, 1500, (clustered, 2)), rng.uniform(0, SIDE_M, (demand - clustered, 2))]
    )
    weights = rng.gamma(2.0, 1.0, demand)
    sites = rng.uniform(0, SIDE_M, (candidates, 2))
    existing = rng.uniform(0, SIDE_M, (stations, 2))
    return points, weights, sites, existing


def ours(points, weights, sites, existing, k: int, time_limit: float) -> dict:
    started = time.perf_counter()
    reach = straight_reach(points[:, 0], points[:, 1], sites[:, 0], sites[:, 1], RADIUS_M)
    already = None
    if len(existing):
        present = straight_reach(points[:, 0], points[:, 1], existing[:, 0], existing[:, 1], RADIUS_M)
        already = present.reach_count() > 0
    problem = siting.siting_problem(weights, reach.by_demand(), already)
    built = time.perf_counter() - started
    t = time.perf_counter()
    greedy = siting.mclp_greedy(problem, k)
    greedy_s = time.perf_counter() - t
    t = time.perf_counter()
    bounded = siting.mclp_bound(problem, k, greedy)
    bound_s = time.perf_counter() - t
    t = time.perf_counter()
    exact = siting.mclp_exact(problem, k, time_limit=time_limit, start=bounded)
    exact_s = time.perf_counter() - t
    return {
        "build": built,
        "greedy_s": greedy_s,
        "greedy": greedy.covered_weight,
        "bound_s": bound_s,
        "greedy_gap": bounded.gap,
        "exact_s": exact_s,
        "exact": exact.covered_weight,
        "exact_gap": exact.gap,
        "status": exact.status,
        "total": time.perf_counter() - started,
        "problem": problem,
    }


def peer(points, weights, sites, k: int) -> dict:
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    started = time.perf_counter()
    cost = cdist(points, sites)
    model = MCLP.from_cost_matrix(cost, weights, service_radius=RADIUS_M, p_facilities=k)
    built = time.perf_counter() - started
    t = time.perf_counter()
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    solved = time.perf_counter() - t
    chosen = [j for j, var in enumerate(model.fac_vars) if var.value() is not None and var.value() > 0.5]
    return {"build": built, "solve": solved, "total": time.perf_counter() - started, "chosen": chosen}


def main() -> None:
    points, weights, sites, existing = instance(100_000, 5_000, 150)
    result = ours(points, weights, sites, existing, 50, TIME_LIMIT)
    print("MCLP 5,000 candidates × 100,000 demand points, k = 50, 960 m, 150 existing stations")
    print(f"  reach + model {result['build']:.2f} s; greedy {result['greedy_s']:.3f} s, covers {result['greedy']:,.1f}")
    print(f"  greedy's proved gap {result['greedy_gap']:.2%} (bound {result['bound_s']:.1f} s)")
    print(
        f"  exact stage {result['exact_s']:.1f} s (limit {TIME_LIMIT:.0f} s): covers {result['exact']:,.1f}, "
        f"proved gap {result['exact_gap']:.2%}, {result['status']}"
    )
    print(
        f"  greedy ≤ 1 s: {'met' if result['greedy_s'] <= 1 else 'NOT met'}; "
        f"exact or gap ≤ 1 % within {TIME_LIMIT:.0f} s: {'met' if result['exact_gap'] <= 0.01 else 'NOT met'}"
    )
    if not PEER:
        return
    for candidates, demand in ((500, 5_000), (2_000, 20_000)):
        points, weights, sites, _existing = instance(demand, candidates, 0, seed=11)
        mine = ours(points, weights, sites, np.empty((0, 2)), 50, TIME_LIMIT)
        theirs = peer(points, weights, sites, 50)
        their_value = siting.newly_covered_weight(mine["problem"], theirs["chosen"])
        print(f"{candidates:,} candidates × {demand:,} points, k = 50")
        print(
            f"  ours:  build {mine['build']:.2f} s, solve {mine['total'] - mine['build']:.2f} s, "
            f"total {mine['total']:.2f} s, "
            f"objective {mine['exact']:,.3f} ({mine['status']}, gap {mine['exact_gap']:.2%})"
        )
        print(
            f"  spopt: build {theirs['build']:.2f} s, solve {theirs['solve']:.2f} s, total {theirs['total']:.2f} s, "
            f"objective {their_value:,.3f}"
        )
        print(
            f"  ours {theirs['total'] / mine['total']:.1f}× faster end to end; same objective: "
            f"{abs(their_value - mine['exact']) <= 1e-6 * max(1.0, their_value)}"
        )


if __name__ == "__main__":
    main()
