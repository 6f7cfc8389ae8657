"""Progress = achieved ÷ target (exact) and the linear forecast from the build rate (spec §8)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.targets.metrics import STATIONS_OPERATING, Metric, get_metric
from yizhan.targets.progress import Status, evaluate, forecast, window_start
from yizhan.targets.tests.conftest import TODAY, open_station

pytestmark = pytest.mark.django_db


def _metric(series: dict[dt.date, int], first: dt.date | None) -> Metric:
    """A metric whose value on a day is the step function given by `series` (0 before)."""

    def values(unit, days):
        out = []
        for day in days:
            known = [v for d, v in sorted(series.items()) if d <= day]
            out.append(Fraction(known[-1]) if known else Fraction(0))
        return out

    return Metric(code="test", label="测试", values=values, first_date=lambda unit: first)


def test_nothing_achieved_is_zero_progress(dalian):
    metric = _metric({}, TODAY - dt.timedelta(days=100))
    p = evaluate(
        metric=metric,
        unit=dalian["zs"],
        value=Decimal(120),
        due_on=TODAY + dt.timedelta(days=10),
        start_on=None,
        today=TODAY,
    )
    assert p.achieved == 0 and p.ratio == 0 and p.percent == Decimal("0.0") and p.bar == 0
    assert p.forecast.rate_per_day == 0 and p.forecast.at_due == 0 and p.forecast.reached_on is None
    assert p.status == Status.BEHIND


def test_exactly_met_and_over(dalian):
    met = _metric({TODAY - dt.timedelta(days=30): 120}, TODAY - dt.timedelta(days=30))
    p = evaluate(
        metric=met,
        unit=dalian["zs"],
        value=Decimal(120),
        due_on=TODAY + dt.timedelta(days=1),
        start_on=None,
        today=TODAY,
    )
    assert p.ratio == 1 and p.percent == Decimal("100.0") and p.status == Status.MET and p.bar == 100
    over = _metric({TODAY - dt.timedelta(days=30): 130}, TODAY - dt.timedelta(days=30))
    p = evaluate(
        metric=over,
        unit=dalian["zs"],
        value=Decimal(120),
        due_on=TODAY + dt.timedelta(days=1),
        start_on=None,
        today=TODAY,
    )
    assert p.ratio == Fraction(13, 12) and p.percent == Decimal("108.3") and p.status == Status.MET and p.bar == 100


def test_progress_is_exact(dalian):
    metric = _metric({TODAY - dt.timedelta(days=30): 1}, TODAY - dt.timedelta(days=30))
    p = evaluate(
        metric=metric,
        unit=dalian["zs"],
        value=Decimal(3),
        due_on=TODAY + dt.timedelta(days=1),
        start_on=None,
        today=TODAY,
    )
    assert p.ratio == Fraction(1, 3) and p.percent == Decimal("33.3")


def test_past_due_not_met_is_behind_and_read_on_the_due_date(dalian):
    due = TODAY - dt.timedelta(days=10)
    metric = _metric({due - dt.timedelta(days=100): 50, due + dt.timedelta(days=5): 200}, due - dt.timedelta(days=100))
    p = evaluate(metric=metric, unit=dalian["zs"], value=Decimal(120), due_on=due, start_on=None, today=TODAY)
    assert p.past_due and p.as_of == due and p.achieved == 50 and p.status == Status.BEHIND and p.forecast is None


def test_past_due_met_on_the_due_date(dalian):
    due = TODAY - dt.timedelta(days=10)
    metric = _metric({due - dt.timedelta(days=1): 120}, due - dt.timedelta(days=100))
    p = evaluate(metric=metric, unit=dalian["zs"], value=Decimal(120), due_on=due, start_on=None, today=TODAY)
    assert p.status == Status.MET


def test_no_history_no_forecast(dalian):
    metric = _metric({}, None)
    p = evaluate(
        metric=metric,
        unit=dalian["zs"],
        value=Decimal(10),
        due_on=TODAY + dt.timedelta(days=10),
        start_on=None,
        today=TODAY,
    )
    assert p.forecast is None and p.status == Status.UNKNOWN


def test_first_observation_today_gives_no_forecast():
    assert window_start(today=TODAY, start_on=None, first=TODAY) == TODAY
    assert (
        forecast(
            today=TODAY,
            due_on=TODAY,
            target=Fraction(1),
            window_start=TODAY,
            start_value=Fraction(0),
            value_today=Fraction(1),
        )
        is None
    )


def test_window_start_rules():
    first = dt.date(2020, 1, 1)
    assert window_start(today=TODAY, start_on=None, first=first) == TODAY - dt.timedelta(days=365)
    assert window_start(today=TODAY, start_on=dt.date(2024, 1, 1), first=first) == dt.date(2024, 1, 1)
    # A start in the future is no baseline yet: the last 12 months.
    assert window_start(today=TODAY, start_on=TODAY + dt.timedelta(days=5), first=first) == TODAY - dt.timedelta(
        days=365
    )
    # Building began after the window's start: the pace since then.
    late = TODAY - dt.timedelta(days=30)
    assert window_start(today=TODAY, start_on=None, first=late) == late


def test_behind_on_track_and_the_reach_date():
    # 10 built in 100 days: 0.1 a day; 50 more days → 15 at the due date.
    f = forecast(
        today=TODAY,
        due_on=TODAY + dt.timedelta(days=50),
        target=Fraction(20),
        window_start=TODAY - dt.timedelta(days=100),
        start_value=Fraction(0),
        value_today=Fraction(10),
    )
    assert f.rate_per_day == Fraction(1, 10) and f.at_due == 15
    assert f.reached_on == TODAY + dt.timedelta(days=100)


@settings(max_examples=60, deadline=None)
@given(
    base=st.integers(0, 50),
    per_step=st.integers(1, 5),
    step_days=st.integers(1, 30),
    built_steps=st.integers(1, 20),
    ahead_steps=st.integers(0, 20),
    target_extra=st.integers(1, 200),
)
def test_a_constant_build_rate_is_predicted_exactly(base, per_step, step_days, built_steps, ahead_steps, target_extra):
    """`per_step` stations every `step_days` days since the start: the forecast on a due date that
    falls on a step is the count there would be, and the reach date is the day the target is reached
    at that rate."""
    start = dt.date(2024, 1, 1)
    today = start + dt.timedelta(days=step_days * built_steps)
    due = today + dt.timedelta(days=step_days * ahead_steps)
    value_today = Fraction(base + per_step * built_steps)
    target = value_today + target_extra
    f = forecast(
        today=today, due_on=due, target=target, window_start=start, start_value=Fraction(base), value_today=value_today
    )
    assert f.at_due == base + per_step * (built_steps + ahead_steps)
    assert f.rate_per_day == Fraction(per_step, step_days)
    days = (f.reached_on - today).days
    assert value_today + f.rate_per_day * days >= target > value_today + f.rate_per_day * (days - 1)


def test_stations_operating_counts_the_state_on_each_date(dalian):
    zs, street = dalian["zs"], dalian["street"]
    open_station(zs, dt.date(2025, 1, 1))
    open_station(street, dt.date(2025, 3, 1))  # below zs: counted for zs
    open_station(zs, dt.date(2025, 2, 1), closed_on=dt.date(2025, 6, 1))
    open_station(dalian["xg"], dt.date(2025, 1, 1))  # a sibling: not counted
    metric = get_metric(STATIONS_OPERATING)
    days = [dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 2, 15), dt.date(2025, 3, 1), dt.date(2025, 6, 1)]
    assert metric.values(zs, days) == [0, 1, 2, 3, 2]
    assert metric.first_date(zs) == dt.date(2025, 1, 1)
    assert metric.values(dalian["city"], [dt.date(2025, 3, 1)]) == [4]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_month=st.integers(1, 3), months=st.integers(1, 5))
def test_a_constant_opening_rate_in_the_registry_is_forecast_exactly(dalian, per_month, months):
    """`per_month` stations opened on the start date and as many again every 30 days (the registry's
    history): the forecast 120 days on is the count there will be on that rhythm. The positions are
    removed at each example's start (the fixture is shared between examples)."""
    from yizhan.positions.models import Position, PositionStateChange

    PositionStateChange.objects.all().delete()
    Position.objects.all().delete()
    start = dt.date(2025, 1, 1)
    for m in range(months + 1):
        for _ in range(per_month):
            open_station(dalian["zs"], start + dt.timedelta(days=30 * m))
    today = start + dt.timedelta(days=30 * months)
    due = today + dt.timedelta(days=120)
    p = evaluate(
        metric=get_metric(STATIONS_OPERATING),
        unit=dalian["zs"],
        value=Decimal(1000),
        due_on=due,
        start_on=start,
        today=today,
    )
    assert p.achieved == per_month * (months + 1)
    assert p.forecast.window_start == start and p.forecast.rate_per_day == Fraction(per_month, 30)
    assert p.forecast.at_due == per_month * (months + 1 + 4)


def test_a_registration_entered_today_with_backdated_moves_counts_from_the_moves(dalian):
    """The demo's and an import's way: the registration row dated today, its moves dated earlier."""
    from yizhan.positions.models import PositionStateChange
    from yizhan.positions.tests.factories import PositionFactory

    position = PositionFactory(unit=dalian["zs"], state="operating")
    for from_state, to_state, day in (
        ("", "planned", TODAY),
        ("planned", "building", dt.date(2025, 1, 1)),
        ("building", "operating", dt.date(2025, 3, 1)),
    ):
        PositionStateChange.objects.create(
            position=position, from_state=from_state, to_state=to_state, effective_on=day, actor_name="测试"
        )
    metric = get_metric(STATIONS_OPERATING)
    assert metric.values(dalian["zs"], [dt.date(2025, 2, 1), dt.date(2025, 3, 1), TODAY]) == [0, 1, 1]
    assert metric.first_date(dalian["zs"]) == dt.date(2025, 1, 1)
