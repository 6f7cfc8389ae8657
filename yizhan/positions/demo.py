"""Demo positions for the demo federation (issue 3 §9): about 300 Dalian positions placed inside the
real district boundaries, denser in the urban districts, in every state and construction type,
plus service centres of each level with work stations. Deterministic (fixed seed) and idempotent."""

from __future__ import annotations

import functools
import math
import random
from datetime import date, timedelta

from django.db import transaction
from shapely.geometry import Point, shape

from yizhan.core.audit import audit_record
from yizhan.core.hours import parse_schedule_text
from yizhan.core.models import AuditAction
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Membership, Region, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.orgs.services import federation_create
from yizhan.positions import services
from yizhan.positions.choices import (
    KNOWN_CONSTRUCTION_TYPES,
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
from yizhan.positions.rules import pinyin_initials

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
    # A few stations as a legacy registry brought them: construction type 待核实 (the 待核实 list).
    construction = ConstructionType.UNKNOWN if n % 50 == 47 else KNOWN_CONSTRUCTION_TYPES[n % 5]
    mode = (
        BuildMode.CO_BUILT
        if construction in (ConstructionType.FINANCIAL, ConstructionType.MERCHANT)
        else rng.choice(list(BuildMode))
    )
    hours_text, _tag = HOURS[n % len(HOURS)]
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


# Stars come from ratings (decision 13 ended): `yizhan.standards.demo` assesses and rates stations.


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
            state = STATE_PLAN[n % len(STATE_PLAN)]
            _walk_to(actor, position, state, rng)
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


# --- `yizhan demo --national N`: synthetic stations over China's cities, for benchmarks -------------

NATIONAL_SEED = 2024_186
NATIONAL_PREFIX = "NAT-"
NATIONAL_FEDERATION = ("CN-DEMO", "全国演示总工会")
NATIONAL_BATCH = 5_000
# City centres in GCJ-02 (approximate: the synthetic stations scatter a few km around them), with the
# city's adcode, its province's name, and a weight (bigger cities get more stations).
CITIES = [
    ("北京市", "110100", 116.4074, 39.9042, "北京市", 4),
    ("天津市", "120100", 117.2008, 39.0842, "天津市", 3),
    ("石家庄市", "130100", 114.5149, 38.0428, "河北省", 2),
    ("唐山市", "130200", 118.1802, 39.6309, "河北省", 1),
    ("保定市", "130600", 115.4646, 38.8739, "河北省", 1),
    ("太原市", "140100", 112.5489, 37.8706, "山西省", 2),
    ("呼和浩特市", "150100", 111.7492, 40.8426, "内蒙古自治区", 1),
    ("包头市", "150200", 109.8403, 40.6574, "内蒙古自治区", 1),
    ("沈阳市", "210100", 123.4315, 41.8057, "辽宁省", 2),
    ("大连市", "210200", 121.6147, 38.9140, "辽宁省", 2),
    ("鞍山市", "210300", 122.9946, 41.1087, "辽宁省", 1),
    ("长春市", "220100", 125.3235, 43.8171, "吉林省", 2),
    ("吉林市", "220200", 126.5496, 43.8378, "吉林省", 1),
    ("哈尔滨市", "230100", 126.5350, 45.8038, "黑龙江省", 2),
    ("大庆市", "230600", 125.1040, 46.5893, "黑龙江省", 1),
    ("上海市", "310100", 121.4737, 31.2304, "上海市", 4),
    ("南京市", "320100", 118.7969, 32.0603, "江苏省", 2),
    ("无锡市", "320200", 120.3119, 31.4912, "江苏省", 1),
    ("徐州市", "320300", 117.2841, 34.2058, "江苏省", 1),
    ("常州市", "320400", 119.9740, 31.8112, "江苏省", 1),
    ("苏州市", "320500", 120.5853, 31.2989, "江苏省", 2),
    ("南通市", "320600", 120.8943, 31.9802, "江苏省", 1),
    ("杭州市", "330100", 120.1551, 30.2741, "浙江省", 2),
    ("宁波市", "330200", 121.5503, 29.8746, "浙江省", 1),
    ("温州市", "330300", 120.6994, 27.9943, "浙江省", 1),
    ("绍兴市", "330600", 120.5802, 30.0302, "浙江省", 1),
    ("金华市", "330700", 119.6474, 29.0790, "浙江省", 1),
    ("合肥市", "340100", 117.2272, 31.8206, "安徽省", 2),
    ("六安市", "341500", 116.5220, 31.7349, "安徽省", 1),
    ("福州市", "350100", 119.2965, 26.0745, "福建省", 2),
    ("厦门市", "350200", 118.0894, 24.4798, "福建省", 1),
    ("泉州市", "350500", 118.6759, 24.8741, "福建省", 1),
    ("南昌市", "360100", 115.8582, 28.6829, "江西省", 2),
    ("济南市", "370100", 117.1205, 36.6510, "山东省", 2),
    ("青岛市", "370200", 120.3826, 36.0671, "山东省", 2),
    ("烟台市", "370600", 121.4479, 37.4638, "山东省", 1),
    ("潍坊市", "370700", 119.1619, 36.7068, "山东省", 1),
    ("郑州市", "410100", 113.6254, 34.7466, "河南省", 2),
    ("洛阳市", "410300", 112.4540, 34.6197, "河南省", 1),
    ("武汉市", "420100", 114.3054, 30.5931, "湖北省", 3),
    ("宜昌市", "420500", 111.2865, 30.6919, "湖北省", 1),
    ("襄阳市", "420600", 112.1224, 32.0090, "湖北省", 1),
    ("长沙市", "430100", 112.9388, 28.2282, "湖南省", 2),
    ("株洲市", "430200", 113.1340, 27.8274, "湖南省", 1),
    ("广州市", "440100", 113.2644, 23.1291, "广东省", 4),
    ("深圳市", "440300", 114.0579, 22.5431, "广东省", 4),
    ("珠海市", "440400", 113.5767, 22.2707, "广东省", 1),
    ("佛山市", "440600", 113.1214, 23.0215, "广东省", 2),
    ("惠州市", "441300", 114.4158, 23.1115, "广东省", 1),
    ("东莞市", "441900", 113.7518, 23.0205, "广东省", 2),
    ("南宁市", "450100", 108.3661, 22.8172, "广西壮族自治区", 2),
    ("柳州市", "450200", 109.4160, 24.3264, "广西壮族自治区", 1),
    ("桂林市", "450300", 110.2900, 25.2736, "广西壮族自治区", 1),
    ("海口市", "460100", 110.1999, 20.0442, "海南省", 1),
    ("三亚市", "460200", 109.5120, 18.2528, "海南省", 1),
    ("重庆市", "500100", 106.5516, 29.5630, "重庆市", 4),
    ("成都市", "510100", 104.0665, 30.5723, "四川省", 3),
    ("绵阳市", "510700", 104.6791, 31.4675, "四川省", 1),
    ("贵阳市", "520100", 106.6302, 26.6477, "贵州省", 2),
    ("昆明市", "530100", 102.8329, 24.8801, "云南省", 2),
    ("拉萨市", "540100", 91.1409, 29.6456, "西藏自治区", 1),
    ("西安市", "610100", 108.9402, 34.3416, "陕西省", 3),
    ("兰州市", "620100", 103.8343, 36.0611, "甘肃省", 2),
    ("西宁市", "630100", 101.7782, 36.6171, "青海省", 1),
    ("银川市", "640100", 106.2309, 38.4872, "宁夏回族自治区", 1),
    ("乌鲁木齐市", "650100", 87.6168, 43.8256, "新疆维吾尔自治区", 2),
    ("喀什地区", "653100", 75.9898, 39.4677, "新疆维吾尔自治区", 1),
]
# Standard deviation of the scatter around a city centre, in degrees of latitude (≈ 4 km).
NATIONAL_SPREAD = 0.035
# About 85 % operating (spec §2: only operating positions are on the public map), the rest mixed.
NATIONAL_STATES = (
    [PositionState.OPERATING] * 85
    + [PositionState.SUSPENDED] * 5
    + [PositionState.BUILDING] * 4
    + [PositionState.PLANNED] * 3
    + [PositionState.DELISTED] * 3
)


def _national_regions() -> dict[str, Region]:
    """The cities of CITIES and their provinces, created without boundaries when missing."""
    existing = {r.adcode: r for r in Region.objects.filter(level__in=["province", "city"]).defer("boundary")}
    for name, adcode, _lng, _lat, province, _weight in CITIES:
        province_code = adcode[:2] + "0000"
        if province_code not in existing:
            existing[province_code] = Region.objects.create(adcode=province_code, name=province, level="province")
        if adcode not in existing:
            existing[adcode] = Region.objects.create(
                adcode=adcode, name=name, level="city", parent=existing[province_code]
            )
    return existing


def _national_units(regions: dict[str, Region]) -> tuple[Unit, dict[str, Unit]]:
    """The national demo federation with one industry union per city (through the audited service)."""
    code, name = NATIONAL_FEDERATION
    root = Unit.objects.filter(code=code).first() or federation_create(
        code=code, name=name, type=UnitType.PROVINCIAL_FEDERATION, region=regions["110000"]
    )
    units = {u.code: u for u in Unit.objects.filter(code__startswith=f"{code}-")}
    for city, adcode, *_rest in CITIES:
        unit_code = f"{code}-{adcode}"
        if unit_code not in units:
            units[unit_code] = federation_create(
                code=unit_code,
                name=f"{city}户外劳动者产业工会（演示）",
                type=UnitType.INDUSTRY,
                region=regions[adcode],
                parent=Unit.objects.get(pk=root.pk),
            )
    return root, {adcode: units[f"{code}-{adcode}"] for _c, adcode, *_rest in CITIES}


def _national_station(rng: random.Random, n: int, units: dict[str, Unit], regions: dict[str, Region]) -> Position:
    city, adcode, lng0, lat0, _province, _weight = rng.choices(CITIES, weights=[c[5] for c in CITIES])[0]
    lat = lat0 + rng.gauss(0, NATIONAL_SPREAD)
    lng = lng0 + rng.gauss(0, NATIONAL_SPREAD / math.cos(math.radians(lat0)))
    street = rng.choice(STREET_NAMES)
    site = rng.choice(KINDS_OF_SITE)
    construction = rng.choice(KNOWN_CONSTRUCTION_TYPES)
    co_built = construction in (ConstructionType.FINANCIAL, ConstructionType.MERCHANT) or rng.random() < 0.3
    hours_text, _tag = rng.choice(HOURS)
    state = rng.choice(NATIONAL_STATES)
    facilities = list(REQUIRED_FACILITIES) if rng.random() > 0.1 else list(REQUIRED_FACILITIES[:-2])
    facilities += rng.sample(list(OPTIONAL_FACILITIES), rng.randint(0, 6))
    opened = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2000))
    official_name = f"工会户外劳动者服务站点·{city.removesuffix('市')}{street}{site}"
    return Position(
        code=f"{NATIONAL_PREFIX}{n:06d}",
        kind=PositionKind.STATION,
        official_name=official_name,
        short_name=f"{street}{site}",
        search_initials=_initials(official_name),
        unit=units[adcode],
        region=regions[adcode],
        address=f"{city}{street}{rng.randint(1, 999)}号",
        lng=round(lng, 6),
        lat=round(lat, 6),
        construction_type=construction,
        build_mode=BuildMode.CO_BUILT if co_built else BuildMode.SELF_BUILT,
        co_builder=rng.choice(["中国工商银行", "中国石化", "中国邮政", "城市管理局", "连锁药店"]) if co_built else "",
        build_nature=rng.choice(list(BuildNature)),
        floor_area=round(rng.uniform(10, 120), 1),
        public_phone=f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}",
        always_open=hours_text == "always",
        weekly_hours={} if hours_text == "always" else _schedule(hours_text),
        facilities=[str(f) for f in facilities],
        abilities=[str(a) for a in Ability if rng.random() > 0.2 or a in (Ability.REST, Ability.DRINK)],
        services=[str(s) for s in rng.sample(list(Service), rng.randint(1, 6))],
        served_groups=[str(g) for g in rng.sample(list(ServedGroup)[:8], rng.randint(2, 5))],
        entry_method=rng.choice(list(EntryMethod)),
        verified_on=date(2026, 11, 1) - timedelta(days=rng.randint(0, 500)),
        opened_on=None if state in (PositionState.PLANNED, PositionState.BUILDING) else opened,
        state=state,
        state_reason=rng.choice(REASONS[state]) if state in REASONS else "",
    )


