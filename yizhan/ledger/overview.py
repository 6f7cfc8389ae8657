"""The dashboard of a unit over its subtree (issue 15 §6; spec §12): positions by state, kind, star
and construction type; ledger totals and their trend by day, week or month; the busiest and the
idle positions; activities; satisfaction; open feedback and problem reports with their age; the re-verify queue
and stale verified-on dates. Every figure carries the URL of the rows behind it — a list filtered
so that its rows add up to the figure (tests follow each link and compare) — and the whole can be
exported as xlsx (the figures and the ledger rows) or PDF. Scoped by the actor. The ledger's
totals, trend by month and busiest positions come from one grid of (position, month) sums: whole
months from the monthly summary, partial months from their daily rows (decision 32)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from yizhan.core.exports import safe_cell
from yizhan.core.geo.crs import from_gcj02
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require
from yizhan.ledger import selectors
from yizhan.ledger.choices import FeedbackStatus, ProblemStatus
from yizhan.ledger.models import LEDGER_FIGURES, SUMMED, DailyLedger, LedgerMonth
from yizhan.positions.choices import ConstructionType, PositionKind, PositionState, StarRating
from yizhan.positions.models import Position

TREND_TITLES = {"day": _("按日服务人次"), "week": _("按周服务人次"), "month": _("按月服务人次")}
TREND_CHOICES = {"day": _("按日"), "week": _("按周"), "month": _("按月")}
IDLE_DAYS = 30  # issue 15 §6: idle positions — no visits in 30 days
TOP = 10
UNRATED = "none"  # the positions list's star filter for "no star"


@dataclass(frozen=True)
class Stat:
    label: str
    value: int | float | None
    url: str
    note: str = ""


@dataclass
class Overview:
    unit: object
    date_from: date
    date_to: date
    by_state: list[Stat] = field(default_factory=list)
    by_kind: list[Stat] = field(default_factory=list)
    by_construction: list[Stat] = field(default_factory=list)
    by_star: list[Stat] = field(default_factory=list)
    ledger: list[Stat] = field(default_factory=list)
    trend: list[Stat] = field(default_factory=list)
    trend_by: str = "month"
    top: list[Stat] = field(default_factory=list)
    work: list[Stat] = field(default_factory=list)  # idle, activities, satisfaction, open items, queue

    @property
    def trend_title(self) -> str:
        return str(TREND_TITLES[self.trend_by])


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_of(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The dashboard's period: up to `date_to` (at most today, default today), from `date_from`
    (default the 30 days up to `date_to`)."""
    today = timezone.localdate()
    date_to = min(date_to or today, today)
    return date_from or date_to - timedelta(days=29), date_to


