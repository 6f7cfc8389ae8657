"""A small federation on a hand-made area: 测试市 (4 × 4 km near Dalian, GCJ-02) split into a
west and an east district, a city federation and a district union, admins of both."""

from __future__ import annotations

import pytest

from yizhan.core.roles import Role
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.geo import boundaries_changed
from yizhan.orgs.tests.factories import RegionFactory, UnitFactory
from yizhan.positions.choices import ConstructionType, PositionState
from yizhan.positions.tests.factories import PositionFactory

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


@pytest.fixture
def area(db):
    province = RegionFactory(adcode="219900", name="测试省", level=RegionLevel.PROVINCE)
    city = RegionFactory(
        adcode="219901", name="测试市", level=RegionLevel.CITY, boundary=_square(0, 0, SIZE_M, SIZE_M), parent=province
    )
    west = RegionFactory(adcode="219902", name="西区", boundary=_square(0, 0, SIZE_M / 2, SIZE_M), parent=city)
    east = RegionFactory(adcode="219903", name="东区", boundary=_square(SIZE_M / 2, 0, SIZE_M, SIZE_M), parent=city)
    boundaries_changed()
    federation = UnitFactory(code="TC", name="测试市总工会", region=city)
    west_union = UnitFactory(code="TC-W", name="西区总工会", region=west, parent=federation)
    return {"city": city, "west": west, "east": east, "federation": federation, "west_union": west_union}


@pytest.fixture
def admin(area, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, area["federation"])


@pytest.fixture
def make_station(area):
    """make_station(x_m, y_m, state=operating, unit=federation, **fields) → a station there."""

    def make(x_m, y_m, *, state=PositionState.OPERATING, unit=None, **fields):
        lng, lat = gcj(x_m, y_m)
        return PositionFactory(
            unit=unit or area["federation"],
            region=area["west"] if x_m < SIZE_M / 2 else area["east"],
            lng=lng,
            lat=lat,
            construction_type=ConstructionType.MERCHANT,
            state=state,
            **fields,
        )

    return make
