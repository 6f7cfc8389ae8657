"""Opening hours (spec §2): a weekly schedule, dated exceptions, "24 h", and whether a position is
open at a moment, computed in Asia/Shanghai.

A weekly schedule maps weekday keys (mon … sun) to lists of [start, end] "HH:MM" intervals; an end
at or before its start runs past midnight into the next day (a night shift 20:00–06:00).

Hours are one of three things: round the clock (`always_open`), a weekly schedule, or unknown —
neither, "to be verified" (issue 14 §4). Unknown hours are never shown or counted as closed:
`opening_status` says `unknown` and the pages say 开放时间待核实. `read_hours` reads hours as
registries write them (`周一至周五 08:30-12:00,13:00-17:30`, `早8点至晚8点`, `24小时`) and gives
what it cannot read in full back as unknown, with the text, never as a guess.
"""

from __future__ import annotations

import re
import unicodedata
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


# --- hours as registries write them (issue 14 §4) ------------------------------------------------

HOURS_ROUND_THE_CLOCK_WORD = _("“{word}”读作 24 小时开放，请核实")
HOURS_HOLIDAYS_NOT_READ = _("节假日的安排未读入：节假日另有安排的，请登记为开放时间例外")


@dataclass(frozen=True)
class HoursReading:
    """What a text says about a position's hours: round the clock, a weekly schedule, or neither
    (unknown); `unreadable` holds the text when it could not be read in full, `notes` what was
    read with a caveat (Chinese, for an import's warnings)."""

    schedule: dict[str, list[list[str]]]
    always_open: bool = False
    unreadable: str = ""
    notes: tuple[str, ...] = ()

    @property
    def unknown(self) -> bool:
        return hours_unknown(always_open=self.always_open, schedule=self.schedule)


def read_hours(text: str) -> HoursReading:
    """Read opening hours as people write them: the form's own syntax (`parse_schedule_text`) or the
    common Chinese forms — full-width digits and dashes; 至/到/~/—; 每天, 工作日, 周末, 周一至周五,
    周一、三、五; 上午/下午/早/晚/凌晨/中午, 8点半, 次日; 24小时 and 全天 (round the clock); 休息 for days
    closed; 节假日 noted (not modelled: exceptions are). A text is read in full or not at all: any
    part not understood, days without hours (工作日开放), times out of range or overlapping give
    an unreadable reading (unknown hours, the text kept), never a partial or a closed schedule."""
    stripped = (text or "").strip()
    if not stripped:
        return HoursReading({})
    try:
        schedule = parse_schedule_text(stripped)
    except (ScheduleError, ValueError):
        pass
    else:
        if schedule:
            return HoursReading(schedule)
    try:
        return _read_written(stripped)
    except _Unreadable:
        return HoursReading({}, unreadable=stripped)


class _Unreadable(Exception):
    pass


_CN_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_NUMBER = "[零〇一二两三四五六七八九十]{1,3}"
_NUMBER = rf"(?:\d{{1,2}}|{_CN_NUMBER})"
_PERIOD = "凌晨|清晨|早上|早晨|上午|中午|午间|下午|午后|傍晚|晚上|晚间|夜间|夜里|早|晚"
_AFTERNOON = frozenset(("下午", "午后", "傍晚", "晚上", "晚间", "夜间", "夜里", "晚"))
_NIGHT = frozenset(("晚上", "晚间", "夜间", "夜里", "晚"))
_NOON = frozenset(("中午", "午间"))
_DASH = "(?:[-~〜—–―‐‑‒−]+|至|到)"


def _time(tag: str) -> str:
    """A time of day: 8:30, 8.30, 08:30, 8点, 8点半, 8点30分, 八点, 下午2点, 次日6:00."""
    return (
        rf"(?P<next{tag}>次日|翌日|第二天|隔天)?\s*(?P<period{tag}>{_PERIOD})?\s*(?P<hour{tag}>{_NUMBER})"
        rf"(?:\s*[:.]\s*(?P<min{tag}>\d{{2}})"
        rf"|\s*(?P<unit{tag}>[点时])(?P<half{tag}>半|整)?(?:(?P<cmin{tag}>\d{{1,2}}|{_CN_NUMBER})分?)?)?"
    )


