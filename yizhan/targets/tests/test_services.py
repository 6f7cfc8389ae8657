"""Setting targets and reporting figures: who may set what for which unit, and every refusal
(nothing written, a Chinese message naming the field)."""

import datetime as dt
from decimal import Decimal

import pytest

from yizhan.core.audit import AuditEntry
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.targets import services
from yizhan.targets.metrics import (
    CENTRES_STREET,
    ENTERPRISES_COVERED,
    STATIONS_OPERATING,
    STREET_CENTRES_UP_TO_STANDARD,
)
from yizhan.targets.models import ReportedFigure, Target

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 12, 31)


def _create(actor, unit, **fields):
    values = {"metric": STATIONS_OPERATING, "value": "120", "due_on": DUE, **fields}
    return services.target_create(actor=actor, unit=unit, **values)


def test_a_federation_admin_sets_targets_anywhere_in_its_subtree(dalian, fed):
    for key in ("city", "zs", "street"):
        target = _create(fed, dalian[key])
        assert target.value == 120 and target.set_by == fed.user.username
    assert AuditEntry.objects.filter(object_type="targets.target").count() == 3


def test_a_unit_admin_sets_targets_only_below_its_unit(dalian, zs):
    assert _create(zs, dalian["street"]).unit == dalian["street"]
    with pytest.raises(PermissionDeniedError, match="上级总工会设定"):
        _create(zs, dalian["zs"])
    with pytest.raises(NotFoundError):
        _create(zs, dalian["xg"])  # a sibling
    with pytest.raises(NotFoundError):
        _create(zs, dalian["city"])  # the parent


def test_no_target_for_another_federation(dalian, fed, other):
    with pytest.raises(NotFoundError):
        _create(fed, other["district"])
    with pytest.raises(NotFoundError):
        _create(other["admin"], dalian["zs"])
    assert not Target.objects.exists()


def test_roles_without_the_permission_are_refused(dalian, make_actor):
    manager = make_actor(Role.STATION_MANAGER, dalian["zs"])
    with pytest.raises(PermissionDeniedError):
        _create(manager, dalian["zs"])


@pytest.mark.parametrize(
    ("metric", "value", "message"),
    [
        (STATIONS_OPERATING, "0", "应大于 0"),
        (STATIONS_OPERATING, "-5", "应大于 0"),
        (STATIONS_OPERATING, "", "请填写目标值"),
        (STATIONS_OPERATING, "abc", "应为数字"),
        (STATIONS_OPERATING, "NaN", "应为数字"),
        (STATIONS_OPERATING, "12.5", "整数"),
        (STATIONS_OPERATING, "1e30", "过大"),
        (STREET_CENTRES_UP_TO_STANDARD, "100.01", "不能超过 100%"),
        (STREET_CENTRES_UP_TO_STANDARD, "150", "不能超过 100%"),
        (STREET_CENTRES_UP_TO_STANDARD, "80.123", "应为数字"),
        ("nothing", "5", "没有这个指标"),
    ],
)
def test_bad_values_are_refused(dalian, fed, metric, value, message):
    with pytest.raises(ApplicationError, match=message):
        _create(fed, dalian["zs"], metric=metric, value=value)
    assert not Target.objects.exists()


def test_a_share_up_to_100_is_accepted_with_its_percent_sign(dalian, fed):
    assert _create(fed, dalian["zs"], metric=STREET_CENTRES_UP_TO_STANDARD, value="100%").value == 100
    assert _create(fed, dalian["xg"], metric=STREET_CENTRES_UP_TO_STANDARD, value="80.5").value == Decimal("80.5")


def test_due_before_start_is_refused(dalian, fed):
    with pytest.raises(ApplicationError, match="不能早于起始日期") as raised:
        _create(fed, dalian["zs"], start_on=DUE + dt.timedelta(days=1))
    assert raised.value.field == "due_on"
    assert _create(fed, dalian["zs"], start_on=DUE).start_on == DUE  # the same day is allowed


def test_one_target_per_unit_metric_and_due_date(dalian, fed):
    _create(fed, dalian["zs"])
    with pytest.raises(ApplicationError, match="已有同一指标"):
        _create(fed, dalian["zs"], value="130")
    assert Target.objects.count() == 1


def test_bulk_sets_all_or_none(dalian, fed):
    created = services.target_bulk_create(
        actor=fed, units=[dalian["zs"], dalian["xg"]], metric=CENTRES_STREET, value="3", due_on=DUE
    )
    assert {t.unit for t in created} == {dalian["zs"], dalian["xg"]}
    with pytest.raises(ApplicationError, match="西岗区总工会"):
        services.target_bulk_create(
            actor=fed, units=[dalian["street"], dalian["xg"]], metric=CENTRES_STREET, value="3", due_on=DUE
        )
    assert Target.objects.count() == 2  # the street's target was not kept


def test_update_and_delete_follow_the_same_rules(dalian, fed, zs):
    target = _create(fed, dalian["zs"])
    with pytest.raises(PermissionDeniedError):
        services.target_update(actor=zs, target=target, value="100", due_on=DUE)
    with pytest.raises(ApplicationError, match="应大于 0"):
        services.target_update(actor=fed, target=target, value="0", due_on=DUE)
    target.refresh_from_db()
    assert target.value == 120
    services.target_update(actor=fed, target=target, value="150", due_on=DUE, basis="大工发〔2026〕1号")
    target.refresh_from_db()
    assert target.value == 150 and target.basis == "大工发〔2026〕1号"
    with pytest.raises(PermissionDeniedError):
        services.target_delete(actor=zs, target=target)
    services.target_delete(actor=fed, target=target)
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(object_type="targets.target", action="delete").count() == 1


def test_figures_are_reported_for_reported_metrics_only(dalian, zs, other):
    today = dt.date(2026, 6, 30)
    figure = services.figure_report(
        actor=zs,
        unit=dalian["zs"],
        metric=ENTERPRISES_COVERED,
        value="320",
        as_of=today,
        source="区统计表",
        today=today,
    )
    assert figure.value == 320 and figure.recorded_by == zs.user.username
    with pytest.raises(ApplicationError, match="无需填报"):
        services.figure_report(
            actor=zs, unit=dalian["zs"], metric=STATIONS_OPERATING, value="3", as_of=today, source="x", today=today
        )
    with pytest.raises(ApplicationError, match="负数"):
        services.figure_report(
            actor=zs, unit=dalian["zs"], metric=ENTERPRISES_COVERED, value="-1", as_of=today, source="x", today=today
        )
    with pytest.raises(ApplicationError, match="晚于今天"):
        services.figure_report(
            actor=zs,
            unit=dalian["zs"],
            metric=ENTERPRISES_COVERED,
            value="1",
            as_of=today + dt.timedelta(days=1),
            source="x",
            today=today,
        )
    with pytest.raises(ApplicationError, match="来源"):
        services.figure_report(
            actor=zs, unit=dalian["zs"], metric=ENTERPRISES_COVERED, value="1", as_of=today, source=" ", today=today
        )
    with pytest.raises(NotFoundError):
        services.figure_report(
            actor=zs, unit=dalian["xg"], metric=ENTERPRISES_COVERED, value="1", as_of=today, source="x", today=today
        )
    with pytest.raises(NotFoundError):
        services.figure_report(
            actor=other["admin"],
            unit=dalian["zs"],
            metric=ENTERPRISES_COVERED,
            value="1",
            as_of=today,
            source="x",
            today=today,
        )
    assert ReportedFigure.objects.count() == 1
