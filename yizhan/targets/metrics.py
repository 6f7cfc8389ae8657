"""The counted things a target can name (spec §8): a small registry of metrics, each computing its
value for a unit (the unit and every unit below it) as of given dates.

Built in:
- positions by kind (and level for centres) in a state as of a date, read from the positions'
  state-change history in the order it was recorded, each move dated by its `effective_on` (no
  later than the move recorded after it: a registration entered today with backdated moves counts
  from the first of them); a position without history counts in its current state from the day it
  was registered;
- the share of street centres up to standard: street centres whose latest assessment on or before
  the date (standards.Assessment) meets every required item (compliance = 100 %), over the street
  centres built (operating or suspended) on that date; no street centre built → no value;
- enterprises covered: the registry cannot count it, so it is a figure the unit reports by hand
  (ReportedFigure, with date and source); the latest figure of the unit itself on or before the date.

Another app may add a metric from its AppConfig.ready() with `register_metric(Metric(...))`, e.g.
the centres app a share of centres that passed acceptance.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

METRIC_TWICE = "metric {code} is registered twice"

# A metric's values at the given dates (None where it has no value, a share without denominator),
# and the date of its first observation for the unit (None: no history at all).
Values = Callable[[object, Sequence[dt.date]], list[Fraction | None]]
FirstDate = Callable[[object], dt.date | None]


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    values: Values
    first_date: FirstDate
    share: bool = False  # a percentage (target ≤ 100), else a count
    reported: bool = False  # figures reported by hand (ReportedFigure), not counted from the registry
    suffix: object = ""  # the unit written after a value: 个, 家, %

    def value_on(self, unit, day: dt.date) -> Fraction | None:
        return self.values(unit, [day])[0]


_metrics: dict[str, Metric] = {}


def register_metric(metric: Metric) -> None:
    if _metrics.get(metric.code) == metric:
        return
    if metric.code in _metrics:
        raise ValueError(METRIC_TWICE.format(code=metric.code))
    _metrics[metric.code] = metric


def get_metric(code: str) -> Metric | None:
    return _metrics.get(code)


def all_metrics() -> list[Metric]:
    return list(_metrics.values())


def metric_choices() -> list[tuple[str, str]]:
    return [(m.code, str(m.label)) for m in _metrics.values()]


# --- positions ------------------------------------------------------------------------------------


def _timelines(unit, kind: str, level: str = "") -> list[tuple[list[dt.date], list[str]]]:
    """Per position of `kind` (and centre `level`) in the unit's subtree: its state-change dates
    (ascending) and the state from each date on."""
    return list(_timelines_by_pk(unit, kind, level).values())


def _state_on(timeline: tuple[list[dt.date], list[str]], day: dt.date) -> str | None:
    dates, states = timeline
    i = bisect.bisect_right(dates, day)
    return states[i - 1] if i else None


def positions_metric(code: str, label, kind: str, states: frozenset[str], level: str = "") -> Metric:
    def values(unit, days):
        timelines = _timelines(unit, kind, level)
        return [Fraction(sum(1 for t in timelines if _state_on(t, day) in states)) for day in days]

    def first_date(unit):
        firsts = [t[0][0] for t in _timelines(unit, kind, level) if t[0]]
        return min(firsts) if firsts else None

    return Metric(
        code=code, label=label, values=values, first_date=first_date, suffix=pgettext_lazy("counted positions", "个")
    )


# --- street centres up to standard ----------------------------------------------------------------


def _street_centres_up_to_standard(unit, days):
    from yizhan.positions.choices import CentreLevel, PositionKind
    from yizhan.standards.models import Assessment

    timelines_by_pk = _timelines_by_pk(unit, PositionKind.CENTRE, CentreLevel.STREET)
    assessed: dict[int, tuple[list[dt.date], list[bool]]] = {}
    rows = (
        Assessment.objects.filter(position_id__in=list(timelines_by_pk))
        .order_by("assessed_on", "pk")
        .values_list("position_id", "assessed_on", "compliance")
    )
    for pk, day, compliance in rows:
        dates, passed = assessed.setdefault(pk, ([], []))
        dates.append(day)
        passed.append(compliance >= 1)
    out: list[Fraction | None] = []
    for day in days:
        built = [pk for pk, t in timelines_by_pk.items() if _state_on(t, day) in BUILT_STATES]
        if not built:
            out.append(None)
            continue
        up = 0
        for pk in built:
            dates, passed = assessed.get(pk, ([], []))
            i = bisect.bisect_right(dates, day)
            up += bool(i and passed[i - 1])
        out.append(Fraction(up * 100, len(built)))
    return out


def _timelines_by_pk(unit, kind, level):
    from yizhan.positions.models import Position, PositionStateChange

    positions = Position.objects.filter(unit__path__startswith=unit.path, kind=kind)
    if level:
        positions = positions.filter(centre_level=level)
    current = {pk: (state, created.date()) for pk, state, created in positions.values_list("pk", "state", "created_at")}
    out: dict[int, tuple[list[dt.date], list[str]]] = {}
    rows = (
        PositionStateChange.objects.filter(position_id__in=list(current))
        .order_by("created_at", "pk")
        .values_list("position_id", "effective_on", "to_state")
    )
    for pk, day, state in rows:
        dates, states = out.setdefault(pk, ([], []))
        dates.append(day)
        states.append(state)
    for dates, _states in out.values():
        # Moves are read in the order they were recorded; one recorded later may be dated earlier
        # (a registration entered today of a station that opened last year, its moves backdated):
        # a move takes effect no later than the one recorded after it.
        for i in range(len(dates) - 2, -1, -1):
            dates[i] = min(dates[i], dates[i + 1])
    for pk, (state, created) in current.items():
        out.setdefault(pk, ([created], [state]))
    return out


def _street_centres_first(unit):
    from yizhan.positions.choices import CentreLevel, PositionKind

    timelines = _timelines_by_pk(unit, PositionKind.CENTRE, CentreLevel.STREET).values()
    firsts = [d for dates, states in timelines for d, s in zip(dates, states, strict=True) if s in BUILT_STATES]
    return min(firsts) if firsts else None


# --- reported figures -----------------------------------------------------------------------------


def reported_metric(code: str, label, suffix: str) -> Metric:
    def _figures(unit):
        from yizhan.targets.models import ReportedFigure

        rows = ReportedFigure.objects.filter(unit=unit, metric=code).order_by("as_of", "pk")
        return [(r.as_of, r.value) for r in rows]

    def values(unit, days):
        figures = _figures(unit)
        dates = [d for d, _v in figures]
        out = []
        for day in days:
            i = bisect.bisect_right(dates, day)
            out.append(Fraction(figures[i - 1][1]) if i else None)
        return out

    def first_date(unit):
        figures = _figures(unit)
        return figures[0][0] if figures else None

    return Metric(code=code, label=label, values=values, first_date=first_date, reported=True, suffix=suffix)


OPERATING = frozenset({"operating"})
BUILT_STATES = frozenset({"operating", "suspended"})

STATIONS_OPERATING = "stations_operating"
CENTRES_DISTRICT = "centres_district"
CENTRES_STREET = "centres_street"
CENTRES_ENTERPRISE = "centres_enterprise"
WORK_STATIONS = "work_stations"
STREET_CENTRES_UP_TO_STANDARD = "street_centres_up_to_standard"
ENTERPRISES_COVERED = "enterprises_covered"


def register_builtin_metrics() -> None:
    register_metric(positions_metric(STATIONS_OPERATING, _("运营中的户外劳动者服务站点数"), "station", OPERATING))
    register_metric(
        positions_metric(CENTRES_DISTRICT, _("已建成的区级职工服务中心数"), "centre", BUILT_STATES, "district")
    )
    register_metric(
        positions_metric(CENTRES_STREET, _("已建成的街道/乡镇职工服务中心数"), "centre", BUILT_STATES, "street")
    )
    register_metric(
        positions_metric(CENTRES_ENTERPRISE, _("已建成的企业职工服务中心数"), "centre", BUILT_STATES, "enterprise")
    )
    register_metric(positions_metric(WORK_STATIONS, _("已建成的工作站数"), "work_station", BUILT_STATES))
    register_metric(
        Metric(
            code=STREET_CENTRES_UP_TO_STANDARD,
            label=_("街道/乡镇职工服务中心达标率"),
            values=_street_centres_up_to_standard,
            first_date=_street_centres_first,
            share=True,
            suffix="%",
        )
    )
    register_metric(
        reported_metric(ENTERPRISES_COVERED, _("覆盖企业数（填报）"), pgettext_lazy("counted enterprises", "家"))
    )
