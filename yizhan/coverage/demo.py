"""Demo demand and candidate sites for Dalian (issue 18 §2): deterministic and idempotent.

The demand is the default grid (250 m) over the federation's area, weighted where outdoor workers
are: a level per district (the urban districts of the peninsula's tip far above the rural north)
and bumps around hubs — markets, courier and delivery hubs, taxi stands — placed inside the real
district boundaries. Candidates are branches of co-building partners (banks, gas stations, telecom
halls, public toilets). One straight-line coverage run is computed so the report has a first answer.
"""

from __future__ import annotations

import numpy as np
from shapely.geometry import shape

from yizhan.core.roles import Role
from yizhan.coverage.choices import CandidateSource, DemandSource, PartnerKind
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet
from yizhan.coverage.services import _candidates_save, coverage_run_create, demand_grid_create
from yizhan.orgs.models import Membership, Region, Unit
from yizhan.orgs.selectors import actor_for_user

SEED = 20260018
FEDERATION = "DL"
DEMAND_NAME = "大连市户外劳动者分布（演示）"
CANDIDATES_NAME = "共建单位网点（演示）"
# Workers per cell before hubs: the urban districts of the peninsula's tip, then the rest.
DISTRICT_LEVEL = {
    "210202": 6.0, "210203": 6.0, "210204": 5.0, "210211": 3.0, "210212": 0.8, "210213": 1.5,
    "210214": 0.4, "210224": 0.2, "210281": 0.4, "210283": 0.4,
}  # fmt: skip
# District → number of hubs (markets, courier hubs, taxi stands).
HUBS = {"210202": 10, "210203": 8, "210204": 10, "210211": 14, "210213": 6, "210212": 2, "210281": 2, "210283": 2}
HUB_SIGMA_M = 600.0
PARTNERS = {
    PartnerKind.BANK: ("工商银行", "建设银行", "农业银行", "中国银行", "大连银行"),
    PartnerKind.GAS_STATION: ("中国石化加油站", "中国石油加油站"),
    PartnerKind.TELECOM: ("中国移动营业厅", "中国联通营业厅", "中国电信营业厅"),
    PartnerKind.PUBLIC_TOILET: ("环卫公厕",),
}
PARTNERS_PER_DISTRICT = {"210202": 50, "210203": 40, "210204": 50, "210211": 70, "210213": 40, "210212": 15}


def _points_in(rng: np.random.Generator, district, count: int, frame: MetricFrame) -> np.ndarray:
    """`count` points inside a district (metres), drawn around its populated core."""
    import shapely

    area = frame.geometry_from_gcj02(district)
    shapely.prepare(area)
    centre = area.representative_point()
    min_x, min_y, max_x, max_y = area.bounds
    spread = min(max_x - min_x, max_y - min_y) / 4
    found: list[tuple[float, float]] = []
    while len(found) < count:
        x = rng.normal(centre.x, spread, 64)
        y = rng.normal(centre.y, spread, 64)
        inside = shapely.intersects_xy(area, x, y)
        found.extend(zip(x[inside], y[inside], strict=True))
    return np.asarray(found[:count])


def _hubs(frame: MetricFrame) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    regions = {r.adcode: r for r in Region.objects.filter(adcode__in=HUBS).exclude(boundary=None)}
    points = [_points_in(rng, shape(regions[a].boundary), n, frame) for a, n in sorted(HUBS.items()) if a in regions]
    return np.vstack(points) if points else np.empty((0, 2))


def _weights(districts: list[dict]):
    levels = np.asarray([DISTRICT_LEVEL.get(d["adcode"], 0.5) for d in districts] + [0.0])

    def weights(x, y, frame):
        from yizhan.coverage.engine.grid import district_index

        regions = Region.objects.in_bulk([d["adcode"] for d in districts], field_name="adcode")
        index = district_index(
            x, y, [frame.geometry_from_gcj02(shape(regions[d["adcode"]].boundary)) for d in districts]
        )
        weight = levels[index]  # -1 (outside every district) reads the last level, 0
        for hx, hy in _hubs(frame):
            near = (np.abs(x - hx) < 4 * HUB_SIGMA_M) & (np.abs(y - hy) < 4 * HUB_SIGMA_M)
            d2 = (x[near] - hx) ** 2 + (y[near] - hy) ** 2
            weight[near] += 40.0 * np.exp(-d2 / (2 * HUB_SIGMA_M**2))
        return np.round(weight, 3)

    return weights


def load() -> list[str]:
    """Demo demand, candidates and a first coverage report for 大连市总工会 (idempotent)."""
    unit = Unit.objects.filter(code=FEDERATION).first()
    membership = Membership.objects.filter(unit=unit, role=Role.FEDERATION_ADMIN).select_related("user").first()
    if unit is None or membership is None or DemandSet.objects.filter(unit=unit, source=DemandSource.DEMO).exists():
        return []
    actor = actor_for_user(membership.user, membership)
    region = Region.objects.get(pk=unit.region_id)
    districts = [
        {"adcode": r.adcode, "name": r.name}
        for r in Region.objects.filter(parent=region).exclude(boundary=None).order_by("adcode")
    ]
    demand = demand_grid_create(
        actor=actor, unit=unit, name=DEMAND_NAME, weights=_weights(districts), source=DemandSource.DEMO
    )
    if not CandidateSet.objects.filter(unit=unit, source=CandidateSource.DEMO).exists():
        _demo_candidates(unit, MetricFrame(demand.frame_lng, demand.frame_lat))
    if not CoverageRun.objects.filter(demand_set=demand).exists():
        coverage_run_create(actor=actor, demand_set=demand)
    return []


def _demo_candidates(unit: Unit, frame: MetricFrame) -> CandidateSet:
    rng = np.random.default_rng(SEED + 1)
    regions = {r.adcode: r for r in Region.objects.filter(adcode__in=PARTNERS_PER_DISTRICT).exclude(boundary=None)}
    kinds = list(PARTNERS)
    lng, lat, labels, kind_of = [], [], [], []
    for adcode, count in sorted(PARTNERS_PER_DISTRICT.items()):
        if adcode not in regions:
            continue
        points = _points_in(rng, shape(regions[adcode].boundary), count, frame)
        plng, plat = frame.to_gcj02(points[:, 0], points[:, 1])
        for n in range(count):
            kind = kinds[int(rng.integers(len(kinds)))]
            brand = PARTNERS[kind][int(rng.integers(len(PARTNERS[kind])))]
            labels.append(f"{brand}{regions[adcode].name}{n + 1}号网点")
            kind_of.append(kind.value)
            lng.append(round(float(plng[n]), 6))
            lat.append(round(float(plat[n]), 6))
    return _candidates_save(
        unit=unit, name=CANDIDATES_NAME, source=CandidateSource.DEMO, lng=lng, lat=lat, labels=labels, kinds=kind_of
    )
