"""Fixtures of publishing: the registry's (Dalian's real areas, a unit admin of 中山区, positions
registered through the service) and a public API client without the public rate limit."""

import pytest

from yizhan.positions.tests.conftest import dalian_map, make_position, zs_admin

__all__ = ["dalian_map", "make_position", "zs_admin"]


@pytest.fixture(autouse=True)
def no_public_rate_limit(settings):
    settings.YIZHAN_PUBLIC_RATE = "off"