@functools.cache
def _initials(name: str) -> str:
    return pinyin_initials(name)


@functools.cache
def _schedule(text: str) -> dict:
    return parse_schedule_text(text)


@transaction.atomic
def load_national(n: int) -> list[str]:
    """`yizhan demo --national N` (issue 3 §9): N synthetic stations spread over about 70 Chinese cities
    under a 全国演示总工会 with one industry union per city, for benchmarks. Deterministic (fixed seed:
    station NAT-000001 is always the same) and additive: a run creates only the codes NAT-000001 …
    NAT-<N> that do not exist yet. Written with bulk_create (no per-row audit or history rows) and
    summarised by one audit entry."""
    regions = _national_regions()
    root, units = _national_units(regions)
    existing = set(Position.objects.filter(code__startswith=NATIONAL_PREFIX).values_list("code", flat=True))
    rng = random.Random(NATIONAL_SEED)
    batch: list[Position] = []
    created = 0
    for i in range(1, n + 1):
        station = _national_station(rng, i, units, regions)
        if station.code in existing:
            continue
        batch.append(station)
        if len(batch) == NATIONAL_BATCH:
            created += len(Position.objects.bulk_create(batch))
            batch = []
    if batch:
        created += len(Position.objects.bulk_create(batch))
    if created:
        audit_record(
            action=AuditAction.IMPORT,
            object_type="positions.position",
            object_id=f"{NATIONAL_PREFIX}*",
            object_repr=f"全国演示站点 {created} 个",
            unit_path=root.path,
            unit_name=root.name,
            after={"created": created, "requested": n, "seed": NATIONAL_SEED, "cities": len(CITIES)},
        )
    total = Position.objects.filter(code__startswith=NATIONAL_PREFIX).count()
    return [f"  全国演示站点：新建 {created} 个，共 {total} 个（{len(CITIES)} 个城市，{root.name}）"]
