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
from yizhan.orgs.services import federation_create
from yizhan.positions import services
from yizhan.positions.choices import ConstructionType, PositionKind

BOUNDARIES = Path(__file__).resolve().parents[2] / "orgs" / "data" / "boundaries" / "210200.geojson"

# GCJ-02 points known to lie in each district.
ZHONGSHAN = (121.6437, 38.9187)
XIGANG = (121.6126, 38.9146)
SHAHEKOU = (121.58, 38.91)
BEIJING = (116.4, 39.9)


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
    city = federation_create(code="DL", name="大连市总工会", type=UnitType.CITY_FEDERATION, region=areas["210200"])
    zs = federation_create(
        code="DL-ZS", name="中山区总工会", type=UnitType.DISTRICT, region=areas["210202"], parent=city
    )
    xg = federation_create(
        code="DL-XG", name="西岗区总工会", type=UnitType.DISTRICT, region=areas["210203"], parent=city
    )
    industry = federation_create(
        code="DL-GAJ", name="大连市公安局工会", type=UnitType.INDUSTRY, region=areas["210200"], parent=city
    )
    return {"city": city, "zs": zs, "xg": xg, "industry": industry, "areas": areas}


@pytest.fixture
def zs_admin(dalian_map, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian_map["zs"])


@pytest.fixture
def make_position(dalian_map, make_actor):
    """make_position(actor=None, unit=None, **fields) creates a station in 中山区 through the service."""
    counter = iter(range(1, 10_000))

    def make(actor=None, unit=None, **fields):
        unit = unit or dalian_map["zs"]
        actor = actor or make_actor(Role.UNIT_ADMIN, unit)
        n = next(counter)
        values = {
            "code": f"P{n:04d}",
            "kind": PositionKind.STATION,
            "official_name": f"工会户外劳动者服务站点·测试{n}",
            "address": f"中山区测试路{n}号",
            "lng": ZHONGSHAN[0] + n * 0.0005,
            "lat": ZHONGSHAN[1],
            "construction_type": ConstructionType.SANITATION,
        }
        values.update(fields)
        return services.position_create(actor=actor, unit=unit, **values)

    return make
