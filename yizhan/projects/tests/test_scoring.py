import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.errors import ApplicationError
from yizhan.projects import scoring
from yizhan.projects.scoring import Evidence, Level, confirm, level_points, project_points, satisfaction_points

D = datetime.date


@pytest.mark.parametrize(
    ("rate", "points"),
    [
        ("0", 0),
        ("69.99", 0),
        ("70", 6),
        ("79.99", 6),
        ("80", 8),
        ("89.99", 8),
        ("90", 10),
        ("100", 10),
        (None, 0),
    ],
)
def test_satisfaction_brackets(rate, points):
    assert satisfaction_points(rate) == points


@pytest.mark.parametrize("rate", ["-0.01", "100.01", "abc", "NaN"])
def test_satisfaction_out_of_range_refused(rate):
    with pytest.raises(ApplicationError):
        satisfaction_points(rate)


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_satisfaction_is_monotonic_and_one_of_the_brackets(rate):
    points = satisfaction_points(rate)
    assert points in {0, 6, 8, 10}
    assert points <= satisfaction_points(min(rate + Decimal("0.01"), Decimal(100)))


def test_level_points_and_cap():
    assert level_points({Level.CITY: 1}) == 1
    assert level_points({Level.PROVINCIAL: 1}) == 2
    assert level_points({Level.NATIONAL: 1}) == 3
    assert level_points({Level.NATIONAL: 3, Level.CITY: 1}) == 10
    assert level_points({Level.NATIONAL: 3, Level.CITY: 2}) == 10  # 11 → capped
    assert level_points({Level.NATIONAL: 4}) == 10
    assert level_points({}) == 0


def test_level_points_refuse_bad_input():
    with pytest.raises(ApplicationError):
        level_points({"county": 1})
    with pytest.raises(ApplicationError):
        level_points({Level.CITY: -1})


@given(st.dictionaries(st.sampled_from(list(Level)), st.integers(min_value=0, max_value=20)))
def test_level_points_never_exceed_cap(counts):
    points = level_points(counts)
    raw = sum(scoring.LEVEL_POINTS[level] * n for level, n in counts.items())
    assert points == min(raw, 10)


def test_project_documents_and_three_years():
    nominated = D(2024, 5, 1)
    assert project_points(documents=1, completed_on=D(2023, 1, 1), nominated_on=nominated) == 5
    assert project_points(documents=2, completed_on=D(2023, 1, 1), nominated_on=nominated) == 10
    assert project_points(documents=3, completed_on=D(2023, 1, 1), nominated_on=nominated) == 10
    # exactly three years before the nomination still counts, a day more does not
    assert project_points(documents=2, completed_on=D(2021, 5, 1), nominated_on=nominated) == 10
    assert project_points(documents=2, completed_on=D(2021, 4, 30), nominated_on=nominated) == 0
    assert project_points(documents=2, completed_on=None, nominated_on=nominated) == 0
    assert project_points(documents=2, completed_on=D(2024, 5, 2), nominated_on=nominated) == 0


def test_full_sheet_is_100():
    evidence = Evidence(
        nominated_on=D(2024, 5, 1),
        completed_on=D(2023, 12, 1),
        study=True,
        activity_materials=True,
        certificate=True,
        signboard=True,
        union_approval=True,
        union_work=True,
        union_activities=True,
        documents=3,
        satisfaction=Decimal("92.5"),
        media={Level.NATIONAL: 5},
        exchanges={Level.PROVINCIAL: 5},
    )
    sheet = confirm(evidence)
    assert scoring.total(sheet) == scoring.TOTAL == 100
    assert sheet["union_work"] == 5


def test_empty_sheet_is_zero():
    assert scoring.total(confirm(Evidence(nominated_on=D(2024, 1, 1)))) == 0


def test_reviewer_adjustment_within_cap_and_above_cap_refused():
    evidence = Evidence(nominated_on=D(2024, 1, 1))
    assert confirm(evidence, {"union_work": 5})["union_work"] == 5
    with pytest.raises(ApplicationError) as refused:
        confirm(evidence, {"union_work": 6})
    assert refused.value.message == "“开展工会工作的材料”最高 5 分，填写的 6 分超出上限"
    assert refused.value.field == "union_work"
    with pytest.raises(ApplicationError):
        confirm(evidence, {"media": -1})
    with pytest.raises(ApplicationError):
        confirm(evidence, {"nonsense": 1})


@pytest.mark.parametrize("item", scoring.ITEMS, ids=lambda item: item.key)
def test_every_cap_edge(item):
    evidence = Evidence(nominated_on=D(2024, 1, 1))
    assert confirm(evidence, {item.key: item.cap})[item.key] == item.cap
    with pytest.raises(ApplicationError):
        confirm(evidence, {item.key: item.cap + 1})


def test_caps_add_up_to_the_table():
    groups = {}
    for item in scoring.ITEMS:
        groups[str(item.group)] = groups.get(str(item.group), 0) + item.cap
    assert groups == {
        "政治引领": 20,
        "登记注册": 20,
        "建立工会": 20,
        "项目完成": 10,
        "职工满意度": 10,
        "媒体报道": 10,
        "经验交流": 10,
    }