_DAY_CHAR = "[一二三四五六日天七1-7]"
_DAY_PREFIX = "(?:周|星期|礼拜)"
# After a day: not a time unit (周一至五点 is no day), and a digit day not followed by what makes it
# an hour (周1-5:00).
_DAY_END = r"(?![点时半])(?!(?<=[1-7])[\d:.])"
# A day named alone in a list (周一、三、五): not the hour of a time in Chinese numerals (三点).
_NOT_TIME = r"(?![点时半零〇一二两三四五六七八九十])"
_DAY_INDEX = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6, "七": 6} | {str(i + 1): i for i in range(7)}
_ASCII_DAY = "mon|tue|wed|thu|fri|sat|sun"
_ALL_DAYS = frozenset(WEEKDAYS)
_DAY_WORDS = {
    "全年无休": _ALL_DAYS, "全年": _ALL_DAYS, "每天": _ALL_DAYS, "每日": _ALL_DAYS, "天天": _ALL_DAYS,
    "全周": _ALL_DAYS, "七天": _ALL_DAYS, "工作日": frozenset(WEEKDAYS[:5]), "周末": frozenset(WEEKDAYS[5:]),
    "双休日": frozenset(WEEKDAYS[5:]), "休息日": frozenset(WEEKDAYS[5:]), "公休日": frozenset(WEEKDAYS[5:]),
}  # fmt: skip
_ROUND_THE_CLOCK_NOTED = ("全天", "全日")
_TOKENS = [
    ("always", re.compile(r"24\s*小时|二十四\s*小时|24\s*h(?:ours?)?|全天候|全天|全日|7\s*[x×*]\s*24(?:\s*小时)?")),
    ("span", re.compile(_time("a") + rf"\s*{_DASH}\s*" + _time("b"))),
    ("range", re.compile(
        rf"{_DAY_PREFIX}(?P<first>{_DAY_CHAR})\s*(?:至|到|[-~—–])\s*{_DAY_PREFIX}?(?P<last>{_DAY_CHAR}){_DAY_END}"
    )),
    ("several", re.compile(rf"{_DAY_PREFIX}(?P<days>[一二三四五六日天七]{{2,7}})(?![点时半至到\-~—–])")),
    ("day", re.compile(rf"{_DAY_PREFIX}(?P<day>{_DAY_CHAR}){_DAY_END}")),
    ("ascii", re.compile(rf"(?P<first>{_ASCII_DAY})(?:\s*-\s*(?P<last>{_ASCII_DAY}))?")),
    ("words", re.compile("|".join(sorted(_DAY_WORDS, key=len, reverse=True)))),
    ("holiday", re.compile(
        r"(?:法定)?(?:节假日|节日|假日|假期)(?:除外|不休息?|无休|照常开放|照常|正常开放|休息|闭馆|不开放)?"
    )),
    ("closed", re.compile(r"休息|闭馆|休馆|闭站|不开放|关闭|不营业|休业|停止开放|闭门")),
    ("filler", re.compile(
        r"开放时间|营业时间|服务时间|办公时间|工作时间|对外开放|开放|营业|服务|办公|时间|时段"
        r"|均|都|为|是|从|自|起|每|正常|照常"
    )),
    ("bare", re.compile(rf"(?P<day>[一二三四五六日天七]){_NOT_TIME}")),
    ("separator", re.compile(r"(?:[\s,;、/|\\。.()\[\]【】<>《》\"'“”‘’&+:]|以及|及|和|与)+")),
]  # fmt: skip


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 2 and text[0] in "零〇":
        text = text[1]  # 八点零五分
    try:
        if "十" in text:
            tens, _sep, ones = text.partition("十")
            if len(tens) > 1 or len(ones) > 1:
                raise _Unreadable
            return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
        if len(text) != 1:
            raise _Unreadable
        return _CN_DIGITS[text]
    except KeyError:
        raise _Unreadable from None


def _clock(match: re.Match, tag: str) -> tuple[int, bool, str, bool]:
    """(minutes from midnight, whether the text marks it as a time, its period word, next day)."""
    period = match[f"period{tag}"] or ""
    hour = _number(match[f"hour{tag}"])
    if match[f"min{tag}"] is not None:
        minute = int(match[f"min{tag}"])
    elif match[f"half{tag}"] == "半":
        if match[f"cmin{tag}"]:
            raise _Unreadable
        minute = 30
    elif match[f"cmin{tag}"]:
        minute = _number(match[f"cmin{tag}"])
    else:
        minute = 0
    if minute > 59 or hour > 24:
        raise _Unreadable
    if period in _NIGHT and hour == 12:
        hour = 24  # 晚上12点: midnight, the end of the day
    elif (period in _AFTERNOON and hour < 12) or (period in _NOON and 1 <= hour <= 3):
        hour += 12  # 下午2点, 晚8点, 中午1点
    elif period == "凌晨" and hour == 12:
        hour = 0
    marked = bool(match[f"min{tag}"] is not None or match[f"unit{tag}"] or period)
    return hour * 60 + minute, marked, period, bool(match[f"next{tag}"])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(match: re.Match) -> list[str]:
    start, start_marked, start_period, _ = _clock(match, "a")
    end, end_marked, end_period, next_day = _clock(match, "b")
    if not (start_marked or end_marked) or start >= 1440 or end > 1440:
        raise _Unreadable
    if not end_period and not next_day and start_period in _AFTERNOON | _NOON and end < 720:
        later = end + 720  # 下午2点-5点: the end keeps the start's afternoon
        if start < later <= 1440:
            end = later
    if end == start or (next_day and end > start):
        raise _Unreadable
    return [_hhmm(start), _hhmm(end)]


