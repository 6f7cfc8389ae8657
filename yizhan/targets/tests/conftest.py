"""Fixtures of the targets tests: the small Dalian federation with its admins, another federation,
and a helper that opens stations on given dates (history rows written directly)."""

import datetime as dt

import pytest

from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.positions.choices import PositionKind
from yizhan.positions.models import PositionStateChange
from yizhan.positions.tests.factories import PositionFactory

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def fed(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def zs(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def xg(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["xg"])


@pytest.fixture
def other(make_unit, make_actor):
    """Another federation and its admin."""
    city = make_unit(UnitType.CITY_FEDERATION, name="武汉市总工会", code="WH")
    district = make_unit(UnitType.DISTRICT, city, name="江岸区总工会", code="WH-JA")
    return {"city": city, "district": district, "admin": make_actor(Role.FEDERATION_ADMIN, city)}


def open_station(unit, on: dt.date, *, kind=PositionKind.STATION, level="", state="operating", closed_on=None):
    """A position of `unit` that began operating on `on` (and was delisted on `closed_on`)."""
    position = PositionFactory(unit=unit, kind=kind, centre_level=level, state="delisted" if closed_on else state)
    PositionStateChange.objects.create(
        position=position, from_state="", to_state=state, effective_on=on, actor_name="测试"
    )
    if closed_on:
        PositionStateChange.objects.create(
            position=position, from_state=state, to_state="delisted", effective_on=closed_on, actor_name="测试"
        )
    return position


@pytest.fixture
def stations():
    return open_station
