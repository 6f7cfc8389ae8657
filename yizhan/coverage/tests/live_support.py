"""A throw-away instance for the coverage CLI and browser tests: the jobs tests' Instance
(yizhan/tests/core/jobs_support.py: its own database, real server and worker subprocesses), seeded
here with 甘井子区 on a small square area (4 × 4 km near Dalian, GCJ-02),
its district union with a planner (unit admin), and three operating stations in its west half.

    python -m yizhan.coverage.tests.live_support seed
"""

from __future__ import annotations

import subprocess
import sys

from yizhan.tests.core.jobs_support import PASSWORD, PROJECT_DIR, TIMEOUT, Instance

__all__ = ["PASSWORD", "CoverageInstance"]


class CoverageInstance(Instance):
    def helper(self, *args: str, rq: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 (this interpreter, this module)
            [sys.executable, "-m", "yizhan.coverage.tests.live_support", *args],
            cwd=PROJECT_DIR,
            env=self.env(rq=rq),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )


def _seed() -> None:
    from yizhan.core.roles import Role
    from yizhan.coverage.engine.frame import MetricFrame
    from yizhan.orgs.choices import RegionLevel, UnitType
    from yizhan.orgs.models import Membership, Region, User
    from yizhan.orgs.services import federation_create
    from yizhan.positions.choices import ConstructionType, PositionState
    from yizhan.positions.tests.factories import PositionFactory

    frame = MetricFrame(121.55, 38.95)

    def gcj(x, y):
        lng, lat = frame.to_gcj02([x], [y])
        return float(lng[0]), float(lat[0])

    def square(x0, y0, x1, y1):
        ring = [list(gcj(x, y)) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        return {
            "boundary": {"type": "Polygon", "coordinates": [ring]},
            "min_lng": min(lngs),
            "min_lat": min(lats),
            "max_lng": max(lngs),
            "max_lat": max(lats),
        }

    province = Region.objects.create(adcode="210000", name="辽宁省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(adcode="210200", name="大连市", level=RegionLevel.CITY, parent=province)
    district = Region.objects.create(
        adcode="210211", name="甘井子区", level=RegionLevel.DISTRICT, parent=city, **square(0, 0, 4000, 4000)
    )
    federation = federation_create(code="DL", name="大连市总工会", type=UnitType.CITY_FEDERATION, region=city)
    union = federation_create(
        code="GJZ", name="甘井子区总工会", type=UnitType.DISTRICT, region=district, parent=federation
    )
    user = User.objects.create_user(username="planner", password=PASSWORD)
    Membership.objects.create(user=user, unit=union, role=Role.UNIT_ADMIN)
    for n, (x, y) in enumerate(((500, 500), (1500, 2500), (800, 3500)), start=1):
        lng, lat = gcj(x, y)
        PositionFactory(
            unit=union,
            region=district,
            code=f"GJZ-{n:03d}",
            lng=lng,
            lat=lat,
            construction_type=ConstructionType.MERCHANT,
            state=PositionState.OPERATING,
        )


def _main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[:1] == ["seed"]:
        _seed()
        return
    raise SystemExit(f"unknown command {argv}")


if __name__ == "__main__":
    _main(sys.argv[1:])
