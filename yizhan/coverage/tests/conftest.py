"""A small federation on a hand-made area: 测试市 (4 × 4 km near Dalian, GCJ-02) split into a
west and an east district, a city federation and a district union, admins of both."""

from __future__ import annotations

import pytest

from yizhan.core.roles import Role
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.geo import boundaries_changed
from yizhan.orgs.models import Region
from yizhan.orgs.services import federation_create
from yizhan.positions.choices import ConstructionType, PositionKind, PositionState
from yizhan.positions.models import Position

# The area's south-west corner and the frame the tests place things in (metres east/north of it).
ORIGIN = (121.60, 38.90)
FRAME = MetricFrame(*ORIGIN)
SIZE_M = 4000.0


def gcj(x_m: float, y_m: float) -> tuple[float, float]:
    """GCJ-02 degrees of a point x metres east and y metres north of the origin (WGS-84 frame)."""
    lng, lat = FRAME.to_gcj02([x_m], [y_m])
    return float(lng[0]), float(lat[0])


def _square(x0: float, y0: float, x1: float, y1: float) -> dict:
    corners = [gcj(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    return {"type": "Polygon", "coordinates": [[list(c) for c in corners]]}


def _region(adcode, name, level, boundary, parent=None) -> Region:
    lngs = [c[0] for c in boundary["coordinates"][0]]
    lats = [c[1] for c in boundary["coordinates"][0]]
    return Region.objects.create(
        adcode=adcode,
        name=name,
        level=level,
        parent=parent,
        boundary=boundary,
        min_lng=min(lngs),
        max_lng=max(lngs),
        min_lat=min(lats),
        max_lat=max(lats),
    )


@pytest.fixture
def area(db):
    province = Region.objects.create(adcode="219900", name="测试省", level=RegionLevel.PROVINCE)
    city = _region("219901", "测试市", RegionLevel.CITY, _square(0, 0, SIZE_M, SIZE_M), province)
    west = _region("219902", "西区", RegionLevel.DISTRICT, _square(0, 0, SIZE_M / 2, SIZE_M), city)
    east = _region("219903", "东区", RegionLevel.DISTRICT, _square(SIZE_M / 2, 0, SIZE_M, SIZE_M), city)
    boundaries_changed()
    federation = federation_create(code="TC", name="测试市总工会", type=UnitType.CITY_FEDERATION, region=city)
    west_union = federation_create(
        code="TC-W", name="西区总工会", type=UnitType.DISTRICT, region=west, parent=federation
    )
    return {"city": city, "west": west, "east": east, "federation": federation, "west_union": west_union}


@pytest.fixture
def admin(area, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, area["federation"])


@pytest.fixture
def make_station(area):
    """make_station(x_m, y_m, state=operating, unit=federation, **fields) → a station there."""
    counter = iter(range(1, 10_000))

    def make(x_m, y_m, *, state=PositionState.OPERATING, unit=None, **fields):
        n = next(counter)
        lng, lat = gcj(x_m, y_m)
        unit = unit or area["federation"]
        return Position.objects.create(
            code=f"CV-{n}",
            kind=PositionKind.STATION,
            official_name=f"工会户外劳动者服务站点·覆盖{n}",
            unit=unit,
            region=area["west"] if x_m < SIZE_M / 2 else area["east"],
            address="测试路",
            lng=lng,
            lat=lat,
            construction_type=ConstructionType.MERCHANT,
            state=state,
            **fields,
        )

    return make
