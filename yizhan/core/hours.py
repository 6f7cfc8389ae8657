"""Opening hours (spec §2): a weekly schedule, dated exceptions, "24 h", and whether a position is
open at a moment, computed in Asia/Shanghai.

A weekly schedule maps weekday keys (mon … sun) to lists of [start, end] "HH:MM" intervals; an end
at or before its start runs past midnight into the next day (a night shift 20:00–06:00).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Day names as exports and the hours text write them (always Chinese), and as pages show them.
WEEKDAY_LABELS = dict(zip(WEEKDAYS, ("周一", "周二", "周三", "周四", "周五", "周六", "周日"), strict=True))
WEEKDAY_NAMES = dict(
    zip(WEEKDAYS, (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")), strict=True)
)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

SCHEDULE_NOT_A_MAPPING = _("营业时间应为按星期排列的时段表")
SCHEDULE_UNKNOWN_DAY = _("营业时间中的“{day}”不是星期（mon…sun）")
SCHEDULE_BAD_INTERVAL = _("{day}的时段“{interval}”格式应为 HH:MM-HH:MM")
SCHEDULE_EMPTY_INTERVAL = _("{day}的时段“{interval}”开始与结束相同")
SCHEDULE_OVERLAP = _("{day}的时段有重叠")


class ScheduleError(ValueError):
    pass


def _minutes(text: str) -> int:
    if not _HHMM.match(text):
        raise ValueError(text)
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


_CANONICAL: dict[tuple, dict[str, list[list[str]]]] = {}  # schedules seen valid → canonical form


def validate_schedule(schedule) -> dict[str, list[list[str]]]:
    """The schedule in canonical form (days in order, intervals sorted), or ScheduleError. Valid
    schedules are remembered (an import checks the same few schedules on every row)."""
    key = _schedule_key(schedule)
    canonical = _CANONICAL.get(key) if key is not None else None
    if canonical is None:
        canonical = _validate_schedule(schedule)
        if key is not None and len(_CANONICAL) < 4096:
            _CANONICAL[key] = canonical
    return {day: [list(interval) for interval in intervals] for day, intervals in canonical.items()}


def _schedule_key(schedule) -> tuple | None:
    """A hashable copy of a schedule that keeps every type (a tuple is not a list), or None."""
    if type(schedule) is not dict:
        return None
    try:
        key = tuple(
            (day, type(intervals).__name__, tuple((type(i).__name__, *i) for i in intervals))
            for day, intervals in schedule.items()
        )
        hash(key)
    except TypeError:
        return None
    return key


def _validate_schedule(schedule) -> dict[str, list[list[str]]]:
    if not isinstance(schedule, dict):
        raise ScheduleError(str(SCHEDULE_NOT_A_MAPPING))
    clean: dict[str, list[list[str]]] = {}
    for day, intervals in schedule.items():
        if day not in WEEKDAYS:
            raise ScheduleError(SCHEDULE_UNKNOWN_DAY.format(day=day))
        spans = validate_intervals(intervals, label=WEEKDAY_LABELS[day])
        if spans:
            clean[day] = spans
    return {day: clean[day] for day in WEEKDAYS if day in clean}


def validate_intervals(intervals, *, label: str) -> list[list[str]]:
    """One day's [start, end] "HH:MM" intervals, sorted, or ScheduleError naming the day as `label`
    (a weekday of the schedule, or the day of a dated exception)."""
    if not isinstance(intervals, list):
        raise ScheduleError(SCHEDULE_BAD_INTERVAL.format(day=label, interval=intervals))
    spans = []
    for interval in intervals:
        if not (
            isinstance(interval, (list, tuple)) and len(interval) == 2 and all(isinstance(t, str) for t in interval)
        ):
            raise ScheduleError(SCHEDULE_BAD_INTERVAL.format(day=label, interval=interval))
        try:
            start, end = _minutes(interval[0]), _minutes(interval[1])
        except ValueError:
            raise ScheduleError(SCHEDULE_BAD_INTERVAL.format(day=label, interval="-".join(interval))) from None
        if start >= 24 * 60:
            raise ScheduleError(SCHEDULE_BAD_INTERVAL.format(day=label, interval="-".join(interval)))
        if start == end:
            raise ScheduleError(SCHEDULE_EMPTY_INTERVAL.format(day=label, interval="-".join(interval)))
        spans.append((start, end if end > start else end + 24 * 60, list(interval)))
    spans.sort()
    for (_start_a, end_a, _text_a), (start_b, _end_b, _text_b) in zip(spans, spans[1:], strict=False):
        if start_b < end_a:
            raise ScheduleError(SCHEDULE_OVERLAP.format(day=label))
    return [s[2] for s in spans]


def parse_schedule_text(text: str) -> dict[str, list[list[str]]]:
    """ "06:00-22:00" for every day, or "mon-fri 06:00-20:00; sat,sun 08:00-18:00" (used by forms and
    the spreadsheet import)."""
    text = (text or "").strip().replace("，", ",").replace("；", ";").replace("－", "-").replace("—", "-")
    if not text:
        return {}
    schedule: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        words = part.split()
        days = list(WEEKDAYS)
        if len(words) == 2:
            days = _parse_days(words[0])
            words = words[1:]
        if len(words) != 1:
            raise ScheduleError(SCHEDULE_BAD_INTERVAL.format(day=part, interval=part))
        for span in words[0].split(","):
            bounds = span.split("-")
            if len(bounds) != 2:
                raise ScheduleError(SCHEDULE_BAD_INTERVAL.format(day=part, interval=span))
            for day in days:
                schedule.setdefault(day, []).append([bounds[0], bounds[1]])
    return validate_schedule(schedule)


def _parse_days(text: str) -> list[str]:
    days: list[str] = []
    for item in text.lower().split(","):
        if "-" in item:
            first, last = item.split("-", 1)
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise ScheduleError(SCHEDULE_UNKNOWN_DAY.format(day=item))
            i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
            days.extend(WEEKDAYS[i : j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[: j + 1])
        elif item in WEEKDAYS:
            days.append(item)
        else:
            raise ScheduleError(SCHEDULE_UNKNOWN_DAY.format(day=item))
    return days


def schedule_text(schedule: dict[str, list[list[str]]]) -> str:
    """The inverse of parse_schedule_text, grouping days with the same hours."""
    groups: list[tuple[list[str], str]] = []
    for day in WEEKDAYS:
        spans = ",".join(f"{a}-{b}" for a, b in schedule.get(day, []))
        if not spans:
            continue
        if groups and groups[-1][1] == spans and WEEKDAYS.index(groups[-1][0][-1]) == WEEKDAYS.index(day) - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], spans))
    if len(groups) == 1 and len(groups[0][0]) == 7:
        return groups[0][1]
    parts = []
    for days, spans in groups:
        label = days[0] if len(days) == 1 else f"{days[0]}-{days[-1]}"
        parts.append(f"{label} {spans}")
    return "; ".join(parts)


@dataclass(frozen=True)
class HoursOverride:
    """A dated override: closed, or open with other intervals, on [start, end] (inclusive)."""

    start: date
    end: date
    closed: bool
    intervals: list[list[str]]


def _intervals_on(
    day: date, schedule: dict, exceptions: list[HoursOverride], always_open: bool
) -> list[tuple[int, int]]:
    """Minute spans [start, end) of `day`, end possibly past 24:00 for overnight spans."""
    for exc in exceptions:
        if exc.start <= day <= exc.end:
            if exc.closed:
                return []
            return [
                (_minutes(a), _minutes(b) if _minutes(b) > _minutes(a) else _minutes(b) + 1440)
                for a, b in exc.intervals
            ]
    if always_open:
        return [(0, 1440)]
    spans = schedule.get(WEEKDAYS[day.weekday()], [])
    return [(_minutes(a), _minutes(b) if _minutes(b) > _minutes(a) else _minutes(b) + 1440) for a, b in spans]


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    closes_at: datetime | None  # when open: the end of the current span (None when open round the clock)
    opens_at: datetime | None  # when closed: the next opening within a week (None if none)


def opening_status(
    *, at: datetime, schedule: dict, exceptions: list[HoursOverride], always_open: bool, operating: bool
) -> OpeningStatus:
    """Whether a position is open at `at` (any tz; evaluated in Asia/Shanghai)."""
    if not operating:
        return OpeningStatus(False, None, None)
    local = at.astimezone(SHANGHAI)
    today = local.date()
    now = local.hour * 60 + local.minute + local.second / 60
    # Spans of yesterday that run past midnight, shifted onto today's clock.
    yesterday = [
        (s - 1440, e - 1440) for s, e in _intervals_on(today - timedelta(days=1), schedule, exceptions, always_open)
    ]
    spans = sorted([sp for sp in yesterday if sp[1] > 0] + _intervals_on(today, schedule, exceptions, always_open))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        if start <= now < end:
            if always_open and not exceptions:
                return OpeningStatus(True, None, None)
            closes = _closing_after(today, end, schedule, exceptions, always_open)
            return OpeningStatus(True, closes, None)
    for offset in range(0, 8):
        day = today + timedelta(days=offset)
        for start, _end in sorted(_intervals_on(day, schedule, exceptions, always_open)):
            opening = datetime.combine(day, time.min, tzinfo=SHANGHAI) + timedelta(minutes=start)
            if opening > local:
                return OpeningStatus(False, None, opening)
    return OpeningStatus(False, None, None)


def _closing_after(today: date, end: int, schedule, exceptions, always_open) -> datetime | None:
    """The end of an open span, following spans that continue into the next days (up to a week)."""
    base = datetime.combine(today, time.min, tzinfo=SHANGHAI)
    for offset in range(1, 8):
        if end < offset * 1440:
            break
        continued = False
        # In start order, so that touching spans of that day (06:00–09:00, 09:00–12:00) chain on.
        for start, stop in sorted(_intervals_on(today + timedelta(days=offset), schedule, exceptions, always_open)):
            if start <= end - offset * 1440:
                end = max(end, stop + offset * 1440)
                continued = True
        if not continued:
            break
    else:
        return None
    return base + timedelta(minutes=end)
