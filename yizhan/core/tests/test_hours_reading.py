"""Reading opening hours as registries write them (issue 14 §4): a table of real-world strings,
Hypothesis for every format the reader claims (a schedule written in it reads back as itself),
and any text at all read either as hours or as unknown with the text kept — never as closed."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from yizhan.core.hours import (
    HOURS_HOLIDAYS_NOT_READ,
    WEEKDAYS,
    HoursOverride,
    HoursReading,
    hours_unknown,
    opening_status,
    read_hours,
    validate_schedule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_DAY = WEEKDAYS
WORKDAYS = WEEKDAYS[:5]
WEEKEND = WEEKDAYS[5:]


def days(which, *spans: tuple[str, str]) -> dict:
    return {day: [list(span) for span in spans] for day in which}


def week(workdays: tuple[str, str], weekend: tuple[str, str]) -> dict:
    return {**days(WORKDAYS, workdays), **days(WEEKEND, weekend)}


HOLIDAYS = (str(HOURS_HOLIDAYS_NOT_READ),)


# Strings from real registries (issue 14 §4 and other cities' published lists) and what they say.
REAL = [
    ("24小时", HoursReading({}, always_open=True)),
    ("周一至周五 09:00-17:00", HoursReading(days(WORKDAYS, ("09:00", "17:00")))),
    (
        "周一至周五 08:30-12:00,13:00-17:30",
        HoursReading(days(WORKDAYS, ("08:30", "12:00"), ("13:00", "17:30"))),
    ),
    ("08:00-12:00,14:00-16:00", HoursReading(days(EVERY_DAY, ("08:00", "12:00"), ("14:00", "16:00")))),
    ("7:00～21:00", HoursReading(days(EVERY_DAY, ("07:00", "21:00")))),
    ("8:00—20:00", HoursReading(days(EVERY_DAY, ("08:00", "20:00")))),
    ("早8点至晚8点", HoursReading(days(EVERY_DAY, ("08:00", "20:00")))),
    ("24小时开放", HoursReading({}, always_open=True)),
    ("7×24小时", HoursReading({}, always_open=True)),
    ("全年无休 24小时", HoursReading({}, always_open=True)),
    ("每天 6:00-22:00", HoursReading(days(EVERY_DAY, ("06:00", "22:00")))),
    ("每日 6:00-22:00，周一闭馆", HoursReading(days(WEEKDAYS[1:], ("06:00", "22:00")))),
    ("周一至周五 ９：００－１７：３０", HoursReading(days(WORKDAYS, ("09:00", "17:30")))),
    ("开放时间：周一至周五8:30-17:30", HoursReading(days(WORKDAYS, ("08:30", "17:30")))),
    ("工作日 8:30-17:30；周末 9:00-16:00", HoursReading(week(("08:30", "17:30"), ("09:00", "16:00")))),
    ("周一、三、五 9:00-17:00", HoursReading(days(("mon", "wed", "fri"), ("09:00", "17:00")))),
    ("周六日 9:00-12:00", HoursReading(days(WEEKEND, ("09:00", "12:00")))),
    ("星期一至星期日 7:00-19:00", HoursReading(days(EVERY_DAY, ("07:00", "19:00")))),
    ("周一至五 8:00-18:00", HoursReading(days(WORKDAYS, ("08:00", "18:00")))),
    ("上午8:30-11:30，下午14:30-17:30", HoursReading(days(EVERY_DAY, ("08:30", "11:30"), ("14:30", "17:30")))),
    ("上午8:30-11:30 下午2:30-5:30", HoursReading(days(EVERY_DAY, ("08:30", "11:30"), ("14:30", "17:30")))),
    ("下午2点-5点", HoursReading(days(EVERY_DAY, ("14:00", "17:00")))),
    ("早上六点到晚上十点", HoursReading(days(EVERY_DAY, ("06:00", "22:00")))),
    ("周一至周五八点至十七点半", HoursReading(days(WORKDAYS, ("08:00", "17:30")))),
    ("6点到22点", HoursReading(days(EVERY_DAY, ("06:00", "22:00")))),
    ("9-17点", HoursReading(days(EVERY_DAY, ("09:00", "17:00")))),
    ("凌晨4点至晚上12点", HoursReading(days(EVERY_DAY, ("04:00", "24:00")))),
    ("晚8点-次日6点", HoursReading(days(EVERY_DAY, ("20:00", "06:00")))),
    ("周五12:00-14:00", HoursReading(days(("fri",), ("12:00", "14:00")))),
    ("周一至周五 24小时，周末 9:00-17:00", HoursReading(week(("00:00", "24:00"), ("09:00", "17:00")))),
    ("周一至周五 9:00-17:00，周末休息", HoursReading(days(WORKDAYS, ("09:00", "17:00")))),
    ("mon-fri 06:00-20:00; sat,sun 08:00-18:00", HoursReading(week(("06:00", "20:00"), ("08:00", "18:00")))),
    ("Mon-Fri 6:00-20:00", HoursReading(days(WORKDAYS, ("06:00", "20:00")))),
    # Read, with a caveat the import shows as a warning.
    ("全天", HoursReading({}, always_open=True, notes=("“全天”读作 24 小时开放，请核实",))),
    ("周末及节假日 9:00-17:00", HoursReading(days(WEEKEND, ("09:00", "17:00")), notes=HOLIDAYS)),
    ("早8点至晚8点（法定节假日除外）", HoursReading(days(EVERY_DAY, ("08:00", "20:00")), notes=HOLIDAYS)),
]
# What cannot be read in full: unknown, the text kept; never a guess, never closed.
UNREADABLE = [
    "工作日开放",
    "全年开放",
    "周一至周五",
    "有人值守时开放",
    "节假日 9:00-12:00",
    "8:00-20:00（夏季）",
    "夏季8:00-20:00，冬季8:30-17:30",
    "9-17",
    "25:00-26:00",
    "08:00-12:00,11:00-13:00",
    "周一至五点",
    "9:00-9:00",
    "8:00-次日9:00",
    "周一 休息",
    "营业中",
    "请电话预约",
    "—",
]


@pytest.mark.parametrize(("text", "reading"), REAL, ids=[text for text, _reading in REAL])
def test_real_world_strings_read_as_they_say(text, reading):
    assert read_hours(text) == reading


@pytest.mark.parametrize("text", UNREADABLE)
def test_what_cannot_be_read_is_unknown_with_its_text(text):
    reading = read_hours(f"  {text} ")
    assert reading == HoursReading({}, unreadable=text)
    assert reading.unknown


def test_empty_text_is_no_hours_at_all():
    assert read_hours("") == read_hours("  ") == HoursReading({})
    assert read_hours("").unknown


# --------------------------------------------------------------------------- Hypothesis


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_spans(draw) -> list[list[str]]:
    """Non-overlapping spans of one day, possibly touching, the last one possibly past midnight."""
    spans, cursor = [], 0
    for _ in range(draw(st.integers(1, 3))):
        start = cursor + draw(st.sampled_from([0, 30, 60, 240]) | st.integers(0, 720))
        end = start + draw(st.sampled_from([30, 60, 360]) | st.integers(1, 720))
        if end > 1440:
            break
        spans.append([start, end])
        cursor = end
    if spans and spans[-1][0] > 0 and draw(st.booleans()):
        spans[-1][1] = draw(st.integers(0, spans[-1][0] - 1))  # ends at or before it starts: next day
    return [[_hhmm(a), _hhmm(b)] for a, b in spans]


schedules = st.dictionaries(st.sampled_from(WEEKDAYS), day_spans(), min_size=1, max_size=7).map(validate_schedule)

CN = dict(zip(WEEKDAYS, "一二三四五六日", strict=True))
CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _clock(minutes: int, style: str, draw, *, period: bool) -> str:
    hour, minute = divmod(minutes, 60)
    prefix = ""
    if period:
        if hour == 24:
            prefix, hour = draw(st.sampled_from(["晚上", "晚"])), 12
        elif hour < 6:
            prefix = "凌晨"
        elif hour < 12:
            prefix = draw(st.sampled_from(["上午", "早上", "早"]))
        elif hour == 12:
            prefix = "中午"
        elif hour < 18:
            prefix, hour = "下午", hour - 12
        else:
            prefix, hour = draw(st.sampled_from(["晚上", "晚"])), hour - 12
    if style == "hh:mm":
        text = f"{hour:02d}:{minute:02d}"
    elif style == "h:mm":
        text = f"{hour}:{minute:02d}"
    elif style == "h.mm":
        text = f"{hour}.{minute:02d}"
    elif style in ("点", "cn"):
        number = (lambda n: str(n)) if style == "点" else _cn_number
        if minute == 0:
            text = f"{number(hour)}{draw(st.sampled_from(['点', '时', '点整']))}"
        elif minute == 30 and draw(st.booleans()):
            text = f"{number(hour)}点半"
        elif style == "cn":
            text = f"{_cn_number(hour)}点{('零' + CN_DIGITS[minute]) if minute < 10 else _cn_number(minute)}分"
        else:
            text = f"{hour}点{minute}{draw(st.sampled_from(['分', '']))}"
    return prefix + text


def _day_label(group: list[str], draw, *, alone: bool) -> str:
    if len(group) == 7:
        return draw(st.sampled_from(["每天", "每日", "周一至周日", "星期一至星期日", "全周"] + ([""] if alone else [])))
    if group == list(WORKDAYS):
        return draw(st.sampled_from(["工作日", "周一至周五", "周一到周五", "星期一至星期五", "周一-周五", "周一至五"]))
    if group == list(WEEKEND):
        return draw(
            st.sampled_from(["周末", "双休日", "周六至周日", "周六日", "周六、日", "周六、周日", "星期六、星期日"])
        )
    if len(group) == 1:
        word = draw(st.sampled_from(["周", "星期", "礼拜"]))
        return word + (draw(st.sampled_from(["日", "天"])) if group[0] == "sun" else CN[group[0]])
    if draw(st.booleans()):
        return f"周{CN[group[0]]}{draw(st.sampled_from(['至', '到', '-', '~']))}周{CN[group[-1]]}"
    return "周" + "、".join(CN[day] for day in group)


def _groups(schedule: dict) -> list[tuple[list[str], list[list[str]]]]:
    """Runs of consecutive days (Monday to Sunday) with the same spans."""
    groups: list[tuple[list[str], list[list[str]]]] = []
    for day in WEEKDAYS:
        spans = schedule.get(day)
        if not spans:
            continue
        previous = groups[-1] if groups else None
        if previous and previous[1] == spans and WEEKDAYS.index(previous[0][-1]) == WEEKDAYS.index(day) - 1:
            previous[0].append(day)
        else:
            groups.append(([day], spans))
    return groups


FULL_WIDTH = str.maketrans("0123456789:-~,;", "０１２３４５６７８９：－～，；")


@st.composite
def written(draw) -> tuple[dict, str]:
    """A schedule and the way a registry might write it: days as 每天/工作日/周末/周一至周五/周一、三、五,
    times as 08:30, 8:30, 8.30, 8点半, 八点半 or 上午8:30/下午2点, dashes -/~/～/—/至/到, spans and groups
    separated by commas, semicolons, 、, spaces or new lines, and perhaps in full-width digits."""
    schedule = draw(schedules)
    style = draw(st.sampled_from(["hh:mm", "h:mm", "h.mm", "点", "cn"]))
    period = draw(st.booleans())
    groups = _groups(schedule)
    group_separator = draw(st.sampled_from(["；", ";", "，", ",", " ", "\n", "。", "; "]))
    span_separator = draw(st.sampled_from([",", "，", "、", " ", "/", ", "]))
    parts = []
    for days_of_group, spans in groups:
        label = _day_label(days_of_group, draw, alone=len(groups) == 1)
        written_spans = []
        for start, end in spans:
            start_m = int(start[:2]) * 60 + int(start[3:])
            end_m = int(end[:2]) * 60 + int(end[3:])
            overnight = end_m <= start_m
            dash = draw(st.sampled_from(["-", "~", "～", "—", "–", "至", "到", " - ", "－"]))
            end_text = _clock(end_m, style, draw, period=period)
            if overnight and draw(st.booleans()):
                end_text = "次日" + end_text
            written_spans.append(_clock(start_m, style, draw, period=period) + dash + end_text)
        # Hours in Chinese numerals need a break after a list of days (周二、三 一点 is not 周二、三一点).
        breaks = [" ", "：", ": "] if style == "cn" else ["", " ", "：", ": "]
        between = draw(st.sampled_from(breaks)) if label else ""
        parts.append(label + between + span_separator.join(written_spans))
    text = group_separator.join(parts)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return schedule, text


@settings(max_examples=600, deadline=None)
@example(written=({"mon": [["00:00", "24:00"]]}, "周一 凌晨0点至晚上12点"))
@example(written=({"fri": [["12:00", "14:00"]]}, "周五12:00-14:00"))
@example(written=({"sat": [["14:00", "17:00"]], "sun": [["14:00", "17:00"]]}, "周六、日 下午2点-下午5点"))
@given(written())
def test_a_schedule_written_in_a_claimed_format_reads_back_as_itself(written):
    schedule, text = written
    reading = read_hours(text)
    assert reading.unreadable == "", text
    assert (reading.schedule, reading.always_open) == (schedule, False), text


# Characters registries use, so that random text often looks like hours.
HOURS_ALPHABET = st.sampled_from(
    list("0123456789:：-~～—至到点时半分上下午早晚凌晨中次日周一二三四五六日天末工作节假休息闭馆开放全小")
    + list(",，;；、 \n()（）")
    + ["24小时", "全天", "周一至周五", "工作日", "周末", "节假日", "上午", "下午", "8:00", "12:00", "20:00"]
)


@settings(max_examples=1500, deadline=None)
@example("工作日开放")
@example("周一 休息")
@example("节假日 休息")
@example("休息")
@given(st.one_of(st.text(max_size=40), st.lists(HOURS_ALPHABET, max_size=12).map("".join)))
def test_any_text_reads_as_hours_or_unknown_never_as_closed(text):
    """Whatever a cell holds: round the clock, a valid schedule with at least one span (so some
    time is open), or unknown hours with the text kept. Never an empty reading that claims to
    know (which would show the station as closed), never an exception."""
    reading = read_hours(text)
    if reading.always_open:
        assert reading.schedule == {} and reading.unreadable == ""
    elif reading.schedule:
        assert validate_schedule(reading.schedule) == reading.schedule
        assert any(reading.schedule.values())
        assert reading.unreadable == ""
    else:
        assert reading.unknown
        assert reading.unreadable == text.strip()
    assert all(isinstance(note, str) and note for note in reading.notes)


def test_full_width_and_compatibility_forms_are_read_like_ascii():
    assert unicodedata.normalize("NFKC", "０８：００～２０：００") == "08:00~20:00"
    assert read_hours("０８：００～２０：００") == read_hours("08:00-20:00")


# --------------------------------------------------------------------------- unknown is not closed

MONDAY = date(2026, 6, 1)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_unknown_hours_are_neither_open_nor_closed():
    assert hours_unknown(always_open=False, schedule={})
    assert hours_unknown(always_open=False, schedule={"mon": []})
    assert not hours_unknown(always_open=True, schedule={})
    assert not hours_unknown(always_open=False, schedule={"mon": [["08:00", "12:00"]]})
    status = opening_status(at=_at(MONDAY, 10), schedule={}, exceptions=[], always_open=False, operating=True)
    assert (status.is_open, status.unknown, status.opens_at) == (False, True, None)
    # Known hours on a day they do not cover: closed, not unknown.
    known = opening_status(
        at=_at(MONDAY, 10), schedule={"tue": [["08:00", "12:00"]]}, exceptions=[], always_open=False, operating=True
    )
    assert (known.is_open, known.unknown) == (False, False)


def test_a_dated_exception_says_what_a_day_of_unknown_hours_is():
    closed_today = HoursOverride(MONDAY, MONDAY, True, [])
    status = opening_status(
        at=_at(MONDAY, 10), schedule={}, exceptions=[closed_today], always_open=False, operating=True
    )
    assert (status.is_open, status.unknown) == (False, False)
    open_today = HoursOverride(MONDAY, MONDAY, False, [["09:00", "17:00"]])
    status = opening_status(at=_at(MONDAY, 10), schedule={}, exceptions=[open_today], always_open=False, operating=True)
    assert (status.is_open, status.unknown) == (True, False)
    # The next day has no exception: unknown again, with the next known opening still given.
    later = opening_status(
        at=_at(MONDAY, 10) + timedelta(days=1),
        schedule={},
        exceptions=[HoursOverride(MONDAY + timedelta(days=2), MONDAY + timedelta(days=2), False, [["09:00", "17:00"]])],
        always_open=False,
        operating=True,
    )
    assert later.unknown and not later.is_open
    assert later.opens_at == _at(MONDAY + timedelta(days=2), 9)


def test_a_position_that_is_not_operating_is_not_open_and_not_unknown():
    status = opening_status(at=datetime.now(UTC), schedule={}, exceptions=[], always_open=False, operating=False)
    assert (status.is_open, status.unknown) == (False, False)
