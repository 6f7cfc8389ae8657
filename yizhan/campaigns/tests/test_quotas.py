"""The quota method (campaigns/quotas.py): properties over many inputs, and its paradoxes."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yizhan.campaigns.quotas import Claimant, NoWeight, allocate, weight


@st.composite
def claimants_and_total(draw, min_units=1):
    n = draw(st.integers(min_value=min_units, max_value=25))
    operating = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    stars = [draw(st.integers(0, o)) for o in operating]
    claimants = [
        Claimant(key=i, weight=weight(o, s), operating=o, code=f"U{i:03d}")
        for i, (o, s) in enumerate(zip(operating, stars))
    ]
    total = draw(st.integers(0, 200))
    return claimants, total


def _quotas(claimants, total):
    return [a.quota for a in allocate(claimants, total)]


@given(claimants_and_total())
def test_sum_is_the_total_and_none_negative(case):
    claimants, total = case
    if sum(c.weight for c in claimants) == 0 and total:
        with pytest.raises(NoWeight):
            allocate(claimants, total)
        return
    quotas = _quotas(claimants, total)
    assert sum(quotas) == total
    assert all(q >= 0 for q in quotas)


@given(claimants_and_total())
def test_quota_rule_floor_or_ceiling_of_the_exact_share(case):
    claimants, total = case
    weights = sum(c.weight for c in claimants)
    if weights == 0:
        return
    for claimant, allocation in zip(claimants, allocate(claimants, total)):
        exact = Fraction(total * claimant.weight, weights)
        assert allocation.exact == exact
        assert allocation.quota in (math.floor(exact), math.ceil(exact))


@given(claimants_and_total())
def test_no_weight_no_place(case):
    claimants, total = case
    if sum(c.weight for c in claimants) == 0:
        return
    for claimant, quota in zip(claimants, _quotas(claimants, total)):
        if claimant.weight == 0:
            assert quota == 0


@given(claimants_and_total(), st.randoms(use_true_random=False))
def test_order_of_the_units_does_not_matter(case, random):
    claimants, total = case
    if sum(c.weight for c in claimants) == 0:
        return
    shuffled = list(claimants)
    random.shuffle(shuffled)
    by_key = {a.key: a.quota for a in allocate(claimants, total)}
    assert {a.key: a.quota for a in allocate(shuffled, total)} == by_key


@given(st.integers(1, 30), st.integers(1, 50), st.integers(0, 200))
def test_equal_weights_differ_by_at_most_one(n, w, total):
    claimants = [Claimant(i, w, w, f"U{i:03d}") for i in range(n)]
    quotas = _quotas(claimants, total)
    assert max(quotas) - min(quotas) <= 1


def test_ties_go_to_more_operating_stations_then_the_lower_code():
    # Three units, equal weight 10, total 2: shares 2/3 each; the two places go by the tie rules.
    claimants = [
        Claimant("a", 10, 5, "B"),  # 5 operating + 5 five-star
        Claimant("b", 10, 10, "C"),  # 10 operating, no 5★
        Claimant("c", 10, 5, "A"),
    ]
    assert _quotas(claimants, 2) == [0, 1, 1]


def test_dalian_like_total_of_fifty():
    counts = [(120, 20), (80, 10), (60, 5), (40, 4), (30, 0), (12, 1), (9, 0)]
    claimants = [Claimant(i, weight(o, s), o, f"U{i}") for i, (o, s) in enumerate(counts)]
    quotas = _quotas(claimants, 50)
    assert sum(quotas) == 50
    assert quotas == sorted(quotas, reverse=True)


def test_alabama_paradox_happens():
    """Documented, not avoided: one more place in total takes one from the small unit."""
    claimants = [Claimant("a", 6, 6, "A"), Claimant("b", 6, 6, "B"), Claimant("c", 2, 2, "C")]
    assert _quotas(claimants, 10) == [4, 4, 2]
    assert _quotas(claimants, 11) == [5, 5, 1]


def test_population_paradox_happens():
    """Documented, not avoided: a unit whose weight grows (c: 12 → 13) loses a place to one whose
    weight shrinks (a: 60 → 59)."""
    before = [Claimant("a", 60, 60, "A"), Claimant("b", 30, 30, "B"), Claimant("c", 12, 12, "C")]
    after = [Claimant("a", 59, 59, "A"), Claimant("b", 20, 20, "B"), Claimant("c", 13, 13, "C")]
    assert _quotas(before, 4) == [2, 1, 1]
    assert _quotas(after, 4) == [3, 1, 0]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        allocate([Claimant("a", 1, 1, "A")], -1)
    with pytest.raises(ValueError):
        allocate([Claimant("a", -1, 1, "A")], 1)
    with pytest.raises(ValueError):
        allocate([Claimant("a", 1, 1, "A"), Claimant("a", 1, 1, "B")], 1)
    with pytest.raises(NoWeight):
        allocate([Claimant("a", 0, 0, "A")], 3)
    assert _quotas([Claimant("a", 0, 0, "A")], 0) == [0]
