"""Progress of a target and its forecast (spec §8: "Progress = achieved ÷ target, shown per unit
with a forecast").

Achieved: the metric's value for the target's unit on the due date, or today while the target runs.
Progress: achieved ÷ target, exact (a Fraction; shown as a percentage Decimal to one place).

Forecast — linear from the build rate:
- the window runs from its start W to today, where W is the target's start date (its baseline) when
  it lies before today, else the date 12 months before today; W moves later to the metric's first
  observation for the unit when that comes after (a unit that began building in March is judged on
  its pace since March);
- rate = (value today − value on W) ÷ (days from W to today), per day, exact;
- forecast on the due date = value today + rate × (days from today to the due date);
- the date the target would be reached = today + ⌈(target − value today) ÷ rate⌉ days when the rate
  is positive; none when the rate is zero or negative ("按当前进度无法完成").
With no observation at all (no position of that kind in the subtree, no reported figure, no street
centre built) or a window of no length (the first observation is today), there is no forecast, and
the page says so. A constant build rate is predicted exactly.

Status: met (achieved ≥ target) · behind (past due and not met, or the forecast on the due date
below the target) · on track (forecast on the due date reaches the target) · unknown (no forecast).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.targets.metrics import Metric

WINDOW_DAYS = 365


class Status(models.TextChoices):
    MET = "met", _("已完成")
    ON_TRACK = "on_track", _("进度正常")
    BEHIND = "behind", _("进度滞后")
    UNKNOWN = "unknown", _("无法预测")


@dataclass(frozen=True)
class Forecast:
    window_start: dt.date
    start_value: Fraction
    rate_per_day: Fraction
    at_due: Fraction
    reached_on: dt.date | None  # None: not reached at this rate (or already reached)


@dataclass(frozen=True)
class Progress:
    target_value: Fraction
    achieved: Fraction | None
    ratio: Fraction | None  # achieved ÷ target
    as_of: dt.date
    forecast: Forecast | None
    status: str
    past_due: bool

    @property
    def percent(self) -> Decimal | None:
        return None if self.ratio is None else as_decimal(self.ratio * 100, "0.1")

    @property
    def bar(self) -> int:
        """The progress bar's width in percent (0–100)."""
        return 0 if self.ratio is None else min(100, int(self.ratio * 100))

    @property
    def behind(self) -> bool:
        return self.status == Status.BEHIND


def as_decimal(value: Fraction | None, places: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    value = Fraction(value)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def forecast(
    *,
    today: dt.date,
    due_on: dt.date,
    target: Fraction,
    window_start: dt.date,
    start_value: Fraction | None,
    value_today: Fraction | None,
) -> Forecast | None:
    """The linear forecast from (window_start, start_value) to (today, value_today); None without
    two values or a window of no length."""
    if start_value is None or value_today is None or window_start >= today:
        return None
    rate = (value_today - start_value) / (today - window_start).days
    ahead = max(0, (due_on - today).days)
    at_due = value_today + rate * ahead
    reached_on = None
    if value_today < target and rate > 0:
        reached_on = today + dt.timedelta(days=math.ceil((target - value_today) / rate))
    return Forecast(window_start, start_value, rate, at_due, reached_on)


def window_start(*, today: dt.date, start_on: dt.date | None, first: dt.date | None) -> dt.date | None:
    if first is None:
        return None
    start = start_on if start_on is not None and start_on < today else today - dt.timedelta(days=WINDOW_DAYS)
    return max(start, first)


def evaluate(
    *, metric: Metric, unit, value: Decimal, due_on: dt.date, start_on: dt.date | None, today: dt.date
) -> Progress:
    target = Fraction(value)
    past_due = due_on < today
    as_of = due_on if past_due else today
    first = metric.first_date(unit)
    start = window_start(today=today, start_on=start_on, first=first)
    days = [as_of] + ([start] if start is not None and not past_due else [])
    values = metric.values(unit, days)
    achieved = values[0]
    ratio = None if achieved is None else achieved / target
    fc = None
    if not past_due and start is not None:
        fc = forecast(
            today=today, due_on=due_on, target=target, window_start=start, start_value=values[1], value_today=achieved
        )
    if achieved is not None and achieved >= target:
        status = Status.MET
    elif past_due:
        status = Status.BEHIND
    elif fc is None:
        status = Status.UNKNOWN
    elif fc.at_due < target:
        status = Status.BEHIND
    else:
        status = Status.ON_TRACK
    return Progress(target, achieved, ratio, as_of, fc, status, past_due)
