"""The star-rating rules (spec §4), worked by hand: each threshold's edge, the missing required
facility, downgrades, delisting; and the property that the rating never rises when any single input
falls. Pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yizhan.positions.choices import OPTIONAL_FACILITIES, REQUIRED_FACILITIES, Facility
from yizhan.standards.rating import (
    DEFAULT_POLICY,
    MANAGEMENT_ITEMS,
    RatingInputs,
    RatingPolicy,
    after_result,
    delisting_due,
    district_median,
    rate,
)

REQUIRED = frozenset(str(f) for f in REQUIRED_FACILITIES)
OPTIONAL = frozenset(str(f) for f in OPTIONAL_FACILITIES)
MANAGEMENT = frozenset(MANAGEMENT_ITEMS)


def inputs(facilities=REQUIRED, management=MANAGEMENT, visits="0", median="2000", satisfaction="1"):
    return RatingInputs(
        facilities=frozenset(facilities),
        management=frozenset(management),
        monthly_visits=Decimal(visits),
        district_median=None if median is None else Decimal(median),
        satisfaction=None if satisfaction is None else Decimal(satisfaction),
    )


def test_the_default_policy_is_100_points():
    assert DEFAULT_POLICY.site_maximum == 40 and DEFAULT_POLICY.management_maximum == 20
    assert DEFAULT_POLICY.maximum == 100


def test_a_hand_worked_rating_shows_its_arithmetic():
    # All 7 required (6 × 4 = 24; 通水通电 scores nothing), 3 optional (3 × 2 = 6), 3 of 4
    # management items (15), 450 visits a month against a district median of 600 (0.75 × 20 = 15),
    # satisfaction 85 % (0.85 × 20 = 17): 24 + 6 + 15 + 15 + 17 = 77 → 3★.
    result = rate(
        inputs(
            facilities=REQUIRED | {"toilet", "wifi", "lockers"},
            management=MANAGEMENT - {"ledger_current"},
            visits="450",
            median="600",
            satisfaction="0.85",
        )
    )
    assert [line.points for line in result.lines] == [Decimal(30), Decimal(15), Decimal(15), Decimal(17)]
    assert result.total == Decimal(77) and result.stars == 3 and not result.rectification_required
    assert result.arithmetic() == [
        "场地与硬件：必备设施 7/7 项得 24.00 分 + 可选设施 3/8 项得 6.00 分 = 30.00 分（满分 40.00）",
        "人员与管理：达标 3/4 项（管理制度上墙、有专人管理、门外公示信息） = 15.00 分（满分 20.00）",
        "服务量：月均服务 450.00 人次 ÷ 区内中位数 600.00 = 0.75；× 20 = 15.00 分（满分 20.00）",
        "服务效果：满意率 85.00% × 20 = 17.00 分（满分 20.00）",
        "合计：30.00 + 15.00 + 15.00 + 17.00 = 77.00 分",
        "77.00 分 ≥ 70 分，评为3星级",
    ]


# Required (24) + management (20) + satisfaction (20) = 64; the visits make up the rest
# against a median of 2000 (1 visit = 0.01 point). With all optional facilities (16) it is 80.
@pytest.mark.parametrize(
    ("optional", "visits", "total", "stars"),
    [
        (frozenset(), "599", "69.99", None),
        (frozenset(), "600", "70.00", 3),
        (frozenset(), "1599", "79.99", 3),
        (frozenset(), "1600", "80.00", 4),
        (OPTIONAL, "999", "89.99", 4),
        (OPTIONAL, "1000", "90.00", 5),
        (OPTIONAL, "2000", "100.00", 5),
    ],
)
def test_each_threshold_edge(optional, visits, total, stars):
    result = rate(inputs(facilities=REQUIRED | optional, visits=visits))
    assert result.total == Decimal(total)
    assert result.stars == stars


def test_a_fraction_of_a_cent_is_rounded_in_the_line_that_shows_it():
    # 1 visit against a median of 3: 0.3333… × 20 = 6.666… → 6.67, and the total is the sum shown.
    result = rate(inputs(visits="1", median="3"))
    assert result.lines[2].points == Decimal("6.67") and result.total == Decimal("70.67") and result.stars == 3


@pytest.mark.parametrize("missing", [Facility.MICROWAVE, Facility.WATER_AND_POWER])
def test_a_missing_required_facility_gives_no_star_and_a_rectification(missing):
    result = rate(inputs(facilities=(REQUIRED | OPTIONAL) - {str(missing)}, visits="5000"))
    assert result.total == (Decimal(96) if missing == Facility.MICROWAVE else Decimal(100))
    assert result.stars is None and result.rectification_required
    assert result.missing_required == (str(missing),)
    assert "缺少必备设施" in result.verdict and "须整改" in result.verdict


def test_volume_and_effect_without_a_median_or_enough_responses():
    busy = rate(inputs(visits="3", median=None, satisfaction=None))
    assert busy.lines[2].points == 20 and busy.lines[3].points == 0
    assert "评价人数不足" in busy.lines[3].working
    idle = rate(inputs(visits="0", median="0"))
    assert idle.lines[2].points == 0
    capped = rate(inputs(visits="900", median="300"))
    assert capped.lines[2].points == 20 and "封顶 1" in capped.lines[2].working


def test_the_district_median():
    assert district_median([Decimal(5), Decimal(1), Decimal(3)]) == 3
    assert district_median([Decimal(1), Decimal(2), Decimal(3), Decimal(10)]) == Decimal("2.5")
    assert district_median([]) is None


def test_a_lower_result_downgrades_at_once():
    assert after_result(current=5, result=4, periodic=False).stars == 4
    assert after_result(current=4, result=None, periodic=False).stars is None
    # An inspection never raises a level; the next periodic assessment does.
    assert after_result(current=3, result=5, periodic=False).stars == 3
    assert after_result(current=3, result=5, periodic=True).stars == 5
    assert after_result(current=5, result=3, periodic=True).stars == 3
    assert after_result(current=None, result=4, periodic=True).stars == 4


def test_delisting_after_two_unrated_periods():
    assert delisting_due(period=2027, stars_by_period={2026: None, 2027: None}, first_period=2020)
    assert not delisting_due(period=2027, stars_by_period={2026: 3, 2027: None}, first_period=2020)
    assert not delisting_due(period=2027, stars_by_period={2026: None, 2027: 3}, first_period=2020)
    # A period without any result was not rated either.
    assert delisting_due(period=2027, stars_by_period={2027: None}, first_period=2020)
    # Periods before the station operated do not count: one unrated period is not two.
    assert not delisting_due(period=2027, stars_by_period={2027: None}, first_period=2027)
    reason = delisting_due(period=2027, stars_by_period={}, first_period=2026)
    assert reason == "连续 2 个评定周期（2026–2027）未评上星级，摘牌"


def test_delisting_after_an_inspection_finding():
    reason = delisting_due(period=2027, stars_by_period={2026: 5, 2027: 5}, first_period=2020, cannot_serve=True)
    assert "不能正常提供服务" in reason


def test_a_federation_policy_is_data():
    data = DEFAULT_POLICY.to_data()
    assert RatingPolicy.from_data(data) == DEFAULT_POLICY
    assert RatingPolicy.from_data({}) == DEFAULT_POLICY
    stricter = RatingPolicy.from_data(
        {"thresholds": [[5, "95"], [4, "85"], [3, "75"]], "delist_after_unrated_periods": 1}
    )
    result = rate(inputs(facilities=REQUIRED | OPTIONAL, visits="1000"), stricter)
    assert result.total == 90 and result.stars == 4
    assert delisting_due(period=2027, stars_by_period={2027: None}, first_period=2020, policy=stricter)
    for bad in (
        {"thresholds": [[5, "80"], [4, "90"]]},
        {"thresholds": []},
        {"volume_points": "-1"},
        {"delist_after_unrated_periods": 0},
    ):
        with pytest.raises(ValueError):
            RatingPolicy.from_data(bad)


# --- the property: the rating never rises when any single input falls ---------------------------

FACILITY_KEYS = sorted(REQUIRED | OPTIONAL)
amounts = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False)
station_inputs = st.builds(
    RatingInputs,
    facilities=st.frozensets(st.sampled_from(FACILITY_KEYS)).map(lambda s: s | REQUIRED)
    | st.frozensets(st.sampled_from(FACILITY_KEYS)),
    management=st.frozensets(st.sampled_from(sorted(MANAGEMENT))),
    monthly_visits=amounts,
    district_median=st.none() | amounts,
    satisfaction=st.none() | rates,
)


def _rank(stars):
    return 0 if stars is None else stars


@st.composite
def one_input_falls(draw):
    before = draw(station_inputs)
    which = draw(st.sampled_from(["facility", "management", "visits", "median", "satisfaction"]))
    changes = {}
    if which == "facility" and before.facilities:
        changes["facilities"] = before.facilities - {draw(st.sampled_from(sorted(before.facilities)))}
    elif which == "management" and before.management:
        changes["management"] = before.management - {draw(st.sampled_from(sorted(before.management)))}
    elif which == "visits":
        changes["monthly_visits"] = draw(st.decimals(min_value=0, max_value=before.monthly_visits, places=2))
    elif which == "median":
        # A busier district is the station's volume falling against it.
        low = before.district_median or Decimal(0)
        changes["district_median"] = draw(st.decimals(min_value=max(low, Decimal("0.01")), max_value=10000, places=2))
    elif which == "satisfaction" and before.satisfaction is not None:
        changes["satisfaction"] = draw(st.none() | st.decimals(min_value=0, max_value=before.satisfaction, places=2))
    after = RatingInputs(**{**before.__dict__, **changes})
    return before, after


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(one_input_falls())
def test_the_rating_never_rises_when_any_single_input_falls(pair):
    before, after = pair
    old, new = rate(before), rate(after)
    assert new.total <= old.total
    assert _rank(new.stars) <= _rank(old.stars)
