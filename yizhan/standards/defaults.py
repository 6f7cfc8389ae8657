"""The standards shipped with Yizhan (spec §3), loaded as version 1 of each standard of a
federation by `services.standard_defaults_load` (`yizhan federation-create`, the demo and
`yizhan standards-load`). They are data: the federation edits a draft copy and publishes its own
versions.

Each item: (key, text, options) where options may set group, kinds, centre_levels, check_type,
minimum, unit_label, choices, passing_choices, required and points."""

from __future__ import annotations

from yizhan.positions.choices import OPTIONAL_FACILITIES, REQUIRED_FACILITIES, CentreLevel, Facility, PositionKind
from yizhan.standards.choices import CheckType

STATION = [PositionKind.STATION.value]
CENTRE = [PositionKind.CENTRE.value]

NINE_HAVES = [
    ("fixed_space", "有固定场所"),
    ("unified_signage", "有统一标识名称"),
    ("reasonable_layout", "有合理布局"),
    ("sound_facilities", "有完善设施"),
    ("complete_functions", "有齐全功能"),
    ("management_rules", "有规范管理制度（日常管理制度、服务流程、安全须知，上墙公示）"),
    ("assigned_personnel", "有专人管理"),
    ("sustained_funding", "有持续经费保障"),
    ("online_map", "有网上地图可查"),
]

SIX_HAVES = [
    ("reception_hall", "有接待服务大厅"),
    ("plaque", "有服务中心标牌"),
    ("mediation_room", "有劳动争议调解室"),
    ("training_venue", "有职工培训场所"),
    ("culture_sports", "有文体活动场所及宣传栏"),
    ("service_hotline", "有服务热线"),
]

# Source 000: 饮用水、微波炉、桌椅、电风扇(空调)、医药箱、多功能电源插座 and 应正常通水通电. The six
# facilities carry the rating's 4 points each (spec §4: 4 × 6 = 24); running water and power is
# required (missing it is missing a required facility) but scores nothing of its own.
_FACILITY_POINTS = {f: 4 for f in REQUIRED_FACILITIES if f != Facility.WATER_AND_POWER} | {Facility.WATER_AND_POWER: 0}

_AREA = {"check_type": CheckType.NUMBER, "unit_label": "平方米", "kinds": CENTRE}

CENTRE_AREA = [
    (
        "district_total",
        "区级中心使用面积不少于300平方米",
        {**_AREA, "centre_levels": [CentreLevel.DISTRICT], "minimum": 300},
    ),
    (
        "district_hall",
        "区级中心服务大厅不少于100平方米",
        {**_AREA, "centre_levels": [CentreLevel.DISTRICT], "minimum": 100},
    ),
    (
        "district_other",
        "区级中心其他功能区不少于200平方米",
        {**_AREA, "centre_levels": [CentreLevel.DISTRICT], "minimum": 200},
    ),
    (
        "street_total",
        "街道（乡镇、开发区）中心使用面积不少于200平方米",
        {**_AREA, "centre_levels": [CentreLevel.STREET], "minimum": 200},
    ),
    (
        "enterprise_soe_total",
        "国有大型企业中心使用面积不少于200平方米（其他企业不适用）",
        {**_AREA, "centre_levels": [CentreLevel.ENTERPRISE], "minimum": 200, "required": False},
    ),
    (
        "enterprise_total",
        "企业中心使用面积不少于100平方米",
        {**_AREA, "centre_levels": [CentreLevel.ENTERPRISE], "minimum": 100},
    ),
]

_STREET = {"kinds": CENTRE, "centre_levels": [CentreLevel.STREET]}
_ENTERPRISE = {"kinds": CENTRE, "centre_levels": [CentreLevel.ENTERPRISE]}
_STREET_BASIC = ["政策咨询", "困难帮扶", "就业服务", "法律援助和劳动争议调解", "职工培训", "医疗互助"]
_STREET_OPTIONAL = ["心理咨询", "文体活动", "职工书屋", "行政服务", "爱心超市", "婚恋交友", "疗休养"]
_ENTERPRISE_BASIC = [
    "困难帮扶",
    "劳动争议调解",
    "法律援助",
    "就业服务",
    "医疗互助",
    "职工培训",
    "心理咨询",
    "文体活动",
    "婚恋交友",
]
_WALL_NOTICES = ["服务网点", "服务范围", "服务项目", "服务流程", "岗位职责", "服务承诺", "联系方式"]

