"""Fixtures of the finder's tests: the registry's Dalian fixtures, and a few hundred varied public
and non-public positions written in bulk for the comparisons with a brute-force scan."""

import random
from datetime import date, datetime, timedelta

import pytest

from yizhan.core.geo.distance import distance_m
from yizhan.core.hours import SHANGHAI, HoursOverride, opening_status
from yizhan.finder import index
from yizhan.positions.choices import (
    Ability,
    CentreLevel,
    ConstructionType,
    Facility,
    PositionKind,
    PositionState,
    ServedGroup,
)
from yizhan.positions.models import HoursException, Position
from yizhan.positions.tests.conftest import ZHONGSHAN, dalian_map, make_position, zs_admin  # noqa: F401 (fixtures)
from yizhan.positions.tests.factories import HoursExceptionFactory, PositionFactory

CENTRE = ZHONGSHAN
# Schedules of every shape opening_status handles: round the clock, early shifts, weekday-dependent,
# overnight, touching spans, and none (never open without an exception).
SCHEDULES = [
    (True, {}),
    (False, {d: [["04:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
    (
        False,
        {"mon": [["08:00", "18:00"]], "wed": [["08:00", "12:00"], ["12:00", "18:00"]], "sat": [["09:00", "17:00"]]},
    ),
    (False, {d: [["20:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}),
    (False, {"sun": [["22:00", "02:00"]], "mon": [["00:00", "24:00"]]}),
    (False, {}),
]
# Mostly public, every state present.
STATES = (
    [PositionState.OPERATING] * 5
    + [PositionState.SUSPENDED] * 2
    + [
        PositionState.PLANNED,
        PositionState.BUILDING,
        PositionState.DELISTED,
    ]
)
# Exceptions fall around these days, where the queries' moments fall too.
EXCEPTION_DAYS = date(2026, 11, 20)
QUERY_FROM = datetime(2026, 11, 16, tzinfo=SHANGHAI)
QUERY_DAYS = 14


def _subset(rng: random.Random, values: list[str], p: float) -> list[str]:
    return [v for v in values if rng.random() < p]


def make_dataset(units: dict, areas: dict, *, n: int = 300, seed: int = 4) -> list[Position]:
    """`n` positions within ~6 km of 中山区 in every state, kind, attribute mix and schedule, a fifth
    of them sharing another one's exact point (ties), some with dated exceptions; written with
    bulk_create (no signals: the index hears of them through the database's change feed)."""
    rng = random.Random(seed)
    region = areas["210202"]
    points: list[tuple[float, float]] = []
    positions = []
    for i in range(n):
        if points and rng.random() < 0.2:
            lng, lat = rng.choice(points)
        else:
            lng, lat = CENTRE[0] + rng.uniform(-0.07, 0.07), CENTRE[1] + rng.uniform(-0.05, 0.05)
        points.append((lng, lat))
        kind = PositionKind.CENTRE if i % 17 == 0 else PositionKind.STATION
        always_open, schedule = rng.choice(SCHEDULES)
        positions.append(
            PositionFactory.build(
                kind=kind,
                centre_level=CentreLevel.STREET if kind == PositionKind.CENTRE else "",
                unit=units["zs"],
                region=region,
                lng=lng,
                lat=lat,
                state=rng.choice(STATES),
                state_reason="测试",
                always_open=always_open,
                weekly_hours=schedule,
                facilities=_subset(rng, Facility.values, 0.6),
                abilities=_subset(rng, Ability.values, 0.6),
                served_groups=_subset(rng, ServedGroup.values, 0.3),
                manager_name="张三",
                manager_phone="13812345678",
            )
        )
    positions = Position.objects.bulk_create(positions)
    centre = next(p for p in positions if p.kind == PositionKind.CENTRE)
    work_stations = []
    for j in range(10):
        lng, lat = CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.03, 0.03)
        work_stations.append(
            PositionFactory.build(
                kind=PositionKind.WORK_STATION,
                parent_centre=centre,
                official_name=f"查找职工服务中心{j}工作站",
                unit=units["zs"],
                region=region,
                lng=lng,
                lat=lat,
                construction_type=ConstructionType.UNION_CENTRE,
                state=rng.choice([PositionState.OPERATING, PositionState.SUSPENDED, PositionState.DELISTED]),
                weekly_hours=SCHEDULES[1][1],
                facilities=_subset(rng, Facility.values, 0.6),
            )
        )
    positions += Position.objects.bulk_create(work_stations)
    exceptions = []
    for position in rng.sample(positions, len(positions) // 6):
        start = EXCEPTION_DAYS + timedelta(days=rng.randint(-3, 6))
        closed = rng.random() < 0.5
        intervals = [] if closed else rng.choice([[["10:00", "14:00"]], [["21:00", "03:00"]], [["00:00", "24:00"]]])
        exceptions.append(
            HoursExceptionFactory.build(
                position=position,
                start=start,
                end=start + timedelta(days=rng.randint(0, 2)),
                closed=closed,
                intervals=intervals,
            )
        )
    HoursException.objects.bulk_create(exceptions)
    return positions


def public_snapshot() -> list[Position]:
    """Every position with its exceptions, read once for many brute-force scans."""
    return list(Position.objects.prefetch_related("hours_exceptions"))


def brute_force(
    positions: list[Position],
    lng: float,
    lat: float,
    *,
    radius_m: float,
    limit: int,
    filters: index.Filters,
    open_now: bool,
    at: datetime,
) -> list[tuple[int, float]]:
    """The nearest matches by scanning every position (a `public_snapshot()`) with the haversine."""
    states = {PositionState.OPERATING} | ({PositionState.SUSPENDED} if filters.include_suspended else set())
    found = []
    for position in positions:
        if position.state not in states:
            continue
        if not set(filters.facilities) <= set(position.facilities):
            continue
        if not set(filters.abilities) <= set(position.abilities):
            continue
        if filters.kind and position.kind != filters.kind:
            continue
        if filters.group and filters.group not in position.served_groups:
            continue
        d = distance_m(lng, lat, position.lng, position.lat)
        if d > radius_m:
            continue
        if open_now:
            status = opening_status(
                at=at,
                schedule=position.weekly_hours,
                exceptions=[
                    HoursOverride(e.start, e.end, e.closed, e.intervals) for e in position.hours_exceptions.all()
                ],
                always_open=position.always_open,
                operating=position.state == PositionState.OPERATING,
            )
            if not status.is_open:
                continue
        found.append((d, position.pk))
    found.sort()
    return [(pk, d) for d, pk in found[:limit]]


@pytest.fixture
def finder_positions(dalian_map):  # noqa: F811 (fixture imported above)
    return make_dataset(dalian_map, dalian_map["areas"])
