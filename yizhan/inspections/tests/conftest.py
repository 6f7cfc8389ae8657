"""Fixtures of the inspections tests: the small Dalian federation with its shipped standards,
its admins, and operating stations in both districts."""

from __future__ import annotations

import pytest

from yizhan.core.roles import Role
from yizhan.inspections.tests.factories import shipped_version
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory


@pytest.fixture
def nine(dalian):
    return shipped_version(dalian["city"], "nine-haves")


@pytest.fixture
def rating_version(nine, dalian):
    return shipped_version(dalian["city"], "star-rating")


@pytest.fixture
def city_admin(make_actor, dalian, nine):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def zs_admin(make_actor, dalian):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def xg_admin(make_actor, dalian):
    return make_actor(Role.UNIT_ADMIN, dalian["xg"])


@pytest.fixture
def zs_station(dalian):
    return PositionFactory(unit=dalian["street"], state=PositionState.OPERATING)


@pytest.fixture
def xg_station(dalian):
    return PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def all_yes(inspection, **overrides):
    """Every applicable item of the inspection's standard found present, but `overrides`."""
    return {**{item.key: True for item in inspection.applicable_items()}, **overrides}
