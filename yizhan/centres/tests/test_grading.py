"""The grade of spec §8 at every threshold edge, the highest-grade rule against its brute-force
definition (Hypothesis), monotonicity, and a missing rate."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yizhan.centres.grading import THRESHOLDS, Grade, MissingRate, grade, percent

F = Fraction
ORDER = [Grade.FAILED, Grade.STANDARD, Grade.ADVANCED, Grade.EXCELLENT]


def pct(value: str) -> Fraction:
    return Fraction(value) / 100


def g(h, m, s) -> str:
    return grade(hardware=pct(h), mechanism=pct(m), satisfaction=pct(s)).grade


@pytest.mark.parametrize(
    ("h", "m", "s", "expected"),
    [
        # exactly on each grade's thresholds
        ("80", "90", "80", Grade.EXCELLENT),
        ("70", "80", "70", Grade.ADVANCED),
        ("60", "70", "60", Grade.STANDARD),
        # 79.9 % fails 80 %, on each rate in turn
        ("79.9", "90", "80", Grade.ADVANCED),
        ("80", "89.9", "80", Grade.ADVANCED),
        ("80", "90", "79.9", Grade.ADVANCED),
        ("69.9", "80", "70", Grade.STANDARD),
        ("70", "79.9", "70", Grade.STANDARD),
        ("70", "80", "69.9", Grade.STANDARD),
        ("59.9", "70", "60", Grade.FAILED),
        ("60", "69.9", "60", Grade.FAILED),
        ("60", "70", "59.9", Grade.FAILED),
        # a whisker below: 79.99…% is not 80 %
        ("79.999999", "100", "100", Grade.ADVANCED),
        # everything perfect, everything nothing
        ("100", "100", "100", Grade.EXCELLENT),
        ("0", "0", "0", Grade.FAILED),
        # one very high rate does not lift the others
        ("100", "69.9", "100", Grade.FAILED),
        ("95", "85", "95", Grade.ADVANCED),
    ],
)
def test_threshold_edges(h, m, s, expected):
    assert g(h, m, s) == expected


def test_exact_fractions_of_counts():
    # 8 of 10 items is exactly 80 %: passes; 799 of 1000 is 79.9 %: fails.
    assert grade(hardware=F(8, 10), mechanism=F(9, 10), satisfaction=F(4, 5)).grade == Grade.EXCELLENT
    assert grade(hardware=F(799, 1000), mechanism=F(9, 10), satisfaction=F(4, 5)).grade == Grade.ADVANCED
    # 2/3 = 66.67 % ≥ 60 and < 70
    assert grade(hardware=F(2, 3), mechanism=F(2, 3), satisfaction=F(2, 3)).grade == Grade.FAILED
    assert grade(hardware=F(2, 3), mechanism=F(7, 10), satisfaction=F(2, 3)).grade == Grade.STANDARD


@pytest.mark.parametrize("missing", ["hardware", "mechanism", "satisfaction"])
def test_a_missing_rate_is_refused_by_name(missing):
    rates = {"hardware": F(1), "mechanism": F(1), "satisfaction": F(1), missing: None}
    with pytest.raises(MissingRate) as error:
        grade(**rates)
    label = {"hardware": "硬件建设达标率", "mechanism": "运行机制和措施保障到位率", "satisfaction": "职工满意率"}[
        missing
    ]
    assert label in str(error.value) and "不能评定等次" in str(error.value)


def test_rate_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError):
        grade(hardware=F(11, 10), mechanism=F(1), satisfaction=F(1))


def test_explanation_names_each_threshold_and_the_failing_one():
    verdict = grade(hardware=pct("85"), mechanism=pct("89.9"), satisfaction=pct("95"))
    assert verdict.grade == Grade.ADVANCED
    lines = verdict.lines
    assert len(lines) == 10  # 3 grades × 3 rates + the conclusion
    assert "优秀：运行机制和措施保障到位率 89.90% < 90%，未达到" in lines
    assert "优秀：硬件建设达标率 85.00% ≥ 80%，达到" in lines
    assert lines[-1] == "结论：先进（三项指标均达到先进要求；未评为优秀，因为运行机制和措施保障到位率 89.90% < 90%）"
    failed = grade(hardware=pct("59.9"), mechanism=pct("75"), satisfaction=pct("50"))
    assert (
        failed.lines[-1] == "结论：未通过（达标要求未全部满足：硬件建设达标率 59.90% < 60%；职工满意率 50.00% < 60%）"
    )


def test_percent_cuts_never_rounds_up():
    assert percent(F(7999, 10000)) == "79.9%"
    assert percent(F(7999, 10000), 2) == "79.99%"
    assert percent(None) == "—"


def brute_force(h: Fraction, m: Fraction, s: Fraction) -> str:
    """The definition, read literally: every grade whose three thresholds hold; the highest of them."""
    holding = [name for name, (th, tm, ts) in THRESHOLDS if h * 100 >= th and m * 100 >= tm and s * 100 >= ts]
    return max(holding, key=ORDER.index) if holding else Grade.FAILED


rates = st.fractions(min_value=0, max_value=1, max_denominator=2000)
# Values near the thresholds are where mistakes hide.
edges = st.sampled_from([F(t, 100) + d for t in (60, 70, 80, 90) for d in (F(-1, 1000), F(0), F(1, 1000))])
rate = st.one_of(rates, edges)


@given(rate, rate, rate)
def test_grade_is_the_brute_force_definition(h, m, s):
    assert grade(hardware=h, mechanism=m, satisfaction=s).grade == brute_force(h, m, s)


@given(rate, rate, rate, rate, st.sampled_from(["hardware", "mechanism", "satisfaction"]))
def test_grade_is_monotone_in_each_rate(h, m, s, other, which):
    before = {"hardware": h, "mechanism": m, "satisfaction": s}
    after = dict(before)
    after[which] = max(before[which], other)
    assert ORDER.index(grade(**after).grade) >= ORDER.index(grade(**before).grade)
