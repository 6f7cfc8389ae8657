"""Demo positions for the demo federation (issue 3 §9): about 300 Dalian positions placed inside the
real district boundaries, denser in the urban districts, in every state and construction type,
plus service centres of each level with work stations. Deterministic (fixed seed) and idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from shapely.geometry import Point, shape

from yizhan.core.roles import Role
from yizhan.orgs.models import Membership, Region, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.positions import services
from yizhan.positions.choices import (
    OPTIONAL_FACILITIES,
    REQUIRED_FACILITIES,
    Ability,
    BuildMode,
    BuildNature,
    CentreLevel,
    ConstructionType,
    EntryMethod,
    PositionKind,
    PositionState,
    ServedGroup,
    Service,
)
from yizhan.positions.models import Position

SEED = 20221
# District union code → number of stations (urban districts denser).
STATIONS_PER_UNIT = {
    "DL-ZS": 52, "DL-XG": 44, "DL-SHK": 48, "DL-GJZ": 56, "DL-LSK": 14, "DL-JZ": 22,
    "DL-PLD": 12, "DL-CH": 4, "DL-WFD": 14, "DL-ZH": 12,
}  # fmt: skip
STREET_NAMES = [
    "人民路", "中山路", "解放路", "长江路", "黄河路", "五四路", "八一路", "胜利路", "友好广场", "青泥洼桥", "星海广场",
    "西安路", "春柳", "泉水", "周水子", "桃源", "白云山", "香炉礁", "华北路", "数码路", "高新园", "马栏", "黑石礁",
    "凌水", "后盐", "红旗西路", "西南路", "千山路", "金马路", "站前", "滨海", "海事大学", "体育中心", "火车站", "港湾",
]  # fmt: skip
KINDS_OF_SITE = ["环卫驿站", "爱心驿站", "银行驿站", "加油站驿站", "社区驿站", "商超驿站", "警务驿站", "快递驿站"]
HOURS = [
    ("always", None),
    ("04:00-22:00", "sanitation"),
    ("06:00-20:00", None),
    ("mon-fri 08:00-18:00; sat,sun 09:00-17:00", None),
    ("05:00-23:00", None),
]
STATE_PLAN = (
    [PositionState.OPERATING] * 70
    + [PositionState.SUSPENDED] * 8
    + [PositionState.BUILDING] * 8
    + [PositionState.PLANNED] * 7
    + [PositionState.DELISTED] * 7
)
PATHS = {
    PositionState.PLANNED: [],
    PositionState.BUILDING: [PositionState.BUILDING],
    PositionState.OPERATING: [PositionState.BUILDING, PositionState.OPERATING],
    PositionState.SUSPENDED: [PositionState.BUILDING, PositionState.OPERATING, PositionState.SUSPENDED],
    PositionState.DELISTED: [PositionState.BUILDING, PositionState.OPERATING, PositionState.DELISTED],
}
REASONS = {
    PositionState.SUSPENDED: ["装修改造，暂停服务", "水管维修，暂停供水", "共建单位调整"],
    PositionState.DELISTED: ["星级考核连续两期未达标，摘牌", "检查发现不能正常提供服务，摘牌", "共建商户停业"],
}
CENTRES = [
    ("DL-ZS", "中山区职工服务中心", CentreLevel.DISTRICT, ["青泥洼桥", "人民路"]),
    ("DL-XG", "西岗区职工服务中心", CentreLevel.DISTRICT, ["八一路"]),
    ("DL-SHK", "沙河口区春柳街道职工服务中心", CentreLevel.STREET, ["春柳一社区"]),
    ("DL-GJZ", "甘井子区泉水街道职工服务中心", CentreLevel.STREET, []),
    ("DL-JZSH", "大连石化公司职工服务中心", CentreLevel.ENTERPRISE, ["炼油一厂"]),
]


def _random_point(rng: random.Random, boundary) -> tuple[float, float]:
    min_lng, min_lat, max_lng, max_lat = boundary.bounds
    # Urban positions cluster near the district's populated core: sample around the centroid first.
    centre = boundary.representative_point()
    for attempt in range(2000):
        spread = 0.35 if attempt < 1000 else 1.0
        lng = centre.x + rng.gauss(0, (max_lng - min_lng) * spread / 3)
        lat = centre.y + rng.gauss(0, (max_lat - min_lat) * spread / 3)
        if boundary.contains(Point(lng, lat)):
            return round(lng, 6), round(lat, 6)
    return round(centre.x, 6), round(centre.y, 6)


def _actor_for(unit: Unit):
    membership = Membership.objects.filter(unit=unit, role=Role.UNIT_ADMIN).select_related("user").first()
    if membership is None:
        membership = (
            Membership.objects.filter(unit__path__in=[unit.path[:i] for i in range(4, len(unit.path) + 1, 4)])
            .filter(role__in=[Role.UNIT_ADMIN, Role.FEDERATION_ADMIN])
            .select_related("user")
            .order_by("-unit__depth")
            .first()
        )
    return actor_for_user(membership.user, membership)


def _station_fields(rng: random.Random, n: int, unit: Unit, boundary) -> dict:
    lng, lat = _random_point(rng, boundary)
    street = rng.choice(STREET_NAMES)
    site = rng.choice(KINDS_OF_SITE)
    construction = list(ConstructionType)[n % 5]
    mode = (
        BuildMode.CO_BUILT
        if construction in (ConstructionType.FINANCIAL, ConstructionType.MERCHANT)
        else rng.choice(list(BuildMode))
    )
    hours_text, _tag = HOURS[n % len(HOURS)]
    from yizhan.positions.hours import parse_schedule_text

    facilities = list(REQUIRED_FACILITIES) if rng.random() > 0.1 else list(REQUIRED_FACILITIES[:-2])
    facilities += rng.sample(list(OPTIONAL_FACILITIES), rng.randint(1, 6))
    abilities = [a for a in Ability if rng.random() > 0.2 or a in (Ability.REST, Ability.DRINK)]
    return {
        "code": f"{unit.code}-S{n:03d}",
        "kind": PositionKind.STATION,
        "official_name": f"工会户外劳动者服务站点·{street}{site}{n}",
        "short_name": f"{street}{site}",
        "address": f"大连市{unit.region.name}{street}{rng.randint(1, 300)}号",
        "lng": lng,
        "lat": lat,
        "construction_type": construction,
        "build_mode": mode,
        "co_builder": {
            ConstructionType.FINANCIAL: "中国工商银行大连分行",
            ConstructionType.MERCHANT: "中石油大连销售分公司",
        }.get(construction, "市城市管理局" if mode == BuildMode.CO_BUILT else ""),
        "build_nature": rng.choice(list(BuildNature)),
        "floor_area": round(rng.uniform(12, 80), 1),
        "manager_name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["师傅", "站长", "女士", "先生"]),
        "manager_phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        "public_phone": f"0411-{rng.randint(80000000, 89999999)}",
        "always_open": hours_text == "always",
        "weekly_hours": {} if hours_text == "always" else parse_schedule_text(hours_text),
        "facilities": facilities,
        "abilities": abilities,
        "services": rng.sample(list(Service), rng.randint(2, 6)),
        "served_groups": rng.sample(list(ServedGroup)[:8], rng.randint(2, 5)),
        "entry_method": rng.choice(list(EntryMethod)),
        "verified_on": date(2026, 11, 1) - timedelta(days=rng.randint(0, 300)),
        "signage_issued_on": date(2023, 1, 1) + timedelta(days=rng.randint(0, 900)),
        "plaque_number": f"DLGH-{n:04d}",
    }


def _walk_to(actor, position: Position, state: str, rng: random.Random) -> None:
    day = date(2024, 3, 1) + timedelta(days=rng.randint(0, 400))
    for step in PATHS[state]:
        day += timedelta(days=rng.randint(10, 120))
        services.position_transition(
            actor=actor,
            position=position,
            to_state=step,
            reason=rng.choice(REASONS[step]) if step in REASONS else "",
            effective_on=day,
            expected_reopen_on=day + timedelta(days=30) if step == PositionState.SUSPENDED else None,
        )


@transaction.atomic
def load() -> list[str]:
    if Position.objects.filter(code__startswith="DL-").exists():
        return [f"  服务阵地：已有 {Position.objects.count()} 个（未重复创建）"]
    rng = random.Random(SEED)
    boundaries = {r.adcode: shape(r.boundary) for r in Region.objects.filter(level="district").exclude(boundary=None)}
    created = 0
    n = 0
    for code, count in STATIONS_PER_UNIT.items():
        unit = Unit.objects.select_related("region").get(code=code)
        actor = _actor_for(unit)
        for _ in range(count):
            n += 1
            position = services.position_create(
                actor=actor, unit=unit, **_station_fields(rng, n, unit, boundaries[unit.region.adcode])
            )
            _walk_to(actor, position, STATE_PLAN[n % len(STATE_PLAN)], rng)
            created += 1
    for unit_code, name, level, work_stations in CENTRES:
        unit = Unit.objects.select_related("region").get(code=unit_code)
        actor = _actor_for(unit)
        area = boundaries.get(unit.region.adcode) or boundaries["210202"]
        lng, lat = _random_point(rng, area)
        centre = services.position_create(
            actor=actor,
            unit=unit,
            code=f"{unit.code}-C1",
            kind=PositionKind.CENTRE,
            centre_level=level,
            official_name=name,
            address=f"大连市{name}",
            lng=lng,
            lat=lat,
            area_override_reason="" if unit.region.boundary else "",
            construction_type=ConstructionType.UNION_CENTRE,
            floor_area={CentreLevel.DISTRICT: 420, CentreLevel.STREET: 230, CentreLevel.ENTERPRISE: 180}[level],
            weekly_hours={
                "mon": [["08:30", "17:30"]],
                "tue": [["08:30", "17:30"]],
                "wed": [["08:30", "17:30"]],
                "thu": [["08:30", "17:30"]],
                "fri": [["08:30", "17:30"]],
            },
            public_phone="12351",
        )
        _walk_to(actor, centre, PositionState.OPERATING, rng)
        created += 1
        for i, ws in enumerate(work_stations, start=1):
            lng2, lat2 = _random_point(rng, area)
            station = services.position_create(
                actor=actor,
                unit=unit,
                code=f"{unit.code}-C1-W{i}",
                kind=PositionKind.WORK_STATION,
                parent_centre=centre,
                official_name=f"{name}{ws}工作站",
                address=f"大连市{ws}",
                lng=lng2,
                lat=lat2,
                construction_type=ConstructionType.PUBLIC_SERVICE,
                weekly_hours={"mon": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]},
            )
            _walk_to(actor, station, PositionState.OPERATING, rng)
            created += 1
    return [f"  服务阵地：{created} 个（站点、职工服务中心及工作站）"]
