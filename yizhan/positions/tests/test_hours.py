"""Opening hours (spec §2): schedules and their text form, and whether a position is open at a
moment in Asia/Shanghai, checked against a minute-by-minute evaluation written here."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from yizhan.core.hours import (
    SCHEDULE_BAD_INTERVAL,
    SCHEDULE_EMPTY_INTERVAL,
    SCHEDULE_NOT_A_MAPPING,
    SCHEDULE_OVERLAP,
    SCHEDULE_UNKNOWN_DAY,
    HoursOverride,
    OpeningStatus,
    ScheduleError,
    opening_status,
    parse_schedule_text,
    schedule_text,
    validate_schedule,
)
from yizhan.positions import rules
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import HoursExceptionFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY = date(2026, 6, 1)  # a Monday
WEEKDAYS_6_TO_20 = {day: [["06:00", "20:00"]] for day in DAYS[:5]}


def at(day: date, hhmm: str, days: int = 0) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=SHANGHAI) + timedelta(days=days)


def status(when: datetime, schedule=None, *, exceptions=(), always_open=False, operating=True) -> OpeningStatus:
    return opening_status(
        at=when, schedule=schedule or {}, exceptions=list(exceptions), always_open=always_open, operating=operating
    )


# --------------------------------------------------------------------------- schedules and text


def test_validate_orders_days_and_intervals():
    schedule = {"sun": [["08:00", "12:00"]], "mon": [["14:00", "18:00"], ["06:00", "12:00"]], "tue": []}
    assert validate_schedule(schedule) == {"mon": [["06:00", "12:00"], ["14:00", "18:00"]], "sun": [["08:00", "12:00"]]}
    assert validate_schedule({}) == {}
    # Touching spans, midnight as "24:00", and a night shift are all valid.
    night = {"mon": [["00:00", "06:00"], ["06:00", "12:00"], ["20:00", "24:00"]], "tue": [["20:00", "06:00"]]}
    assert validate_schedule(night) == night


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (["mon", "06:00-12:00"], str(SCHEDULE_NOT_A_MAPPING)),
        ("06:00-12:00", str(SCHEDULE_NOT_A_MAPPING)),
        ({"monday": [["06:00", "12:00"]]}, SCHEDULE_UNKNOWN_DAY.format(day="monday")),
        ({"mon": "06:00-12:00"}, SCHEDULE_BAD_INTERVAL.format(day="周一", interval="06:00-12:00")),
        ({"mon": [["6:00", "12:00"]]}, SCHEDULE_BAD_INTERVAL.format(day="周一", interval="6:00-12:00")),
        ({"tue": [["06:00", "25:00"]]}, SCHEDULE_BAD_INTERVAL.format(day="周二", interval="06:00-25:00")),
        ({"wed": [["06:00", "12:60"]]}, SCHEDULE_BAD_INTERVAL.format(day="周三", interval="06:00-12:60")),
        ({"thu": [["06:00"]]}, SCHEDULE_BAD_INTERVAL.format(day="周四", interval=["06:00"])),
        ({"fri": [[6, 12]]}, SCHEDULE_BAD_INTERVAL.format(day="周五", interval=[6, 12])),
        (
            {"sat": [["06:00", "12:00", "18:00"]]},
            SCHEDULE_BAD_INTERVAL.format(day="周六", interval=["06:00", "12:00", "18:00"]),
        ),
        ({"sun": [["06:00", "06:00"]]}, SCHEDULE_EMPTY_INTERVAL.format(day="周日", interval="06:00-06:00")),
        ({"mon": [["24:00", "24:00"]]}, SCHEDULE_BAD_INTERVAL.format(day="周一", interval="24:00-24:00")),
        ({"mon": [["06:00", "12:00"], ["11:59", "13:00"]]}, SCHEDULE_OVERLAP.format(day="周一")),
        ({"mon": [["20:00", "06:00"], ["22:00", "23:00"]]}, SCHEDULE_OVERLAP.format(day="周一")),
    ],
)
def test_bad_schedules_are_refused_with_the_reason(schedule, message):
    with pytest.raises(ScheduleError) as error:
        validate_schedule(schedule)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        ("", {}),
        ("   ", {}),
        ("06:00-22:00", {day: [["06:00", "22:00"]] for day in DAYS}),
        (
            "mon-fri 06:00-20:00; sat,sun 08:00-18:00",
            {**WEEKDAYS_6_TO_20, "sat": [["08:00", "18:00"]], "sun": [["08:00", "18:00"]]},
        ),
        # Full-width punctuation typed in Chinese input methods.
        (
            "MON-FRI 06:00－20:00；sat，sun 08:00—18:00",
            {**WEEKDAYS_6_TO_20, "sat": [["08:00", "18:00"]], "sun": [["08:00", "18:00"]]},
        ),
        ("fri-mon 20:00-06:00", {day: [["20:00", "06:00"]] for day in ("mon", "fri", "sat", "sun")}),
        ("wed 14:00-18:00,06:00-12:00", {"wed": [["06:00", "12:00"], ["14:00", "18:00"]]}),
    ],
)
def test_parse_schedule_text(text, schedule):
    assert parse_schedule_text(text) == schedule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("someday 06:00-12:00", SCHEDULE_UNKNOWN_DAY.format(day="someday")),
        ("mon-xyz 06:00-12:00", SCHEDULE_UNKNOWN_DAY.format(day="mon-xyz")),
        ("mon 06:00", SCHEDULE_BAD_INTERVAL.format(day="mon 06:00", interval="06:00")),
        ("06:00-12:00-18:00", SCHEDULE_BAD_INTERVAL.format(day="06:00-12:00-18:00", interval="06:00-12:00-18:00")),
        (
            "mon 06:00-12:00 extra",
            SCHEDULE_BAD_INTERVAL.format(day="mon 06:00-12:00 extra", interval="mon 06:00-12:00 extra"),
        ),
        ("mon 6:00-12:00", SCHEDULE_BAD_INTERVAL.format(day="周一", interval="6:00-12:00")),
        ("mon 06:00-12:00,11:00-13:00", SCHEDULE_OVERLAP.format(day="周一")),
    ],
)
def test_bad_schedule_text_is_refused(text, message):
    with pytest.raises(ScheduleError) as error:
        parse_schedule_text(text)
    assert str(error.value) == message


def test_schedule_text_groups_consecutive_days():
    assert schedule_text({}) == ""
    assert schedule_text({day: [["00:00", "24:00"]] for day in DAYS}) == "00:00-24:00"
    schedule = {**WEEKDAYS_6_TO_20, "sat": [["08:00", "12:00"], ["14:00", "18:00"]], "sun": [["06:00", "20:00"]]}
    assert schedule_text(schedule) == "mon-fri 06:00-20:00; sat 08:00-12:00,14:00-18:00; sun 06:00-20:00"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_spans(draw, max_spans: int = 3) -> list[list[str]]:
    """Non-overlapping spans of one day, possibly touching, the last one possibly running past midnight."""
    spans, cursor = [], 0
    for _ in range(draw(st.integers(0, max_spans))):
        start = cursor + draw(st.sampled_from([0, 0, 1, 30, 59, 60, 240]) | st.integers(0, 720))
        end = start + draw(st.sampled_from([1, 60, 360]) | st.integers(1, 720))
        if end > 1440:
            break
        spans.append([start, end])
        cursor = end
    if spans and spans[-1][0] > 0 and draw(st.booleans()):
        spans[-1][1] = draw(st.integers(0, spans[-1][0] - 1))  # ends at or before it starts: next day
    return [[_hhmm(a), _hhmm(b)] for a, b in spans]


schedules = st.dictionaries(st.sampled_from(DAYS), day_spans(), max_size=7)


@given(schedules)
def test_valid_schedules_survive_the_text_round_trip(schedule):
    clean = validate_schedule(schedule)
    assert validate_schedule(clean) == clean
    assert parse_schedule_text(schedule_text(clean)) == clean


# --------------------------------------------------------------------------- open now?


def test_open_inside_a_span_until_its_end():
    wednesday = MONDAY + timedelta(days=2)
    assert status(at(wednesday, "10:00"), WEEKDAYS_6_TO_20) == OpeningStatus(True, at(wednesday, "20:00"), None)
    assert status(at(wednesday, "06:00"), WEEKDAYS_6_TO_20).is_open
    # The end of a span is not inside it.
    assert status(at(wednesday, "20:00"), WEEKDAYS_6_TO_20) == OpeningStatus(False, None, at(wednesday, "06:00", 1))


def test_closed_outside_with_the_next_opening():
    wednesday = MONDAY + timedelta(days=2)
    assert status(at(wednesday, "05:59"), WEEKDAYS_6_TO_20) == OpeningStatus(False, None, at(wednesday, "06:00"))
    assert status(at(wednesday, "21:00"), WEEKDAYS_6_TO_20) == OpeningStatus(False, None, at(wednesday, "06:00", 1))
    friday = MONDAY + timedelta(days=4)
    # After the weekend.
    assert status(at(friday, "21:00"), WEEKDAYS_6_TO_20) == OpeningStatus(False, None, at(MONDAY, "06:00", 7))
    assert status(at(friday, "12:00", 1), WEEKDAYS_6_TO_20).opens_at == at(MONDAY, "06:00", 7)
    # Nothing in the week: no next opening, and hours unknown rather than closed (issue 14 §4).
    assert status(at(friday, "12:00"), {}) == OpeningStatus(False, None, None, unknown=True)


def test_the_moment_is_read_in_shanghai_time():
    wednesday = MONDAY + timedelta(days=2)
    # 02:00 UTC is 10:00 in Shanghai; 13:00 UTC is 21:00.
    utc_morning = datetime(2026, 6, 3, 2, 0, tzinfo=UTC)
    assert status(utc_morning, WEEKDAYS_6_TO_20) == OpeningStatus(True, at(wednesday, "20:00"), None)
    assert not status(datetime(2026, 6, 3, 13, 0, tzinfo=UTC), WEEKDAYS_6_TO_20).is_open


def test_a_night_shift_is_open_after_midnight_on_the_following_day():
    night = {"mon": [["20:00", "06:00"]]}
    tuesday = MONDAY + timedelta(days=1)
    assert status(at(tuesday, "02:00"), night) == OpeningStatus(True, at(tuesday, "06:00"), None)
    assert status(at(MONDAY, "23:00"), night) == OpeningStatus(True, at(tuesday, "06:00"), None)
    assert status(at(MONDAY, "19:59"), night) == OpeningStatus(False, None, at(MONDAY, "20:00"))
    assert status(at(tuesday, "06:00"), night) == OpeningStatus(False, None, at(MONDAY, "20:00", 7))
    # Monday's night shift does not open Monday's small hours.
    assert status(at(MONDAY, "02:00"), night).opens_at == at(MONDAY, "20:00")


def test_a_night_shift_runs_into_the_next_days_hours():
    schedule = {"mon": [["20:00", "06:00"]], "tue": [["06:00", "12:00"]]}
    assert status(at(MONDAY, "21:00"), schedule).closes_at == at(MONDAY, "12:00", 1)
    every_night = {day: [["20:00", "08:00"]] for day in DAYS}
    assert status(at(MONDAY, "02:00"), every_night) == OpeningStatus(True, at(MONDAY, "08:00"), None)


# Monday's night shift runs into two touching spans on Tuesday: open without a break until 11:40.
NIGHT_INTO_TOUCHING_SPANS = {"mon": [["20:00", "06:00"]], "tue": [["00:00", "06:40"], ["06:40", "11:40"]]}


def test_a_night_shift_closes_at_the_end_of_every_touching_span_that_follows():
    assert status(at(MONDAY, "21:00"), NIGHT_INTO_TOUCHING_SPANS).closes_at == at(MONDAY, "11:40", 1)
    assert status(at(MONDAY, "01:00", 1), NIGHT_INTO_TOUCHING_SPANS).closes_at == at(MONDAY, "11:40", 1)


def test_always_open_without_exceptions_never_closes():
    assert status(at(MONDAY, "03:00"), always_open=True) == OpeningStatus(True, None, None)
    assert status(at(MONDAY, "00:00"), always_open=True) == OpeningStatus(True, None, None)


def test_a_holiday_closes_an_always_open_station_for_that_date():
    holiday = HoursOverride(start=MONDAY + timedelta(days=3), end=MONDAY + timedelta(days=3), closed=True, intervals=[])
    assert status(at(MONDAY, "12:00", 3), always_open=True, exceptions=[holiday]) == OpeningStatus(
        False, None, at(MONDAY, "00:00", 4)
    )
    assert status(at(MONDAY, "12:00", 2), always_open=True, exceptions=[holiday]) == OpeningStatus(
        True, at(MONDAY, "00:00", 3), None
    )
    assert status(at(MONDAY, "00:00", 4), always_open=True, exceptions=[holiday]).is_open


def test_an_exception_with_other_hours_replaces_the_weekly_hours_that_day():
    weekly = {day: [["06:00", "22:00"]] for day in DAYS}
    wednesday = MONDAY + timedelta(days=2)
    short_day = HoursOverride(start=wednesday, end=wednesday, closed=False, intervals=[["09:00", "12:00"]])
    assert status(at(wednesday, "08:00"), weekly, exceptions=[short_day]) == OpeningStatus(
        False, None, at(wednesday, "09:00")
    )
    assert status(at(wednesday, "10:00"), weekly, exceptions=[short_day]) == OpeningStatus(
        True, at(wednesday, "12:00"), None
    )
    assert status(at(wednesday, "13:00"), weekly, exceptions=[short_day]) == OpeningStatus(
        False, None, at(wednesday, "06:00", 1)
    )
    assert status(at(wednesday, "13:00", 1), weekly, exceptions=[short_day]).is_open


@pytest.mark.parametrize("always_open", [True, False])
def test_positions_not_operating_are_never_open(always_open):
    schedule = {day: [["00:00", "24:00"]] for day in DAYS}
    assert status(at(MONDAY, "12:00"), schedule, always_open=always_open, operating=False) == OpeningStatus(
        False, None, None
    )


# --------------------------------------------------------------------------- against brute force

HORIZON_DAYS = 16  # the week of instants, plus the week ahead that opening_status looks into


def _minute(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def _open_minutes(schedule, exceptions, always_open) -> bytearray:
    """Open (1) or closed (0) for every minute from MONDAY 00:00 on, marking each day's spans in turn
    (the day before MONDAY included, for its night shift)."""
    marked = bytearray((HORIZON_DAYS + 1) * 1440)
    for offset in range(-1, HORIZON_DAYS):
        day = MONDAY + timedelta(days=offset)
        override = next((e for e in exceptions if e.start <= day <= e.end), None)
        if override is not None:
            spans = [] if override.closed else override.intervals
        elif always_open:
            spans = [["00:00", "24:00"]]
        else:
            spans = schedule.get(DAYS[day.weekday()], [])
        for first, last in spans:
            start, end = _minute(first), _minute(last)
            if end <= start:
                end += 1440  # runs past midnight into the next day
            start, end = max(offset * 1440 + start, 0), offset * 1440 + end
            if end > start:
                marked[start:end] = b"\x01" * (end - start)
    return marked


@st.composite
def overrides(draw) -> list[HoursOverride]:
    """Disjoint dated exceptions around the week, closed or with other hours."""
    starts = sorted(draw(st.sets(st.integers(-1, 9), max_size=3)))
    result = []
    for i, first in enumerate(starts):
        limit = (starts[i + 1] - 1) if i + 1 < len(starts) else 10
        last = draw(st.integers(first, min(first + 2, limit)))
        closed = draw(st.booleans())
        intervals = [] if closed else validate_schedule({"mon": draw(day_spans(2))}).get("mon", [])
        result.append(
            HoursOverride(
                start=MONDAY + timedelta(days=first),
                end=MONDAY + timedelta(days=last),
                closed=closed,
                intervals=intervals,
            )
        )
    return result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(schedule=NIGHT_INTO_TOUCHING_SPANS, exceptions=[], always_open=False, minute=21 * 60, second=0)
@given(
    schedule=schedules.map(validate_schedule),
    exceptions=st.one_of(st.just([]), overrides()),
    always_open=st.booleans(),
    minute=st.integers(0, 7 * 1440 - 1),
    second=st.integers(0, 59),
)
def test_opening_status_agrees_with_a_minute_by_minute_evaluation(schedule, exceptions, always_open, minute, second):
    local = datetime.combine(MONDAY, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(minutes=minute, seconds=second)
    result = opening_status(
        at=local.astimezone(UTC), schedule=schedule, exceptions=exceptions, always_open=always_open, operating=True
    )
    marked = _open_minutes(schedule, exceptions, always_open)
    assert result.is_open == bool(marked[minute])

    midnight = minute - minute % 1440  # today 00:00, in minutes from MONDAY
    origin = datetime.combine(MONDAY, datetime.min.time(), tzinfo=SHANGHAI)
    end = (HORIZON_DAYS - 1) * 1440
    if result.is_open:
        assert result.opens_at is None
        closing = next((m for m in range(minute, end) if not marked[m]), None)
        if closing is not None and closing < midnight + 7 * 1440:
            assert result.closes_at == origin + timedelta(minutes=closing)
        else:  # open for a week or more: None, or the true closing
            assert result.closes_at is None or result.closes_at == origin + timedelta(minutes=closing)
    else:
        assert result.closes_at is None
        opening = next((m for m in range(minute + 1, end) if marked[m]), None)
        if opening is not None and opening < midnight + 8 * 1440:
            assert result.opens_at == origin + timedelta(minutes=opening)
        else:
            assert result.opens_at is None


# --------------------------------------------------------------------------- through the model


@pytest.mark.django_db
def test_position_opening_reads_the_positions_hours_and_exceptions(make_position):
    wednesday = MONDAY + timedelta(days=2)
    position = make_position(state=PositionState.OPERATING, weekly_hours={day: [["06:00", "22:00"]] for day in DAYS})
    HoursExceptionFactory(position=position, start=wednesday, end=wednesday + timedelta(days=1), reason="停水检修")
    HoursExceptionFactory(
        position=position,
        day=MONDAY + timedelta(days=5),
        closed=False,
        intervals=[["20:00", "04:00"]],
        reason="夜间服务",
    )
    position.refresh_from_db()
    assert rules.position_opening(position, at(MONDAY, "12:00", 1)) == OpeningStatus(True, at(MONDAY, "22:00", 1), None)
    assert rules.position_opening(position, at(wednesday, "12:00")) == OpeningStatus(
        False, None, at(MONDAY, "06:00", 4)
    )
    assert rules.position_opening(position, at(MONDAY, "12:00", 5)).opens_at == at(MONDAY, "20:00", 5)
    assert rules.position_opening(position, at(MONDAY, "02:00", 6)) == OpeningStatus(True, at(MONDAY, "04:00", 6), None)
    assert rules.position_opening(position, at(MONDAY, "05:00", 6)).opens_at == at(MONDAY, "06:00", 6)

    position.state = PositionState.SUSPENDED
    assert rules.position_opening(position, at(MONDAY, "12:00", 1)) == OpeningStatus(False, None, None)


def test_a_span_cannot_start_at_24_00():
    with pytest.raises(ScheduleError):
        validate_schedule({"mon": [["24:00", "06:00"]]})


@given(
    st.dictionaries(
        st.sampled_from(["mon", "tue", "sun", "xyz"]),
        st.one_of(
            st.lists(
                st.one_of(
                    st.lists(st.sampled_from(["06:00", "22:00", "24:00", "25:00", "12:30"]), min_size=2, max_size=2),
                    st.tuples(st.sampled_from(["06:00", "08:00"]), st.sampled_from(["20:00", "22:00"])),
                    st.text(max_size=3),
                    st.lists(st.lists(st.integers(), max_size=1), max_size=2),
                ),
                max_size=3,
            ),
            st.tuples(st.just(["06:00", "22:00"])),
            st.integers(),
        ),
        max_size=3,
    )
)
def test_remembered_schedules_answer_as_a_fresh_check(schedule):
    """validate_schedule remembers valid schedules: asking twice, or after the cache is emptied,
    gives the same answer (or the same refusal), and the answer is a copy the caller may change."""
    from yizhan.core import hours

    def answer():
        try:
            return hours.validate_schedule(schedule)
        except hours.ScheduleError as error:
            return ("error", str(error))

    first = answer()
    second = answer()
    hours._CANONICAL.clear()
    fresh = answer()
    assert first == second == fresh
    if isinstance(second, dict) and second:
        next(iter(second.values())).append(["00:00", "01:00"])
        assert answer() == fresh
