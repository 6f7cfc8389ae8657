"""The ledger's demo data (issue 15 §7): 180 days for each operating station of the demo with a
weekday rhythm and summer heat-wave peaks, activities, feedback and problem reports; the same
figures every time for the same day, and nothing created twice."""

from datetime import date

import pytest

from yizhan.core.roles import Role
from yizhan.ledger import demo
from yizhan.ledger.models import Activity, DailyLedger, Feedback, ProblemReport
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)


@pytest.fixture
def demo_stations(dalian_map, make_actor, make_position):
    make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    return [
        make_position(code=f"DL-T{n}", state=PositionState.OPERATING, served_groups=["delivery", "sanitation"])
        for n in range(3)
    ] + [make_position(code="DL-PLAN", state=PositionState.PLANNED)]


def _figures():
    ordered = DailyLedger.objects.order_by("position__code", "day")
    return list(ordered.values_list("position__code", "day", "visits_total", "ability_drink"))


def test_180_days_with_rhythm_and_heat_waves_deterministic_and_loaded_once(demo_stations):
    lines = demo.load(today=TODAY)
    assert "台账" in lines[0]
    days = DailyLedger.objects.filter(position__code="DL-T0")
    assert 160 <= days.count() <= 180
    assert min(days.values_list("day", flat=True)) >= date(2026, 6, 10)
    assert not DailyLedger.objects.filter(position__code="DL-PLAN").exists()
    rows = list(days)
    weekdays = [r.visits_total for r in rows if r.day.weekday() < 5]
    weekends = [r.visits_total for r in rows if r.day.weekday() >= 5]
    assert sum(weekdays) / len(weekdays) > sum(weekends) / len(weekends)
    wave = [r for r in rows if date(2026, 7, 20) <= r.day < date(2026, 7, 26)]
    october = [r for r in rows if r.day.month == 10]
    assert sum(r.ability_cool_down for r in wave) / len(wave) > sum(r.ability_cool_down for r in october) / len(october)
    assert all(r.visits_total == r.visits_delivery + r.visits_sanitation + r.visits_other for r in rows)
    assert Activity.objects.exists() and Feedback.objects.exists() and ProblemReport.objects.exists()

    first = _figures()
    assert demo.load(today=TODAY)[0].startswith("  台账：已有")
    assert _figures() == first


def test_the_same_position_and_day_give_the_same_figures(demo_stations):
    station = demo_stations[0]
    rows = [
        demo._day_row(station, date(2026, 8, 9), 30.0, ("delivery",), demo._rng(station.code)).figures()
        for _ in range(2)
    ]
    assert rows[0] == rows[1]
