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
