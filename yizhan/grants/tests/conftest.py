"""Fixtures of the grants tests: the small Dalian federation, its admins and a disbursed grant."""

import pytest

from yizhan.core.roles import Role
from yizhan.grants.tests.factories import GrantFactory
from yizhan.positions.tests.factories import PositionFactory


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
def zs_station(dalian):
    return PositionFactory(unit=dalian["zs"])


@pytest.fixture
def grant(zs_station):
    return GrantFactory(position=zs_station)
