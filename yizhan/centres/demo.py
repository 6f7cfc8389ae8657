"""Demo data of the service-centre acceptance (issue 19 Part A, source 002): 武汉市总工会 beside
the Dalian and Qingdao federations (its own tree: none sees another), with districts as units,
centres at each level (district, street, enterprise) and a work station, the 2026 acceptance
round with applications in every state and graded results covering 优秀/先进/达标/未通过, rewards,
model centres — and 洪山区, which has none (flagged on the 工作台). Built through the services;
deterministic (fixed names, dates and a seeded generator) and idempotent.

The targets' loader (yizhan.targets.demo) runs after this one and finds Wuhan by adcode 420100:
keep the federation's and the units' names stable."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.conf import settings
from django.db import transaction
from shapely.geometry import Point, shape

from yizhan.centres import services
from yizhan.centres.choices import ApplicationState, CheckType, Part
from yizhan.centres.models import AcceptanceRound, Application
from yizhan.core.roles import Role
from yizhan.orgs.accounts.twofactor import TWO_FACTOR_ROLES, totp_device_install
from yizhan.orgs.choices import UnitType
from yizhan.orgs.demo import BOUNDARIES
from yizhan.orgs.imports.regions import region_import
from yizhan.orgs.models import Region, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.orgs.services import federation_create, system_account_create
from yizhan.positions import services as position_services
from yizhan.positions.choices import CentreLevel, ConstructionType, PositionKind, PositionState
from yizhan.positions.models import Position
from yizhan.standards.services import standard_defaults_load

D = dt.date
WUHAN = "420100"
SEED = 2013_32  # 武工〔2013〕32号
YEAR = 2026
FEDERATION = ("WH", "武汉市总工会", UnitType.CITY_FEDERATION, WUHAN, "027-85711234")
# (code, name, type, adcode, parent code)
UNITS = [
    ("WH-JA", "江岸区总工会", UnitType.DISTRICT, "420102", "WH"),
    ("WH-JH", "江汉区总工会", UnitType.DISTRICT, "420103", "WH"),
    ("WH-WC", "武昌区总工会", UnitType.DISTRICT, "420106", "WH"),
    ("WH-QS", "青山区总工会", UnitType.DISTRICT, "420107", "WH"),
    ("WH-HS", "洪山区总工会", UnitType.DISTRICT, "420111", "WH"),
    ("WH-JA-BBT", "百步亭花园社区街道工会", UnitType.STREET, "420102", "WH-JA"),
    ("WH-JH-TJD", "唐家墩街道工会", UnitType.STREET, "420103", "WH-JH"),
    ("WH-WC-ZNL", "中南路街道工会", UnitType.STREET, "420106", "WH-WC"),
    ("WH-QS-WG", "武汉钢铁有限公司工会", UnitType.ENTERPRISE, "420107", "WH-QS"),
    ("WH-HS-GS", "关山街道工会", UnitType.STREET, "420111", "WH-HS"),
]
# (username, full name, role, unit code)
ACCOUNTS = [
    ("wh_admin", "武汉市", Role.FEDERATION_ADMIN, "WH"),
    ("whja_admin", "江岸区", Role.UNIT_ADMIN, "WH-JA"),
]
ACCOUNT_NAMES = {"wh_admin": "胡武汉", "whja_admin": "江立岸"}
# (code, name, level, unit code, floor area)
CENTRES = [
    ("WH-JA-C1", "江岸区职工服务中心", CentreLevel.DISTRICT, "WH-JA", 460),
    ("WH-JH-C1", "江汉区职工服务中心", CentreLevel.DISTRICT, "WH-JH", 380),
    ("WH-JA-BBT-C1", "百步亭花园社区街道职工服务中心", CentreLevel.STREET, "WH-JA-BBT", 240),
    ("WH-JA-C2", "江岸区二七街道职工服务中心", CentreLevel.STREET, "WH-JA", 210),
    ("WH-WC-ZNL-C1", "中南路街道职工服务中心", CentreLevel.STREET, "WH-WC-ZNL", 150),
    ("WH-JH-TJD-C1", "唐家墩街道职工服务中心", CentreLevel.STREET, "WH-JH-TJD", 260),
    ("WH-QS-WG-C1", "武钢职工服务中心", CentreLevel.ENTERPRISE, "WH-QS-WG", 320),
    ("WH-HS-GS-C1", "关山街道职工服务中心", CentreLevel.STREET, "WH-HS-GS", 220),
]
WORK_STATION = ("WH-QS-WG-C1-W1", "武钢职工服务中心炼钢厂工作站", "WH-QS-WG-C1")
# The application plan: centre code → (state, hardware share, mechanism share, questionnaire
# satisfied of 100, reward). Shares are of the counted items met in the review.
PLAN = {
    "WH-JA-C1": (ApplicationState.GRADED, 0.9, 1.0, 92, "授予“优秀职工服务中心”称号，奖励 5 万元"),
    "WH-JH-C1": (ApplicationState.GRADED, 0.75, 0.85, 78, "授予“先进职工服务中心”称号"),
    "WH-JA-BBT-C1": (ApplicationState.GRADED, 0.65, 0.75, 66, ""),
    "WH-WC-ZNL-C1": (ApplicationState.GRADED, 0.5, 0.6, 55, ""),
    "WH-JH-TJD-C1": (ApplicationState.REVIEWED, 0.8, 0.9, 85, ""),
    "WH-QS-WG-C1": (ApplicationState.FILED, 0.85, 0.9, None, ""),
    "WH-HS-GS-C1": (ApplicationState.DRAFT, 0.7, 0.8, None, ""),
}
REWARD_FEN = {"WH-JA-C1": 5_000_000}
# Model centres of the year: every district but 洪山区 (flagged on the 工作台).
MODEL_CENTRES = [
    ("WH-JA", "WH-JA-C1", "打造“六大平台”，区级中心示范引领"),
    ("WH-JH", "WH-JH-C1", "政务服务与工会服务一站式办理"),
    ("WH-WC", "WH-WC-ZNL-C1", "社区工会服务窗口全覆盖"),
    ("WH-QS", "WH-QS-WG-C1", "企业中心分散到二级厂矿和生活区"),
]
WEEKDAYS = {day: [["08:30", "17:30"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _point(rng: random.Random, boundary) -> tuple[float, float]:
    min_lng, min_lat, max_lng, max_lat = boundary.bounds
    centre = boundary.representative_point()
    for _attempt in range(2000):
        lng = centre.x + rng.gauss(0, (max_lng - min_lng) / 10)
        lat = centre.y + rng.gauss(0, (max_lat - min_lat) / 10)
        if boundary.contains(Point(lng, lat)):
            return round(lng, 6), round(lat, 6)
    return round(centre.x, 6), round(centre.y, 6)


def _operate(actor, position: Position, opened: dt.date) -> None:
    for step, day in ((PositionState.BUILDING, opened - dt.timedelta(days=90)), (PositionState.OPERATING, opened)):
        position_services.position_transition(actor=actor, position=position, to_state=step, effective_on=day)


def _units() -> dict[str, Unit]:
    region_import(BOUNDARIES / f"{WUHAN}.geojson")
    regions = {r.adcode: r for r in Region.objects.filter(adcode__startswith="4201")}
    code, name, unit_type, adcode, phone = FEDERATION
    root = Unit.objects.filter(code=code).first() or federation_create(
        code=code,
        name=name,
        type=unit_type,
        region=regions[adcode],
        contact_name="市总工会职工服务中心",
        contact_phone=phone,
    )
    units = {code: root}
    for code, name, unit_type, adcode, parent in UNITS:
        units[code] = Unit.objects.filter(code=code).first() or federation_create(
            code=code, name=name, type=unit_type, region=regions[adcode], parent=Unit.objects.get(pk=units[parent].pk)
        )
    return units


def _answers(items, share: float, *, methods: bool) -> dict[str, dict]:
    """Answers meeting the first ceil(share × n) counted items of each part (optional items met)."""
    answers = {}
    for part in (Part.HARDWARE, Part.MECHANISM):
        counted = [i for i in items if i.part == part and i.required]
        meet = math.ceil(share[part] * len(counted) - 1e-9)
        for index, item in enumerate(counted):
            answers[item.key] = _answer(item, index < meet, methods=methods)
    for item in items:
        if not item.required:
            answers[item.key] = _answer(item, True, methods=methods)
    return answers


def _answer(item, met: bool, *, methods: bool) -> dict:
    answer: dict = {"note": "现场核实" if met else "尚未落实"}
    if item.check_type == CheckType.NUMBER:
        minimum = item.minimum or 0
        answer["number"] = minimum + 60 if met else max(minimum - 40, 0)
    else:
        answer["met"] = met
    if methods:
        answer["methods"] = ["look", "check"] if item.part == Part.HARDWARE else ["check", "talk"]
    return answer


@transaction.atomic
def load() -> list[str]:
    """Load 武汉市总工会 with its centres and the 2026 acceptance; returns the demo login lines."""
    units = _units()
    standard_defaults_load(unit=units["WH"])
    users, lines = {}, []
    for username, _label, role, unit_code in ACCOUNTS:
        users[username] = system_account_create(
            username=username,
            password=settings.YIZHAN_DEMO_PASSWORD,
            unit=units[unit_code],
            role=role,
            full_name=ACCOUNT_NAMES[username],
        )
        if role in TWO_FACTOR_ROLES:  # the same public demo secret as Dalian's (orgs.demo)
            totp_device_install(user=users[username], secret_base32=settings.YIZHAN_DEMO_TOTP_SECRET)
        lines.append(f"  {username:<12} {Role(role).label:<8} {units[unit_code].name}")
    if AcceptanceRound.objects.filter(unit=units["WH"]).exists():
        return lines
    federation = actor_for_user(users["wh_admin"])
    rng = random.Random(SEED)
    boundaries = {
        r.adcode: shape(r.boundary) for r in Region.objects.filter(adcode__startswith="4201", level="district")
    }
    centres = {}
    for code, name, level, unit_code, area in CENTRES:
        unit = units[unit_code]
        lng, lat = _point(rng, boundaries[unit.region.adcode])
        centre = position_services.position_create(
            actor=federation,
            unit=unit,
            code=code,
            kind=PositionKind.CENTRE,
            centre_level=level,
            official_name=name,
            address=f"武汉市{unit.region.name}{name[:-6] if name.endswith('职工服务中心') else name}",
            lng=lng,
            lat=lat,
            construction_type=ConstructionType.UNION_CENTRE,
            floor_area=area,
            weekly_hours=WEEKDAYS,
            public_phone="12351",
        )
        _operate(federation, centre, D(2025, 3, 1))
        centres[code] = centre
    code, name, parent_code = WORK_STATION
    parent = centres[parent_code]
    lng, lat = _point(rng, boundaries[parent.unit.region.adcode])
    station = position_services.position_create(
        actor=federation,
        unit=parent.unit,
        code=code,
        kind=PositionKind.WORK_STATION,
        parent_centre=parent,
        official_name=name,
        address="武汉市青山区武钢炼钢厂",
        lng=lng,
        lat=lat,
        construction_type=ConstructionType.UNION_CENTRE,
        weekly_hours=WEEKDAYS,
    )
    _operate(federation, station, D(2025, 6, 1))

    acceptance_round = services.round_create(
        actor=federation,
        unit=units["WH"],
        year=YEAR,
        title=f"{YEAR}年度职工服务中心考核验收",
        deadline=D(YEAR, 10, 30),
        review_ends_on=D(YEAR, 11, 20),
    )
    for centre_code, (goal, hardware, mechanism, satisfied, reward) in PLAN.items():
        centre = centres[centre_code]
        application = services.application_create(actor=federation, acceptance_round=acceptance_round, centre=centre)
        items = list(application.items.all())
        share = {Part.HARDWARE: hardware, Part.MECHANISM: mechanism}
        # The unit's self-check claims a little more than the working group will find.
        claimed = {part: min(1.0, value + 0.1) for part, value in share.items()}
        services.self_check_save(
            actor=federation,
            application=application,
            answers=_answers(items, claimed, methods=False),
            self_report=(
                f"{centre.unit.name}按照“六有”标准和服务规范完成自查：硬件设施、服务项目、上墙公示、"
                "运行机制逐项核对，台账附后。"
            ),
        )
        if goal == ApplicationState.DRAFT:
            continue
        services.application_file(actor=federation, application=application, on=D(YEAR, 10, 20))
        if goal == ApplicationState.FILED:
            continue
        services.review_save(
            actor=federation,
            application=application,
            answers=_answers(items, share, methods=True),
            questionnaire_responses=100,
            questionnaire_satisfied=satisfied,
            summary="工作组实地察看中心场所，检查台账和记录，召开职工座谈会了解满意度。",
        )
        services.application_transition(actor=federation, application=application, to_state=ApplicationState.REVIEWED)
        if goal == ApplicationState.REVIEWED:
            continue
        application = services.application_grade(actor=federation, application=application, on=D(YEAR, 11, 20))
        if reward:
            services.reward_record(
                actor=federation,
                application=application,
                reward=reward,
                amount_fen=REWARD_FEN.get(centre_code),
                on=D(YEAR, 12, 1),
            )
    for unit_code, centre_code, note in MODEL_CENTRES:
        services.model_centre_designate(
            actor=federation, unit=units[unit_code], centre=centres[centre_code], year=YEAR, note=note
        )
    graded = Application.objects.filter(round=acceptance_round, state=ApplicationState.GRADED)
    lines.append(
        "  武汉市考核验收："
        + "、".join(f"{a.centre.official_name} {a.get_grade_display()}" for a in graded.select_related("centre"))
    )
    return lines
