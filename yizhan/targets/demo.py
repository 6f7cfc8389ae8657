"""Demo targets (spec §8, sources 002 and 003): for Dalian's districts — on track (their target is
what their build rate reaches by the due date), one met, and 金州区 behind (≥ 120 stations operating by
the end of this year, as 金安区's 2023 target in source 003); 80 % of street centres up to standard
city-wide; enterprises covered in 中山区 as reported figures. For Wuhan's districts too when the
centres loader created 武汉市总工会 (adcode 420100); skipped silently otherwise. Set through the
services by the federation admin; deterministic for a given day and idempotent (a federation that
has targets already is left alone)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Membership, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.targets import services
from yizhan.targets.metrics import (
    CENTRES_STREET,
    ENTERPRISES_COVERED,
    STATIONS_OPERATING,
    STREET_CENTRES_UP_TO_STANDARD,
    get_metric,
)
from yizhan.targets.models import Target
from yizhan.targets.progress import evaluate

DALIAN = "DL"
WUHAN_ADCODE = "420100"
BASIS_DALIAN = "大连市总工会关于推进户外劳动者服务站点建设的通知"
BASIS_WUHAN = "武汉市总工会职工服务中心建设目标任务"
START = dt.date(2024, 1, 1)
# District on track (target = what its pace reaches), the one that has met its target already.
ON_TRACK = ("DL-ZS", "DL-XG", "DL-SHK", "DL-GJZ")
MET = "DL-LSK"
BEHIND = ("DL-JZ", 120)
DISTRICT_TYPES = (UnitType.DISTRICT, UnitType.COUNTY, UnitType.DEVELOPMENT_ZONE)


def _actor(unit: Unit, role: str):
    membership = Membership.objects.filter(unit=unit, role=role).select_related("user", "unit").order_by("pk").first()
    return actor_for_user(membership.user, membership) if membership else None


def _reachable(unit: Unit, metric_code: str, due_on: dt.date, today: dt.date) -> int:
    """The count the unit's build rate reaches by the due date (at least what it has, at least 1)."""
    progress = evaluate(
        metric=get_metric(metric_code), unit=unit, value=Decimal(1), due_on=due_on, start_on=START, today=today
    )
    now = int(progress.achieved or 0)
    ahead = int(math.floor(progress.forecast.at_due)) if progress.forecast else now
    return max(1, now, ahead)


def load(today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    lines = []
    dalian = Unit.objects.filter(code=DALIAN).first()
    if dalian is not None:
        lines += _dalian(dalian, today)
    wuhan = Unit.objects.filter(type=UnitType.CITY_FEDERATION, region__adcode=WUHAN_ADCODE).first()
    if wuhan is not None:
        lines += _wuhan(wuhan, today)
    return lines


@transaction.atomic
def _dalian(federation: Unit, today: dt.date) -> list[str]:
    if Target.objects.filter(unit__path__startswith=federation.path).exists():
        return ["  目标任务（大连）：已有（未重复创建）"]
    fed = _actor(federation, Role.FEDERATION_ADMIN)
    if fed is None:
        return []
    due = dt.date(today.year + 1, 6, 30)
    year_end = dt.date(today.year, 12, 31)
    made = 0
    for code in ON_TRACK:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        value = _reachable(unit, STATIONS_OPERATING, due, today)
        services.target_create(
            actor=fed, unit=unit, metric=STATIONS_OPERATING, value=value, due_on=due, start_on=START, basis=BASIS_DALIAN
        )
        made += 1
    met = Unit.objects.filter(code=MET).first()
    if met is not None:
        have = int(get_metric(STATIONS_OPERATING).value_on(met, today) or 0)
        services.target_create(
            actor=fed,
            unit=met,
            metric=STATIONS_OPERATING,
            value=max(1, have),
            due_on=year_end,
            start_on=START,
            basis=BASIS_DALIAN,
        )
        made += 1
    behind = Unit.objects.filter(code=BEHIND[0]).first()
    if behind is not None:
        services.target_create(
            actor=fed,
            unit=behind,
            metric=STATIONS_OPERATING,
            value=BEHIND[1],
            due_on=year_end,
            start_on=START,
            basis=BASIS_DALIAN,
        )
        made += 1
    services.target_create(
        actor=fed,
        unit=federation,
        metric=STREET_CENTRES_UP_TO_STANDARD,
        value=80,
        due_on=dt.date(today.year + 1, 12, 31),
        basis=BASIS_DALIAN,
    )
    made += 1
    zs = Unit.objects.filter(code="DL-ZS").first()
    if zs is not None:
        for days, value in ((400, 600), (200, 700), (30, 820)):
            services.figure_report(
                actor=fed,
                unit=zs,
                metric=ENTERPRISES_COVERED,
                value=value,
                as_of=today - dt.timedelta(days=days),
                source="中山区总工会年度统计表",
                today=today,
            )
        services.target_create(
            actor=fed,
            unit=zs,
            metric=ENTERPRISES_COVERED,
            value=1000,
            due_on=dt.date(today.year + 1, 8, 31),
            basis=BASIS_DALIAN,
        )
        made += 1
    return [f"  目标任务（大连）：{made} 项，金州区进度滞后"]


@transaction.atomic
def _wuhan(federation: Unit, today: dt.date) -> list[str]:
    if Target.objects.filter(unit__path__startswith=federation.path).exists():
        return ["  目标任务（武汉）：已有（未重复创建）"]
    fed = _actor(federation, Role.FEDERATION_ADMIN)
    if fed is None:
        return []
    districts = list(Unit.objects.get_children(federation).filter(type__in=DISTRICT_TYPES).order_by("path"))
    if not districts:
        return []
    due = dt.date(today.year + 1, 12, 31)
    made = 0
    for unit in districts:
        value = _reachable(unit, CENTRES_STREET, due, today)
        services.target_create(actor=fed, unit=unit, metric=CENTRES_STREET, value=value, due_on=due, basis=BASIS_WUHAN)
        made += 1
    services.target_create(
        actor=fed, unit=federation, metric=STREET_CENTRES_UP_TO_STANDARD, value=100, due_on=due, basis=BASIS_WUHAN
    )
    return [f"  目标任务（武汉）：{made + 1} 项"]