CENTRE_SERVICES = [
    *[(f"street_basic_{i}", name, {**_STREET, "group": "基本服务项目"}) for i, name in enumerate(_STREET_BASIC, 1)],
    *[
        (f"street_optional_{i}", name, {**_STREET, "group": "可选服务项目", "required": False})
        for i, name in enumerate(_STREET_OPTIONAL, 1)
    ],
    *[
        (f"enterprise_basic_{i}", name, {**_ENTERPRISE, "group": "基本服务项目"})
        for i, name in enumerate(_ENTERPRISE_BASIC, 1)
    ],
    *[
        (f"wall_notice_{i}", f"上墙公示：{name}", {"kinds": CENTRE, "group": "上墙公示"})
        for i, name in enumerate(_WALL_NOTICES, 1)
    ],
]

FACILITIES = [
    *[
        (f.value, str(f.label), {"kinds": STATION, "group": "必备设施", "points": _FACILITY_POINTS[f]})
        for f in REQUIRED_FACILITIES
    ],
    *[
        (f.value, str(f.label), {"kinds": STATION, "group": "可选设施", "required": False, "points": 2})
        for f in OPTIONAL_FACILITIES
    ],
]

# The on-site part of a star rating (spec §4): the facilities (site and hardware) and the four
# management items, keyed as `rating.RatingPolicy` reads them; volume and effect come from the ledger.
MANAGEMENT = [
    ("rules_posted", "管理制度上墙（日常管理制度、服务流程、安全须知）"),
    ("manager_assigned", "有专人管理"),
    ("ledger_current", "台账及时记录"),
    ("info_shown", "门外公示服务内容、开放时间、管理员姓名及电话"),
]
STAR_RATING = [
    *FACILITIES,
    *[(key, text, {"kinds": STATION, "group": "人员与管理", "points": 5}) for key, text in MANAGEMENT],
]

# code → (name, source, description, items)
DEFAULT_STANDARDS: dict[str, tuple[str, str, str, list]] = {
    "nine-haves": ("九有", "001", "户外劳动者服务站点建设标准", [(k, t, {"kinds": STATION}) for k, t in NINE_HAVES]),
    "eight-haves": (
        "八有",
        "003",
        "来源文件只提及名称、未列出条目：作为九有的可编辑副本提供，由总工会按本地标准修改后发布",
        [(k, t, {"kinds": STATION}) for k, t in NINE_HAVES],
    ),
    "six-haves": ("六有", "002", "职工服务中心建设标准", [(k, t, {"kinds": CENTRE}) for k, t in SIX_HAVES]),
    "facilities": ("站点设施", "000", "必备设施与可选设施", FACILITIES),
    "centre-area": ("职工服务中心面积", "002", "各层级职工服务中心的最低使用面积", CENTRE_AREA),
    "star-rating": (
        "星级评定现场检查",
        "001",
        "户外劳动者服务站点星级评定的现场条目（场地与硬件、人员与管理）；服务量与服务效果取自台账与意见",
        STAR_RATING,
    ),
    "centre-services": ("职工服务中心服务项目", "002", "各层级职工服务中心的服务项目与上墙公示", CENTRE_SERVICES),
}


def item_fields(order: int, key: str, text: str, options: dict) -> dict:
    """The StandardItem fields of one default item."""
    fields = {"order": order, "key": key, "text": text, **options}
    for name in ("kinds", "centre_levels"):
        fields[name] = [str(v) for v in fields.get(name, [])]
    if "check_type" in fields:
        fields["check_type"] = str(fields["check_type"])
    return fields
