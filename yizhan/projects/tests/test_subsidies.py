from hypothesis import given
from hypothesis import strategies as st

from yizhan.projects.subsidies import SUBSIDY_FEN, HonourLevel, subsidy_due

C, P, N = HonourLevel.CITY, HonourLevel.PROVINCIAL, HonourLevel.NATIONAL


def pay_in_order(levels):
    paid = []
    for level in levels:
        paid.append(subsidy_due(level=level, paid_fen=paid))
    return paid


def test_amounts_in_fen():
    assert SUBSIDY_FEN == {C: 1_000_000, P: 2_000_000, N: 3_000_000}


def test_city_then_provincial_then_national_tops_up():
    assert pay_in_order([C, P, N]) == [1_000_000, 1_000_000, 1_000_000]


def test_national_first_pays_everything_and_nothing_after():
    assert pay_in_order([N, P, C]) == [3_000_000, 0, 0]


def test_city_then_national():
    assert pay_in_order([C, N]) == [1_000_000, 2_000_000]


def test_provincial_then_city_pays_nothing_more():
    assert pay_in_order([P, C]) == [2_000_000, 0]


@given(st.lists(st.sampled_from(list(HonourLevel)), min_size=1, max_size=6))
def test_total_paid_is_the_highest_honour(levels):
    paid = pay_in_order(levels)
    assert sum(paid) == max(SUBSIDY_FEN[level] for level in levels)
    assert all(amount >= 0 for amount in paid)