def _tokens(text: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    position, last = 0, ""
    while position < len(text):
        for kind, pattern in _TOKENS:
            match = pattern.match(text, position)
            if match is None or match.end() == position or (kind == "bare" and last != "days"):
                continue
            break
        else:
            raise _Unreadable
        position = match.end()
        if kind == "separator":
            continue
        if kind == "span":
            tokens.append(("span", _span(match)))
        elif kind == "always":
            word = match.group()
            tokens.append(("always", ["00:00", "24:00"]))
            if word in _ROUND_THE_CLOCK_NOTED:
                tokens.append(("note", HOURS_ROUND_THE_CLOCK_WORD.format(word=word)))
        elif kind == "range":
            first, last_day = _DAY_INDEX[match["first"]], _DAY_INDEX[match["last"]]
            if last_day < first:
                raise _Unreadable
            tokens.append(("days", frozenset(WEEKDAYS[first : last_day + 1])))
        elif kind == "ascii":
            first = WEEKDAYS.index(match["first"])
            final = WEEKDAYS.index(match["last"]) if match["last"] else first
            days = WEEKDAYS[first : final + 1] if first <= final else WEEKDAYS[first:] + WEEKDAYS[: final + 1]
            tokens.append(("days", frozenset(days)))
        elif kind == "several":
            tokens.append(("days", frozenset(WEEKDAYS[_DAY_INDEX[c]] for c in match["days"])))
        elif kind in ("day", "bare"):
            tokens.append(("days", frozenset((WEEKDAYS[_DAY_INDEX[match["day"]]],))))
        elif kind == "words":
            tokens.append(("days", _DAY_WORDS[match.group()]))
        elif kind == "holiday":
            # 节假日除外, 节假日休息: a word on holidays, not a day of the week (noted, not read).
            said = match.group().lstrip("法定").removeprefix("节假日").removeprefix("节日").removeprefix("假日")
            tokens.append(("holiday", said.removeprefix("假期")))
        elif kind == "closed":
            tokens.append(("closed", None))
        last = tokens[-1][0] if kind != "filler" else last
    return tokens


def _read_written(text: str) -> HoursReading:
    tokens = _tokens(unicodedata.normalize("NFKC", text).lower())
    notes: list[str] = []
    groups: list[dict] = []  # in order: days (None: every day), spans, closed, holidays named
    group: dict | None = None
    # 24小时 or 全天 said of every day is round the clock; times that happen to cover every day
    # (00:00-24:00) stay a schedule, as they were written.
    words_only = True
    for kind, value in tokens:
        if kind == "note" or (kind == "holiday" and value):
            notes.append(str(value if kind == "note" else HOURS_HOLIDAYS_NOT_READ))
            continue
        if kind in ("days", "holiday"):
            if group is None or group["spans"] or group["closed"]:
                group = {"days": set(), "holiday": False, "spans": [], "closed": False}
                groups.append(group)
            if kind == "days":
                group["days"] |= value
            else:
                group["holiday"] = True
                notes.append(str(HOURS_HOLIDAYS_NOT_READ))
        elif kind in ("span", "always"):
            words_only = words_only and kind == "always"
            if group is None:
                group = {"days": None, "holiday": False, "spans": [], "closed": False}
                groups.append(group)
            group["spans"].append(value)
        elif kind == "closed":
            if group is None or group["spans"] or (not group["days"] and not group["holiday"]):
                raise _Unreadable
            group["closed"] = True
    schedule: dict[str, list[list[str]]] = {}
    for group in groups:
        if bool(group["spans"]) == group["closed"]:
            raise _Unreadable  # days without hours (工作日开放), or hours said to be closed
        days = WEEKDAYS if group["days"] is None else [d for d in WEEKDAYS if d in group["days"]]
        for day in days:
            schedule[day] = [list(span) for span in group["spans"]]
    try:
        schedule = validate_schedule(schedule)
    except ScheduleError:
        raise _Unreadable from None
    if not schedule:
        raise _Unreadable
    notes = tuple(dict.fromkeys(notes))
    if words_only and len(schedule) == 7 and all(spans == [["00:00", "24:00"]] for spans in schedule.values()):
        return HoursReading({}, always_open=True, notes=notes)
    return HoursReading(schedule, notes=notes)


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
    # Not open, and not known to be closed: the weekly hours are unknown and no dated exception
    # says what today is (pages show 开放时间待核实, never 已关闭).
    unknown: bool = False


def hours_unknown(*, always_open: bool, schedule) -> bool:
    """Whether a position's hours are unknown, to be verified (issue 14 §4): neither open round the
    clock nor any span in its weekly schedule. Such a position is never taken for closed."""
    return not always_open and not any((schedule or {}).values())


def opening_status(
    *, at: datetime, schedule: dict, exceptions: list[HoursOverride], always_open: bool, operating: bool
) -> OpeningStatus:
    """Whether a position is open at `at` (any tz; evaluated in Asia/Shanghai)."""
    if not operating:
        return OpeningStatus(False, None, None)
    local = at.astimezone(SHANGHAI)
    today = local.date()
    # Unknown weekly hours say nothing about today unless a dated exception covers it.
    unknown = hours_unknown(always_open=always_open, schedule=schedule) and not any(
        exc.start <= today <= exc.end for exc in exceptions
    )
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
                return OpeningStatus(False, None, opening, unknown)
    return OpeningStatus(False, None, None, unknown)


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
