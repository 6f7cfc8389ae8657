"""Siting (issue 18 §5): greedy never beats the exact optimum, its gap is reported truthfully,
existing stations are respected, the same inputs give the same answer (Hypothesis against
enumeration of every choice on small instances)."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from yizhan.coverage.engine.siting import (
    STATUS_OPTIMAL,
    _dominated,
    _reduced_model,
    interchange,
    mclp_bound,
    mclp_exact,
    mclp_greedy,
    newly_covered_weight,
    set_cover_bound,
    set_cover_exact,
    set_cover_greedy,
    siting_problem,
)

TOLERANCE = 1e-9


@st.composite
def problems(draw):
    n = draw(st.integers(1, 14))
    m = draw(st.integers(1, 7))
    cover = np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))).reshape(n, m)
    weights = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25, 7.0]), min_size=n, max_size=n)))
    already = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return siting_problem(weights, sparse.csc_matrix(cover.astype(float)), already), m


def best_cover(problem, m, k):
    return max(newly_covered_weight(problem, c) for r in range(k + 1) for c in itertools.combinations(range(m), r))


@settings(max_examples=120, deadline=None)
@given(problems(), st.integers(1, 7))
def test_greedy_never_beats_the_optimum_and_its_gap_is_truthful(instance, k):
    problem, m = instance
    k = min(k, m)
    optimum = best_cover(problem, m, k)
    greedy = mclp_bound(problem, k, mclp_greedy(problem, k))
    exact = mclp_exact(problem, k, time_limit=30, start=greedy)
    assert len(greedy.chosen) <= k and len(exact.chosen) <= k
    assert greedy.covered_weight <= optimum + TOLERANCE
    assert abs(exact.covered_weight - optimum) <= TOLERANCE
    assert exact.status == STATUS_OPTIMAL
    # Bounds are upper bounds, and the reported gap is at least the true one.
    assert greedy.bound >= optimum - TOLERANCE and exact.bound >= optimum - TOLERANCE
    true_gap = 1 - greedy.covered_weight / optimum if optimum > 0 else 0.0
    assert greedy.gap >= true_gap - TOLERANCE
    assert greedy.covered_weight == newly_covered_weight(problem, greedy.chosen)


@settings(max_examples=80, deadline=None)
@given(problems(), st.floats(0.05, 1.0))
def test_set_cover_finds_the_fewest_sites(instance, fraction):
    problem, m = instance
    reachable = newly_covered_weight(problem, range(m))
    required = fraction * reachable
    fewest = min(
        r
        for r in range(m + 1)
        if any(newly_covered_weight(problem, c) >= required for c in itertools.combinations(range(m), r))
    )
    greedy = set_cover_bound(problem, required, set_cover_greedy(problem, required))
    exact = set_cover_exact(problem, required, time_limit=30, start=greedy)
    assert exact.count == fewest
    assert greedy.count >= fewest and greedy.bound <= fewest
    assert exact.covered_weight >= required * (1 - 1e-9) and greedy.covered_weight >= required


def test_existing_stations_are_respected():
    # Candidate 0 reaches the heavy point 0, which an existing station already covers; candidate 1
    # reaches the lighter, uncovered point 1.
    cover = sparse.csc_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    problem = siting_problem([10.0, 1.0], cover, already=[True, False])
    assert mclp_greedy(problem, 1).chosen == [1]
    assert mclp_exact(problem, 1, time_limit=10).chosen == [1]
    assert newly_covered_weight(problem, [0]) == 0.0


def test_ties_go_to_the_lower_candidate_and_answers_repeat():
    rng = np.random.default_rng(5)
    cover = sparse.csc_matrix((rng.random((300, 40)) < 0.08).astype(float))
    weights = rng.integers(1, 4, 300).astype(float)
    problem = siting_problem(weights, cover)
    answers = {tuple(mclp_greedy(problem, 6).chosen) for _ in range(3)}
    assert len(answers) == 1
    exact = {tuple(mclp_exact(problem, 6, time_limit=30).chosen) for _ in range(2)}
    assert len(exact) == 1
    equal = siting_problem([1.0, 1.0], sparse.csc_matrix(np.array([[1.0, 0.0], [0.0, 1.0]])))
    assert mclp_greedy(equal, 1).chosen == [0]


def test_interchange_only_improves():
    rng = np.random.default_rng(6)
    cover = sparse.csc_matrix((rng.random((400, 60)) < 0.06).astype(float))
    problem = siting_problem(rng.random(400), cover)
    start = list(range(8))
    better = interchange(problem, start)
    assert newly_covered_weight(problem, better) >= newly_covered_weight(problem, start)
    assert len(set(better)) == 8


def test_the_exact_stage_at_a_size_where_every_step_runs():
    # 120 candidates and k = 2: the search among the 4k + 50 best-priced candidates, the fixing and
    # the dominance all run; the answer is the optimum found by enumerating all 7,140 pairs, and
    # the bound, HiGHS's own, is never below it.
    rng = np.random.default_rng(11)
    points, sites = rng.uniform(0, 4000, (600, 2)), rng.uniform(0, 4000, (120, 2))
    distance = np.hypot(*(points[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    cover = sparse.csc_matrix((distance <= 500).astype(float))
    problem = siting_problem(rng.gamma(2.0, 1.0, 600), cover, already=rng.random(600) < 0.1)
    optimum = best_cover(problem, 120, 2)
    exact = mclp_exact(problem, 2, time_limit=60, start=mclp_bound(problem, 2, mclp_greedy(problem, 2)))
    assert exact.status == STATUS_OPTIMAL and abs(exact.covered_weight - optimum) <= TOLERANCE
    assert exact.bound >= optimum - TOLERANCE
    assert exact.details["search_candidates"] <= 4 * 2 + 50 + 2
    assert exact.details["columns"] + exact.details["ruled_out"] + exact.details["fixed_in"] <= 120


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(1, 4))
def test_dropping_dominated_candidates_keeps_the_optimum(instance, k):
    problem, m = instance
    k = min(k, m)
    model = _reduced_model(problem)
    dominated = _dominated(model, protected=np.zeros(m, dtype=bool))
    kept = model.columns[~dominated]
    best_kept = max(
        newly_covered_weight(problem, c) for r in range(min(k, len(kept)) + 1) for c in itertools.combinations(kept, r)
    )
    assert abs(best_kept - best_cover(problem, m, k)) <= TOLERANCE


def test_candidates_fixed_in_become_the_offset():
    cover = sparse.csc_matrix(np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]))
    problem = siting_problem([1.0, 2.0, 4.0, 8.0], cover)
    model = _reduced_model(problem, columns=[1, 2], fixed=[0])
    # Candidate 0 covers points 0 and 1 (weight 3 of 15): out of the model, into the offset.
    assert model.offset == 3 / 15 and list(model.columns) == [1, 2]
    # Point 2 is reached by both remaining columns (one group), point 3 by candidate 2 alone.
    assert list(model.group_weight) == [4 / 15] and list(model.single) == [0.0, 8 / 15]
