"""Test-data factories of the registry: positions and their opening-hours exceptions.

Test data only: a test of a service calls the service itself. The defaults pass every rule of
`services.position_prepare` — the official name format, a GCJ-02 point in 中山区 (inside the
district's real boundary, which the registry's `dalian_map` fixture loads), a code of its own."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from yizhan.orgs.tests.factories import UnitFactory
from yizhan.positions import rules, services
from yizhan.positions.choices import ConstructionType, PositionKind
from yizhan.positions.models import HoursException, Position

# GCJ-02 points known to lie in each district of Dalian.
ZHONGSHAN = (121.6437, 38.9187)
XIGANG = (121.6126, 38.9146)
SHAHEKOU = (121.58, 38.91)
BEIJING = (116.4, 39.9)
# Consecutive positions stand this far apart (east of ZHONGSHAN), in a row that starts again after
# ROW points, so that however many a test makes they stay inside 中山区.
STEP_LNG = 0.0005
ROW = 100


class PositionFactory(DjangoModelFactory):
    """A station in 中山区 (`ZHONGSHAN`, a step further east for each one).

    Without `actor` it is saved as given (fast; no history row, no area check; the area defaults to
    the unit's). With `actor` it is registered through `services.position_create`, as a person
    would: area found from the point, the rules applied, the first history row and audit entry
    written, `state` recorded as the starting state."""

    class Meta:
        model = Position

    actor = None
    code = factory.Sequence(lambda n: f"P{n:04d}")
    kind = PositionKind.STATION
    official_name = factory.Sequence(lambda n: f"{rules.STATION_PREFIX}测试{n}")
    unit = factory.SubFactory(UnitFactory)
    region = factory.Maybe("actor", yes_declaration=None, no_declaration=factory.SelfAttribute("unit.region"))
    address = factory.Sequence(lambda n: f"中山区测试路{n}号")
    lng = factory.Sequence(lambda n: ZHONGSHAN[0] + (n % ROW) * STEP_LNG)
    lat = ZHONGSHAN[1]
    construction_type = ConstructionType.SANITATION

    @classmethod
    def _build(cls, model_class, *args, actor=None, **fields):
        if actor is not None:
            raise TypeError("PositionFactory.build() saves nothing: `actor` goes with create()")
        return super()._build(model_class, *args, **fields)

    @classmethod
    def _create(cls, model_class, *args, actor=None, **fields):
        if actor is None:
            return super()._create(model_class, *args, **fields)
        return services.position_create(actor=actor, **fields)


class HoursExceptionFactory(DjangoModelFactory):
    """A whole-day closure of `position` on `day` (today unless told; `start`/`end` for a span)."""

    class Meta:
        model = HoursException

    class Params:
        day = factory.LazyFunction(timezone.localdate)

    position = factory.SubFactory(PositionFactory)
    start = factory.SelfAttribute("day")
    end = factory.SelfAttribute("start")
    closed = True
    intervals = factory.LazyFunction(list)
    reason = "测试例外"
