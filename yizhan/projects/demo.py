"""Demo data of social-organisation service projects (issue 19 Part C): 青岛市总工会 beside the
Dalian federation (its own tree: neither sees the other), with social organisations — qualified,
too young, certificate expired — and one project in every state of the lifecycle, built through
the services. Deterministic (fixed names and dates) and idempotent: loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from yizhan.core.roles import Role
from yizhan.orgs.accounts.twofactor import TWO_FACTOR_ROLES, totp_device_install
from yizhan.orgs.choices import UnitType
from yizhan.orgs.demo import BOUNDARIES
from yizhan.orgs.imports.regions import region_import
from yizhan.orgs.models import Region, Unit
from yizhan.orgs.selectors import actor_for_user
from yizhan.orgs.services import federation_create, system_account_create
from yizhan.projects import services
from yizhan.projects.choices import Category, ProjectState
from yizhan.projects.models import ServiceProject, SocialOrganisation

D = dt.date
QINGDAO = "370200"
FEDERATION = ("QD", "青岛市总工会", UnitType.CITY_FEDERATION, QINGDAO, "0532-85912345")
UNITS = [
    ("QD-SN", "市南区总工会", UnitType.DISTRICT, "370202"),
    ("QD-SB", "市北区总工会", UnitType.DISTRICT, "370203"),
    ("QD-LS", "崂山区总工会", UnitType.DISTRICT, "370212"),
]
# (username, full name, role, unit code)
ACCOUNTS = [
    ("qd_admin", "彭青岛", Role.FEDERATION_ADMIN, "QD"),
    ("qdsb_admin", "孙市北", Role.UNIT_ADMIN, "QD-SB"),
    ("qd_ngo", "于社工", Role.SOCIAL_ORG, "QD-SB"),
    ("qd_ngo_mind", "姜社工", Role.SOCIAL_ORG, "QD-SB"),
    ("qd_ngo_law", "王社工", Role.SOCIAL_ORG, "QD-SB"),
    ("qd_ngo_kids", "李社工", Role.SOCIAL_ORG, "QD-SB"),
]
# The account of each organisation, in the order of ORGANISATIONS.
ORGANISATION_ACCOUNTS = ["qd_ngo", "qd_ngo_mind", "qd_ngo_law", "qd_ngo_kids"]
# (name, registration number, registered on, certificate from, to, union approved on, contact, phone)
ORGANISATIONS = [
    (
        "青岛市市北区暖心社会工作服务中心",
        "52370203MJD000001A",
        D(2017, 4, 12),
        D(2022, 4, 12),
        D(2027, 4, 11),
        D(2019, 6, 1),
        "于晓梅",
        "13805321001",
    ),
    (
        "青岛市心语心理咨询服务中心",
        "52370203MJD000002B",
        D(2016, 9, 1),
        D(2021, 9, 1),
        D(2031, 8, 31),
        D(2020, 3, 15),
        "姜海",
        "13805321002",
    ),
    (
        "青岛市阳光法律援助服务社",
        "52370203MJD000003C",
        D(2015, 3, 20),
        D(2018, 3, 20),
        D(2023, 3, 19),
        None,
        "王磊",
        "13805321003",
    ),
    (
        "青岛市新蕾青少年托管服务中心",
        "52370203MJD000004D",
        D(2026, 1, 15),
        D(2026, 1, 15),
        D(2031, 1, 14),
        None,
        "李娜",
        "13805321004",
    ),
]
WARM, MIND, LAW, YOUNG = range(4)
# Archived, scored projects of 2025 that the yearly excellent-project selection (campaigns'
# engine, yizhan.campaigns.project_demo) nominates: (title, category, budget in yuan, organisation,
# evidence of the scoring sheet).
SELECTION_PROJECTS = [
    (
        "快递小哥“暖蜂驿站”心理关怀",
        Category.PSYCHOLOGICAL,
        70_000,
        MIND,
        {
            "study": True,
            "activity_materials": True,
            "certificate": True,
            "signboard": True,
            "union_approval": True,
            "union_work": True,
            "union_activities": True,
            "documents": 3,
            "media_city": 3,
            "media_provincial": 1,
            "exchanges_city": 2,
        },
    ),
    (
        "环卫职工职业健康体检与宣讲",
        Category.HEALTH,
        45_000,
        WARM,
        {
            "study": True,
            "activity_materials": True,
            "certificate": True,
            "signboard": True,
            "union_approval": True,
            "union_work": True,
            "documents": 2,
            "media_city": 1,
            "exchanges_city": 1,
        },
    ),
]
NEEDS = "环卫工人、快递小哥等户外劳动者反映工作压力大、维权渠道少、子女假期无人照看"
REQUIREMENTS = "配备持证社工不少于 3 名；每月至少开展 2 次服务；建立服务台账，按季度提交履约报告"


def _project(actor, unit, title, category, budget_yuan, state_goal, orgs, accounts):
    """One project moved through the services up to `state_goal`."""
    project = services.project_create(
        actor=actor,
        unit=unit,
        title=title,
        category=category,
        needs=NEEDS,
        requirements=REQUIREMENTS,
        budget_fen=budget_yuan * 100,
        apply_by=D(2026, 3, 31),
    )
    order = list(ProjectState.values)
    goal = order.index(state_goal)
    if goal < order.index(ProjectState.PUBLISHED):
        return project
    project = services.project_transition(actor=actor, project=project, to_state=ProjectState.PUBLISHED)
    applications = []
    for i, organisation in enumerate(orgs):
        applications.append(
            services.application_submit(
                actor=accounts[organisation.pk],
                project=project,
                organisation=organisation,
                proposal=f"{organisation.name}服务方案：组建专业团队，按月开展服务，建立台账",
                amount_fen=(budget_yuan - 1000 * (i + 1)) * 100,
            )
        )
    if goal < order.index(ProjectState.CHECKING):
        return project
    project = services.project_transition(actor=actor, project=project, to_state=ProjectState.CHECKING)
    checked = [services.application_check(actor=actor, application=a) for a in applications]
    if goal < order.index(ProjectState.SELECTED):
        return project
    qualified = next(a for a in checked if a.state == "qualified")
    project = services.project_select(
        actor=actor, application=qualified, reason="资格审查合格，服务方案最完整，报价在预算内"
    )
    if goal < order.index(ProjectState.AGREED):
        return project
    project = services.project_sign(
        actor=actor,
        project=project,
        signed_on=D(2025, 4, 20),
        starts_on=D(2025, 5, 1),
        ends_on=D(2025, 12, 31),
        amount_fen=qualified.amount_fen,
        deliverables="团体服务 16 次，个案服务 40 人次，服务台账和总结报告各 1 份",
    )
    for day, served in ((D(2025, 6, 30), 120), (D(2025, 9, 30), 180)):
        services.report_submit(
            actor=accounts[qualified.organisation_id],
            project=project,
            reported_on=day,
            content=f"截至 {day:%Y年%m月%d日}：按协议开展服务，服务职工 {served} 人次，台账齐全",
            workers_served=served,
        )
    if goal < order.index(ProjectState.EVALUATING):
        return project
    project = services.project_transition(actor=actor, project=project, to_state=ProjectState.EVALUATING)
    if goal < order.index(ProjectState.ARCHIVED):
        return project
    return services.project_archive(
        actor=actor,
        project=project,
        completed_on=D(2025, 12, 31),
        satisfaction_rate="92.50",
        respondents=120,
        summary="第三方测评：服务内容精准，流程合规，职工满意度 92.5%",
    )


@transaction.atomic
def load() -> list[str]:
    """Load 青岛市总工会 with its organisations and projects; returns the demo login lines."""
    region_import(BOUNDARIES / f"{QINGDAO}.geojson")
    regions = {r.adcode: r for r in Region.objects.filter(adcode__startswith="3702")}
    code, name, unit_type, adcode, phone = FEDERATION
    root = Unit.objects.filter(code=code).first() or federation_create(
        code=code,
        name=name,
        type=unit_type,
        region=regions[adcode],
        contact_name="市总工会法律工作部",
        contact_phone=phone,
    )
    units = {code: root}
    for code, name, unit_type, adcode in UNITS:
        units[code] = Unit.objects.filter(code=code).first() or federation_create(
            code=code, name=name, type=unit_type, region=regions[adcode], parent=Unit.objects.get(pk=root.pk)
        )
    users = {}
    lines = []
    for username, full_name, role, unit_code in ACCOUNTS:
        users[username] = system_account_create(
            username=username,
            password=settings.YIZHAN_DEMO_PASSWORD,
            unit=units[unit_code],
            role=role,
            full_name=full_name,
        )
        if role in TWO_FACTOR_ROLES:  # the same public demo secret as Dalian's (orgs.demo)
            totp_device_install(user=users[username], secret_base32=settings.YIZHAN_DEMO_TOTP_SECRET)
        lines.append(f"  {username:<12} {Role(role).label:<8} {units[unit_code].name}")
    federation = actor_for_user(users["qd_admin"])
    district = actor_for_user(users["qdsb_admin"])
    if ServiceProject.objects.filter(unit__code__startswith="QD").exists():
        _selection_projects(federation, district, units["QD-SB"])
        return lines
    orgs = []
    for org_name, number, registered, valid_from, valid_to, union_on, contact, mobile in ORGANISATIONS:
        orgs.append(
            SocialOrganisation.objects.filter(registration_number=number).first()
            or services.organisation_create(
                actor=district,
                unit=units["QD-SB"],
                name=org_name,
                registration_number=number,
                registered_on=registered,
                certificate_valid_from=valid_from,
                certificate_valid_to=valid_to,
                union_approved_on=union_on,
                contact_name=contact,
                contact_phone=mobile,
            )
        )
    accounts = {}
    for organisation, username in zip(orgs, ORGANISATION_ACCOUNTS, strict=True):
        services.organisation_account_add(actor=district, organisation=organisation, user=users[username])
        accounts[organisation.pk] = actor_for_user(users[username])
    sb = units["QD-SB"]
    plan = [
        ("2026 年户外劳动者子女暑期爱心托管", Category.CHILD_CARE, 60_000, ProjectState.NEEDS, []),
        ("快递小哥职业健康守护行动", Category.HEALTH, 50_000, ProjectState.PUBLISHED, [orgs[WARM]]),
        (
            "新就业形态劳动者法律服务",
            Category.LEGAL,
            80_000,
            ProjectState.CHECKING,
            [orgs[WARM], orgs[LAW], orgs[YOUNG]],
        ),
        ("环卫职工技能提升培训", Category.SKILLS, 40_000, ProjectState.SELECTED, [orgs[WARM], orgs[LAW]]),
        ("职工心理关怀“心灵驿站”", Category.PSYCHOLOGICAL, 90_000, ProjectState.AGREED, [orgs[MIND], orgs[WARM]]),
        ("困难职工帮扶走访", Category.HARDSHIP, 30_000, ProjectState.EVALUATING, [orgs[WARM]]),
        (
            "工会户外劳动者驿站暖心服务",
            Category.OUTDOOR_WORKERS,
            100_000,
            ProjectState.ARCHIVED,
            [orgs[WARM], orgs[MIND]],
        ),
    ]
    projects = {}
    for title, category, budget, goal, applicants in plan:
        projects[goal] = _project(district, sb, title, category, budget, goal, applicants, accounts)
    archived = projects[ProjectState.ARCHIVED]
    services.score_sheet_confirm(
        actor=federation,
        project=archived,
        nominated_on=D(2026, 3, 1),
        evidence={
            "study": True,
            "activity_materials": True,
            "certificate": True,
            "signboard": True,
            "union_approval": True,
            "union_work": True,
            "union_activities": True,
            "documents": 3,
            "media_city": 2,
            "media_provincial": 1,
            "exchanges_city": 1,
            "exchanges_provincial": 1,
        },
    )
    services.subsidy_pay(actor=federation, project=archived, level="city", paid_on=D(2026, 4, 10))
    services.subsidy_pay(actor=federation, project=archived, level="provincial", paid_on=D(2026, 6, 18))
    _selection_projects(federation, district, sb)
    return lines


def _selection_projects(federation, district, unit) -> None:
    """The 2025 projects for the yearly selection, each archived and its sheet confirmed; added to
    a demo loaded before them (by title), never twice."""
    organisations = [SocialOrganisation.objects.get(registration_number=row[1]) for row in ORGANISATIONS]
    accounts = {o.pk: actor_for_user(o.accounts.order_by("pk").first()) for o in organisations}
    for title, category, budget, organisation, evidence in SELECTION_PROJECTS:
        if ServiceProject.objects.filter(unit=unit, title=title).exists():
            continue
        project = _project(
            district, unit, title, category, budget, ProjectState.ARCHIVED, [organisations[organisation]], accounts
        )
        services.score_sheet_confirm(actor=federation, project=project, nominated_on=D(2026, 3, 1), evidence=evidence)
