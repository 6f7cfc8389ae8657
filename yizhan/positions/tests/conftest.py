"""Fixtures for the registry: Dalian's real boundaries, units with those areas, a position factory."""

import functools
from pathlib import Path
from unittest import mock

import pytest

from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.imports import regions as region_imports
from yizhan.orgs.imports.regions import parse_region_file, region_import
from yizhan.orgs.models import Region
from yizhan.orgs.tests.factories import UnitFactory
from yizhan.positions.tests.factories import BEIJING, SHAHEKOU, XIGANG, ZHONGSHAN, PositionFactory

BOUNDARIES = Path(__file__).resolve().parents[2] / "orgs" / "data" / "boundaries" / "210200.geojson"
# The registry's tests import the points of Dalian's districts from here.
__all__ = ["BEIJING", "SHAHEKOU", "XIGANG", "ZHONGSHAN"]


@functools.cache
def _parsed_boundaries():
    # Checking the file's 30,000 vertices takes most of a second; the registry tests need the
    # areas in almost every test, so parse once per run (region_import does not mutate the result).
    return parse_region_file(BOUNDARIES)


@pytest.fixture
def dalian_map(db):
    """Dalian's 11 areas with boundaries and a federation with two district unions."""
    with mock.patch.object(region_imports, "parse_region_file", return_value=_parsed_boundaries()):
        region_import(BOUNDARIES)
    areas = {r.adcode: r for r in Region.objects.defer("boundary")}
    city = UnitFactory(code="DL", name="大连市总工会", region=areas["210200"])
    zs = UnitFactory(code="DL-ZS", name="中山区总工会", region=areas["210202"], parent=city)
    xg = UnitFactory(code="DL-XG", name="西岗区总工会", region=areas["210203"], parent=city)
    industry = UnitFactory(code="DL-GAJ", name="大连市公安局工会", type=UnitType.INDUSTRY, parent=city)
    return {"city": city, "zs": zs, "xg": xg, "industry": industry, "areas": areas}


@pytest.fixture
def zs_admin(dalian_map, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian_map["zs"])


@pytest.fixture
def make_position(dalian_map, make_actor):
    """make_position(actor=None, unit=None, **fields) registers a station in 中山区 through the service
    (PositionFactory's defaults), by a unit admin of `unit` unless `actor` is given."""

    def make(actor=None, unit=None, **fields):
        unit = unit or dalian_map["zs"]
        return PositionFactory(actor=actor or make_actor(Role.UNIT_ADMIN, unit), unit=unit, **fields)

    return make
