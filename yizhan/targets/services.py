"""Writes of targets and reported figures (spec §8): plain functions taking the actor, each in one
transaction, refusing with a Chinese message and writing nothing when a rule fails. Every write is
audited by the models (AuditedModel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require
from yizhan.orgs.models import Unit
from yizhan.targets.metrics import get_metric
from yizhan.targets.models import VALUE_DIGITS, VALUE_PLACES, ReportedFigure, Target

UNKNOWN_METRIC = _("没有这个指标")
VALUE_REQUIRED = _("请填写目标值")
VALUE_NOT_NUMBER = _("目标值应为数字")
VALUE_NOT_POSITIVE = _("目标值应大于 0")
VALUE_TOO_LARGE = _("目标值过大")
COUNT_NOT_WHOLE = _("计数类指标的目标值应为整数")
SHARE_OVER_100 = _("比例类指标的目标值不能超过 100%")
DUE_REQUIRED = _("请填写完成期限")
DUE_BEFORE_START = _("完成期限不能早于起始日期")
OWN_UNIT_FROM_ABOVE = _("本单位的目标任务由上级总工会设定，您只能为下级单位设定目标")
DUPLICATE = _("该单位已有同一指标、同一期限的目标任务")
BASIS_TOO_LONG = _("依据不能超过 200 个字")
NOT_REPORTED = _("该指标由系统统计，无需填报")
FIGURE_NEGATIVE = _("填报数不能为负数")
FIGURE_NOT_NUMBER = _("填报数应为数字")
FIGURE_IN_FUTURE = _("截至日期不能晚于今天")
SOURCE_REQUIRED = _("请填写数据来源")
SOURCE_TOO_LONG = _("数据来源不能超过 200 个字")
NO_UNITS = _("请至少选择一个单位")

MAX_VALUE = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)


def _decimal(value, *, not_number, field: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(str(VALUE_REQUIRED if field == "value" else not_number), field=field)
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ApplicationError(str(not_number), field=field) from None
    if not number.is_finite():
        raise ApplicationError(str(not_number), field=field)
    return number


def check_target_value(metric_code: str, value) -> Decimal:
    """The target value as a Decimal, or the reason it is refused."""
    metric = get_metric(metric_code)
    if metric is None:
        raise ApplicationError(str(UNKNOWN_METRIC), field="metric")
    number = _decimal(value, not_number=VALUE_NOT_NUMBER, field="value")
    if number <= 0:
        raise ApplicationError(str(VALUE_NOT_POSITIVE), field="value")
    if number >= MAX_VALUE:
        raise ApplicationError(str(VALUE_TOO_LARGE), field="value")
    if metric.share and number > 100:
        raise ApplicationError(str(SHARE_OVER_100), field="value")
    if not metric.share and number != number.to_integral_value():
        raise ApplicationError(str(COUNT_NOT_WHOLE), field="value")
    if number.as_tuple().exponent < -VALUE_PLACES:
        raise ApplicationError(str(VALUE_NOT_NUMBER), field="value")
    return number


def _check_target_unit(actor: Actor, unit: Unit, action: str) -> None:
    """The unit must lie in the actor's scope (else "not found"); a unit admin sets targets only for
    the units below its own."""
    require(actor, action, Target)
    if not actor.covers_unit(unit):
        raise NotFoundError(str(OUT_OF_SCOPE_MESSAGE))
    if actor.role == Role.UNIT_ADMIN and unit.path == actor.unit.path:
        raise PermissionDeniedError(str(OWN_UNIT_FROM_ABOVE))


def _check_dates(start_on: dt.date | None, due_on: dt.date | None) -> None:
    if due_on is None:
        raise ApplicationError(str(DUE_REQUIRED), field="due_on")
    if start_on is not None and due_on < start_on:
        raise ApplicationError(str(DUE_BEFORE_START), field="due_on")


def _basis(basis: str) -> str:
    basis = (basis or "").strip()
    if len(basis) > 200:
        raise ApplicationError(str(BASIS_TOO_LONG), field="basis")
    return basis


def target_create(
    *,
    actor: Actor,
    unit: Unit,
    metric: str,
    value,
    due_on: dt.date,
    start_on: dt.date | None = None,
    basis: str = "",
) -> Target:
    _check_target_unit(actor, unit, Action.CREATE)
    number = check_target_value(metric, value)
    _check_dates(start_on, due_on)
    target = Target(
        unit=unit,
        metric=metric,
        value=number,
        due_on=due_on,
        start_on=start_on,
        basis=_basis(basis),
        set_by=actor.user.get_username(),
    )
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ApplicationError(str(DUPLICATE), field="due_on") from None
    return target


def target_bulk_create(
    *,
    actor: Actor,
    units: list[Unit],
    metric: str,
    value,
    due_on: dt.date,
    start_on: dt.date | None = None,
    basis: str = "",
) -> list[Target]:
    """The same target for several units at once (every district): all or none."""
    if not units:
        raise ApplicationError(str(NO_UNITS), field="units")
    with transaction.atomic():
        created = []
        for unit in units:
            try:
                created.append(
                    target_create(
                        actor=actor,
                        unit=unit,
                        metric=metric,
                        value=value,
                        due_on=due_on,
                        start_on=start_on,
                        basis=basis,
                    )
                )
            except ApplicationError as error:
                if isinstance(error, NotFoundError | PermissionDeniedError):
                    raise
                raise ApplicationError(f"{unit.name}：{error.message}", field=error.field) from None
        return created


def target_update(
    *, actor: Actor, target: Target, value, due_on: dt.date, start_on: dt.date | None = None, basis: str = ""
) -> Target:
    with transaction.atomic():
        target = Target.objects.select_for_update(of=("self",)).select_related("unit").get(pk=target.pk)
        _check_target_unit(actor, target.unit, Action.UPDATE)
        number = check_target_value(target.metric, value)
        _check_dates(start_on, due_on)
        target.value, target.due_on, target.start_on, target.basis = number, due_on, start_on, _basis(basis)
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise ApplicationError(str(DUPLICATE), field="due_on") from None
    return target


@transaction.atomic
def target_delete(*, actor: Actor, target: Target) -> None:
    target = Target.objects.select_related("unit").get(pk=target.pk)
    _check_target_unit(actor, target.unit, Action.DELETE)
    target.delete()


def figure_report(
    *, actor: Actor, unit: Unit, metric: str, value, as_of: dt.date, source: str, today: dt.date
) -> ReportedFigure:
    """A figure for a reported metric (enterprises covered) of a unit in the actor's scope."""
    require(actor, Action.CREATE, ReportedFigure)
    if not actor.covers_unit(unit):
        raise NotFoundError(str(OUT_OF_SCOPE_MESSAGE))
    found = get_metric(metric)
    if found is None:
        raise ApplicationError(str(UNKNOWN_METRIC), field="metric")
    if not found.reported:
        raise ApplicationError(str(NOT_REPORTED), field="metric")
    number = _decimal(value, not_number=FIGURE_NOT_NUMBER, field="figure")
    if number < 0:
        raise ApplicationError(str(FIGURE_NEGATIVE), field="value")
    if number >= MAX_VALUE or number.as_tuple().exponent < -VALUE_PLACES:
        raise ApplicationError(str(FIGURE_NOT_NUMBER), field="value")
    if as_of is None or as_of > today:
        raise ApplicationError(str(FIGURE_IN_FUTURE), field="as_of")
    source = (source or "").strip()
    if not source:
        raise ApplicationError(str(SOURCE_REQUIRED), field="source")
    if len(source) > 200:
        raise ApplicationError(str(SOURCE_TOO_LONG), field="source")
    figure = ReportedFigure(
        unit=unit, metric=metric, value=number, as_of=as_of, source=source, recorded_by=actor.user.get_username()
    )
    figure.save()
    return figure
