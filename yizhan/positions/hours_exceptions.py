"""Writes of a position's dated hours exceptions (spec §2 "opening hours … with exceptions"; issue 3).

An exception replaces the weekly hours on the days from `start` to `end` (both included): the
position is closed all day (a holiday, a repair) or open at other hours. Changing a position's
exceptions is changing the position, so each service takes the permission and scope of a position
update. Deleting an exception is allowed (it is not a position); the model audits every write.

Rules decided here (beyond the field formats):
- `end` may not be before `start`; an exception covers at most MAX_DAYS days (a whole leap year):
  anything longer is a change of the weekly hours, not an exception;
- it may not start more than MAX_DAYS_AHEAD days after today (catches a mistyped year);
  past dates are allowed, so a closure can be recorded afterwards;
- a closed exception has no intervals; an open one has at least one, valid and not overlapping
  (the weekly schedule's rules, `hours.validate_intervals`; "20:00-04:00" runs past midnight);
- a reason is required (it is shown to staff and explains the closure), at most 200 characters;
- two exceptions of one position may not share a day: which one applies would be ambiguous.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError, from_validation_error
from yizhan.core.hours import ScheduleError, validate_intervals
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require, require_in_scope
from yizhan.positions.models import HoursException, Position

MAX_DAYS = 366
MAX_DAYS_AHEAD = 730
REASON_MAX_LENGTH = HoursException._meta.get_field("reason").max_length
EDITABLE_FIELDS = ("start", "end", "closed", "intervals", "reason")

START_REQUIRED = _("请填写开始日期")
END_REQUIRED = _("请填写结束日期")
END_BEFORE_START = _("结束日期不能早于开始日期")
TOO_LONG = _("例外最长 {days} 天；长期改变开放时间请修改每周开放时间")
TOO_FAR_AHEAD = _("开始日期不能晚于 {latest}（最多提前 {days} 天安排）")
CLOSED_WITH_INTERVALS = _("全天关闭时不填写开放时段")
INTERVALS_REQUIRED = _("不是全天关闭时须填写至少一个开放时段")
INTERVALS_INVALID = _("开放时段有误：{error}")
INTERVALS_DAY_LABEL = _("例外当日")
REASON_REQUIRED = _("请填写原因（如节假日休息、停水检修）")
REASON_TOO_LONG = _("原因不能超过 {limit} 个字")
OVERLAPS = _("与已有的例外“{reason}”（{start} 至 {end}）日期重叠")
UNKNOWN_FIELDS = _("不能修改字段：{fields}")


def _locked_position(actor: Actor, position: Position) -> Position:
    """The position, locked so that concurrent writes of its exceptions queue (the overlap rule
    reads the other exceptions), after the checks of a position update."""
    require(actor, Action.UPDATE, Position)
    position = Position.objects.select_for_update().select_related("unit").get(pk=position.pk)
    require_in_scope(actor, position.unit)
    return position


def _check(exception: HoursException) -> None:
    """The rules of one exception and against the position's others (see the module docstring)."""
    if not isinstance(exception.start, date):
        raise ApplicationError(str(START_REQUIRED), field="start")
    if not isinstance(exception.end, date):
        raise ApplicationError(str(END_REQUIRED), field="end")
    if exception.end < exception.start:
        raise ApplicationError(str(END_BEFORE_START), field="end")
    if (exception.end - exception.start).days + 1 > MAX_DAYS:
        raise ApplicationError(TOO_LONG.format(days=MAX_DAYS), field="end")
    latest = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
    if exception.start > latest:
        raise ApplicationError(TOO_FAR_AHEAD.format(latest=latest.isoformat(), days=MAX_DAYS_AHEAD), field="start")
    exception.closed = bool(exception.closed)
    intervals = exception.intervals if exception.intervals is not None else []
    if exception.closed and intervals:
        raise ApplicationError(str(CLOSED_WITH_INTERVALS), field="intervals")
    try:
        exception.intervals = validate_intervals(intervals, label=str(INTERVALS_DAY_LABEL))
    except ScheduleError as error:
        raise ApplicationError(INTERVALS_INVALID.format(error=error), field="intervals") from error
    if not exception.closed and not exception.intervals:
        raise ApplicationError(str(INTERVALS_REQUIRED), field="intervals")
    exception.reason = str(exception.reason or "").strip()
    if not exception.reason:
        raise ApplicationError(str(REASON_REQUIRED), field="reason")
    if len(exception.reason) > REASON_MAX_LENGTH:
        raise ApplicationError(REASON_TOO_LONG.format(limit=REASON_MAX_LENGTH), field="reason")
    other = (
        HoursException.objects.filter(
            position_id=exception.position_id, start__lte=exception.end, end__gte=exception.start
        )
        .exclude(pk=exception.pk)
        .order_by("start")
        .first()
    )
    if other is not None:
        raise ApplicationError(
            OVERLAPS.format(reason=other.reason, start=other.start.isoformat(), end=other.end.isoformat()),
            field="start",
        )


def _save(exception: HoursException) -> HoursException:
    try:
        exception.full_clean(exclude=["position"])
    except ValidationError as error:
        raise from_validation_error(error) from error
    exception.save()
    return exception


@transaction.atomic
def hours_exception_create(
    *,
    actor: Actor,
    position: Position,
    start: date,
    end: date,
    closed: bool = True,
    intervals: list[list[str]] | None = None,
    reason: str,
) -> HoursException:
    """Add a dated exception to a position's hours: closed all day, or open at `intervals`."""
    position = _locked_position(actor, position)
    exception = HoursException(
        position=position, start=start, end=end, closed=closed, intervals=intervals or [], reason=reason
    )
    _check(exception)
    return _save(exception)


def _own_exception(position: Position, exception: HoursException) -> HoursException:
    """The exception as stored, if it belongs to `position` (404 otherwise: ids are not guessed across)."""
    found = HoursException.objects.filter(pk=exception.pk, position_id=position.pk).first()
    if found is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    found.position = position
    return found


@transaction.atomic
def hours_exception_update(*, actor: Actor, position: Position, exception: HoursException, **changes) -> HoursException:
    """Change any of an exception's dates, hours and reason; the rules apply to the result."""
    position = _locked_position(actor, position)
    exception = _own_exception(position, exception)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))
    for field, value in changes.items():
        setattr(exception, field, value)
    if changes.get("closed") is True and "intervals" not in changes:
        exception.intervals = []  # closing a day that had other hours drops those hours
    _check(exception)
    return _save(exception)


@transaction.atomic
def hours_exception_delete(*, actor: Actor, position: Position, exception: HoursException) -> None:
    """Remove an exception: the weekly hours apply again on its days (the deletion is audited)."""
    position = _locked_position(actor, position)
    _own_exception(position, exception).delete()