def overview(
    *, actor: Actor, unit, date_from: date | None = None, date_to: date | None = None, trend_by: str = "month"
) -> Overview:
    """The dashboard of `unit` (in the actor's scope, fetched by the caller) over its subtree for
    a period of days (default the last 30 up to today), the visits' trend by day, week (from
    Monday) or month (`trend_by`, default month)."""
    require(actor, Action.VIEW, DailyLedger)
    date_from, date_to = period_of(date_from, date_to)
    if trend_by not in TREND_TITLES:
        trend_by = "month"
    result = Overview(unit=unit, date_from=date_from, date_to=date_to, trend_by=trend_by)
    period = {"unit": unit.pk, "from": date_from.isoformat(), "to": date_to.isoformat()}

    positions = Position.objects.restrict(actor).filter(unit__path__startswith=unit.path)
    # One pass over the subtree's positions for the four breakdowns (a few hundred combinations).
    axes = ("state", "kind", "construction_type", "star_rating")
    counts: dict[str, dict] = {name: {} for name in axes}
    for *values, n in positions.order_by().values_list(*axes).annotate(n=Count("pk")):
        for name, value in zip(axes, values, strict=True):
            counts[name][value] = counts[name].get(value, 0) + n
    result.by_state = [
        Stat(str(label), counts["state"].get(value, 0), _url("positions:list", unit=unit.pk, state=value))
        for value, label in PositionState.choices
    ]
    result.by_kind = [
        Stat(str(label), counts["kind"].get(value, 0), _url("positions:list", unit=unit.pk, kind=value))
        for value, label in PositionKind.choices
    ]
    result.by_construction = [
        Stat(
            str(label),
            counts["construction_type"].get(value, 0),
            _url("positions:list", unit=unit.pk, construction_type=value),
        )
        for value, label in ConstructionType.choices
    ]
    stations = counts["star_rating"]
    result.by_star = [
        Stat(str(label), stations.get(value, 0), _url("positions:list", unit=unit.pk, star=value))
        for value, label in StarRating.choices
    ] + [Stat(str(_("未评星")), stations.get("", 0), _url("positions:list", unit=unit.pk, star=UNRATED))]

    # Totals, the monthly trend and the busiest positions from the same sums (`_period_sums`):
    # whole months from the monthly summary, partial months from their daily rows (decision 32).
    totals, by_month, by_position = _period_sums(actor=actor, unit=unit, date_from=date_from, date_to=date_to)
    days_url = _url("ledger_staff:home", **period)
    result.ledger = [
        Stat(str(_("台账天数")), totals["days"], days_url),
        Stat(str(_("服务人次")), totals["visits_total"], days_url),
        Stat(str(_("服务项目人次")), totals["services_total"], days_url),
        *(Stat(str(label), totals[name], days_url) for name, label in LEDGER_FIGURES if name.startswith("service_")),
    ]
    if result.trend_by == "month":
        buckets = sorted(by_month.items())
    else:
        days = selectors.ledger_list(actor=actor, unit=unit, date_from=date_from, date_to=date_to)
        bucket = {"day": F("day"), "week": TruncWeek("day")}[result.trend_by]
        grouped = days.order_by().annotate(bucket=bucket).values_list("bucket").annotate(visits=Sum("visits_total"))
        buckets = sorted((_as_date(first), visits) for first, visits in grouped)
    for first, visits in buckets:
        last = {"day": first, "week": first + timedelta(days=6), "month": _month_end(first)}[result.trend_by]
        start, end = max(first, date_from), min(last, date_to)
        label = f"{first:%Y-%m}" if result.trend_by == "month" else f"{first:%Y-%m-%d}"
        result.trend.append(
            Stat(
                label,
                visits or 0,
                _url("ledger_staff:home", unit=unit.pk, **{"from": start.isoformat(), "to": end.isoformat()}),
            )
        )
    # Positions with rows in the period, the busiest first (ties by id); names for those shown only.
    busiest = sorted(by_position.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    names = {
        pk: short or official
        for pk, official, short in Position.objects.filter(pk__in=[pk for pk, _n in busiest]).values_list(
            "pk", "official_name", "short_name"
        )
    }
    result.top = [
        Stat(
            names[pk],
            visits,
            _url("ledger_staff:home", position=pk, **{k: v for k, v in period.items() if k != "unit"}),
        )
        for pk, visits in busiest
    ]

    idle = idle_count(actor=actor, unit=unit, until=date_to)
    activities = selectors.activity_list(actor=actor, unit=unit, date_from=date_from, date_to=date_to)
    held = activities.order_by().aggregate(n=Count("pk"), people=Sum("participants"))
    satisfaction = selectors.satisfaction(actor=actor, unit=unit, date_from=date_from, date_to=date_to)
    unread = selectors.feedback_list(actor=actor, unit=unit, status=FeedbackStatus.NEW)
    unhandled = selectors.feedback_list(actor=actor, unit=unit, status=FeedbackStatus.READ)
    reports = selectors.problem_report_list(actor=actor, unit=unit, status=ProblemStatus.OPEN)
    queued, stale = selectors.reverify_queue_counts(actor=actor, unit=unit)
    rate = round(satisfaction.rate * 100) if satisfaction.rate is not None else None
    result.work = [
        Stat(
            str(_("{n} 天内没有服务人次的运营阵地").format(n=IDLE_DAYS)),
            idle,
            _url("ledger_staff:idle", unit=unit.pk, to=date_to.isoformat()),
        ),
        Stat(
            str(_("活动")),
            held["n"],
            _url("ledger_staff:activity_list", **period),
            note=str(_("参与 {n} 人次").format(n=held["people"] or 0)),
        ),
        Stat(
            str(_("满意率（%）")),
            rate,
            _url("ledger:feedback_list", rated=1, **period),
            note=str(_("{n} 条评分").format(n=satisfaction.responses))
            if satisfaction.enough
            else str(_("评分不足（{n} 条，至少 {m} 条）").format(n=satisfaction.responses, m=satisfaction.minimum)),
        ),
        Stat(
            str(_("未读意见")),
            unread.count(),
            _url("ledger:feedback_list", unit=unit.pk, status=FeedbackStatus.NEW),
            note=_age(unread),
        ),
        Stat(
            str(_("已读未处理的意见")),
            unhandled.count(),
            _url("ledger:feedback_list", unit=unit.pk, status=FeedbackStatus.READ),
            note=_age(unhandled),
        ),
        Stat(
            str(_("待核实的问题反映")),
            reports.count(),
            _url("ledger_staff:problem_list", unit=unit.pk, status=ProblemStatus.OPEN),
            note=_age(reports),
        ),
        Stat(str(_("待现场核实的阵地")), queued, _url("ledger_staff:reverify", unit=unit.pk)),
        Stat(str(_("超过期限未现场核实的阵地")), stale, _url("ledger_staff:reverify", unit=unit.pk, stale=1)),
    ]
    return result


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _period_sums(*, actor: Actor, unit, date_from: date, date_to: date) -> tuple[dict, dict, dict]:
    """The period's ledger over `unit`'s subtree in the actor's scope, three ways: the totals of
    every count (and the days), visits by month, visits by position. Whole months are read from
    the monthly summary (`LedgerMonth`), the days of partial months from the daily rows (through
    the covering index, decision 32): a narrow GROUP BY position of the visits per month and one
    aggregate of every count, so no wide rows are grouped or sorted."""
    first_full = date_from if date_from.day == 1 else _month_end(date_from) + timedelta(days=1)
    after_full = date_to + timedelta(days=1) if _month_end(date_to) == date_to else date_to.replace(day=1)
    sums = {name: Sum(name) for name in SUMMED}
    totals = dict.fromkeys(("days", *SUMMED), 0)
    by_month: dict[date, int] = {}
    by_position: dict[int, int] = {}

    def add(whole: dict, narrow) -> None:
        for name in totals:
            totals[name] += whole[name] or 0
        for pk, month, visits in narrow:
            month = _as_date(month)
            by_month[month] = by_month.get(month, 0) + (visits or 0)
            by_position[pk] = by_position.get(pk, 0) + (visits or 0)

    edges: list[tuple[date, date]] = []  # each within one month
    if first_full < after_full:
        months = (
            LedgerMonth.objects.restrict(actor)
            .filter(position__unit__path__startswith=unit.path, month__gte=first_full, month__lt=after_full)
            .order_by()
        )
        add(months.aggregate(days=Sum("days"), **sums), months.values_list("position_id", "month", "visits_total"))
        if date_from < first_full:
            edges.append((date_from, first_full - timedelta(days=1)))
        if after_full <= date_to:
            edges.append((after_full, date_to))
    else:  # no whole month: the period's days month by month (at most two months)
        start = date_from
        while start <= date_to:
            edges.append((start, min(_month_end(start), date_to)))
            start = _month_end(start) + timedelta(days=1)
    if not edges:
        return totals, by_month, by_position
    within = Q()
    for start, end in edges:
        within |= Q(day__gte=start, day__lte=end)
    daily = selectors.ledger_list(actor=actor, unit=unit).order_by()
    # The visits by position of each partial month (no month function per row: SQLite's is Python).
    narrow = [
        (pk, start.replace(day=1), visits)
        for start, end in edges
        for pk, visits in daily.filter(day__gte=start, day__lte=end)
        .values_list("position_id")
        .annotate(visits=Sum("visits_total"))
    ]
    add(daily.filter(within).aggregate(days=Count("day"), **sums), narrow)
    return totals, by_month, by_position


def _age(queryset) -> str:
    oldest = queryset.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return ""
    days = (timezone.localdate() - timezone.localdate(oldest)).days
    return str(_("最早的已等待 {n} 天").format(n=days))


def idle_positions(*, actor: Actor, unit, until: date | None = None):
    """Operating positions of `unit`'s subtree in the actor's scope with no visits in the
    IDLE_DAYS days up to `until` (issue 15 §6), by code."""
    require(actor, Action.VIEW, DailyLedger)
    until = until or timezone.localdate()
    since = until - timedelta(days=IDLE_DAYS - 1)
    # Per position, a seek on the (position, day) key: a NOT IN over every busy row of the period
    # read the whole network's days for one city (bench/ledger_dashboard.py).
    busy = DailyLedger.objects.filter(position_id=OuterRef("pk"), day__gte=since, day__lte=until, visits_total__gt=0)
    return (
        Position.objects.restrict(actor)
        .filter(unit__path__startswith=unit.path, state=PositionState.OPERATING)
        .exclude(Exists(busy))
        .select_related("unit")
        .order_by("code")
    )


def idle_count(*, actor: Actor, unit, until: date) -> int:
    """How many positions `idle_positions` lists, counted over the subtree's positions with the
    state as the count's filter rather than the query's: SQLite, without statistics, would
    otherwise read every operating position of the network by the state index (1 s at 130,000)."""
    since = until - timedelta(days=IDLE_DAYS - 1)
    busy = DailyLedger.objects.filter(position_id=OuterRef("pk"), day__gte=since, day__lte=until, visits_total__gt=0)
    positions = Position.objects.restrict(actor).filter(unit__path__startswith=unit.path).exclude(Exists(busy))
    return positions.order_by().aggregate(n=Count("pk", filter=Q(state=PositionState.OPERATING)))["n"]


def overview_xlsx(*, actor: Actor, result: Overview) -> bytes:
    """The dashboard as a workbook: the figures (one sheet, each with its section) and the ledger
    rows of the period (another), formula-escaped."""
    book = Workbook()
    sheet = book.active
    sheet.title = "看板"
    sheet.append(["单位", result.unit.name, "期间", f"{result.date_from:%Y-%m-%d} 至 {result.date_to:%Y-%m-%d}"])
    sheet.append(["部分", "项目", "数值", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sections = (
        ("阵地状态", result.by_state),
        ("阵地类型", result.by_kind),
        ("建设类型", result.by_construction),
        ("星级", result.by_star),
        ("台账合计", result.ledger),
        (result.trend_title, result.trend),
        ("服务人次最多的阵地", result.top),
        ("待办与成效", result.work),
    )
    for title, stats in sections:
        for stat in stats:
            value = stat.value if stat.value is not None else ""
            sheet.append([title, safe_cell(stat.label), value, safe_cell(stat.note)])
    rows = book.create_sheet("台账明细")
    figures = [str(label) for _name, label in LEDGER_FIGURES]
    headers = ["阵地编号", "阵地名称", "日期", "服务人次合计", "服务项目人次合计", *figures]
    rows.append(headers)
    for cell in rows[1]:
        cell.font = Font(bold=True)
    days = selectors.ledger_list(actor=actor, unit=result.unit, date_from=result.date_from, date_to=result.date_to)
    for day in days.order_by("position__code", "day").iterator(chunk_size=2000):
        rows.append(
            [
                safe_cell(day.position.code),
                safe_cell(day.position.official_name),
                day.day,
                day.visits_total,
                day.services_total,
                *[getattr(day, name) for name, _label in LEDGER_FIGURES],
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- the map layer coloured by usage (issue 15 §6) -----------------------------------------------

USAGE_CLASSES = 4  # quartiles of the positions with visits; the positions without any are a class of their own
USAGE_COLOURS = ("#9ca3af", "#fde68a", "#f59e0b", "#dc2626", "#7f1d1d")  # none, then lightest to darkest
MAP_LIMIT = 5000  # points drawn at most (a city has about 2,000; the busiest are kept)


@dataclass(frozen=True)
class UsageClass:
    low: int
    high: int
    colour: str
    count: int = 0

    @property
    def label(self) -> str:
        if self.high == 0:
            return str(_("无服务人次"))
        return f"{self.low:,}" if self.low == self.high else f"{self.low:,}–{self.high:,}"


def usage_classes(values: list[int], k: int = USAGE_CLASSES) -> list[UsageClass]:
    """Classes of visit counts for the map's colours: the zeros, then up to `k` quantile classes
    of the positive counts (each class's upper bound is the count at its quantile; equal bounds
    merge, so a network where most counts are equal gets fewer classes). Every value falls in
    exactly one class and the classes' counts add up to the number of values (tested)."""
    positive = sorted(v for v in values if v > 0)
    highs: list[int] = []
    for i in range(1, k + 1):
        if not positive:
            break
        high = positive[-(-i * len(positive) // k) - 1]
        if not highs or high > highs[-1]:
            highs.append(high)
    classes = [UsageClass(0, 0, USAGE_COLOURS[0], sum(1 for v in values if v <= 0))]
    low = 1
    colours = USAGE_COLOURS[1:] if len(highs) == k else USAGE_COLOURS[-len(highs) :] if highs else ()
    for high, colour in zip(highs, colours, strict=True):
        count = sum(1 for v in positive if low <= v <= high)
        classes.append(UsageClass(low, high, colour, count))
        low = high + 1
    return classes


def usage_class_of(value: int, classes: list[UsageClass]) -> int:
    """The index in `classes` of the class holding `value`."""
    for index, usage in enumerate(classes):
        if value <= usage.high:
            return index
    return len(classes) - 1


def usage_map(*, actor: Actor, unit, date_from: date, date_to: date, crs: str) -> dict:
    """The positions of `unit`'s subtree in the actor's scope (not delisted) with their visits in
    the period, coloured by quantile class (`usage_classes`), in the tile layer's coordinate system
    `crs`; each with the URL of its ledger rows behind the figure. At most MAP_LIMIT points, the
    busiest first (`truncated` says when more were left out); the classes count every position."""
    require(actor, Action.VIEW, DailyLedger)
    positions = (
        Position.objects.restrict(actor)
        .filter(unit__path__startswith=unit.path)
        .exclude(state=PositionState.DELISTED)
        .order_by()
        .values_list("pk", "code", "official_name", "short_name", "lng", "lat")
    )
    days = selectors.ledger_list(actor=actor, unit=unit, date_from=date_from, date_to=date_to)
    visits = dict(days.order_by().values_list("position_id").annotate(n=Sum("visits_total")))
    rows = [(visits.get(pk) or 0, pk, code, short or name, lng, lat) for pk, code, name, short, lng, lat in positions]
    classes = usage_classes([row[0] for row in rows])
    rows.sort(key=lambda row: (-row[0], row[2]))
    period = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    points = []
    for count, pk, code, name, lng, lat in rows[:MAP_LIMIT]:
        x, y = from_gcj02(lng, lat, crs)
        points.append(
            {
                "id": pk,
                "code": code,
                "name": name,
                "x": round(x, 6),
                "y": round(y, 6),
                "visits": count,
                "cls": usage_class_of(count, classes),
                "url": _url("ledger_staff:home", position=pk, **period),
            }
        )
    return {
        "crs": crs,
        "date_from": date_from,
        "date_to": date_to,
        "classes": [
            {"label": c.label, "low": c.low, "high": c.high, "colour": c.colour, "count": c.count} for c in classes
        ],
        "points": points,
        "truncated": len(rows) > MAP_LIMIT,
    }
