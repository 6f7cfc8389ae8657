"""The demo federation (issue 2 §6): Dalian's federation, its district/county, development-zone
and industry unions, some street unions, and one demo account per role. Deterministic and
idempotent: loading twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from yizhan.core.roles import Role
from yizhan.orgs.accounts.twofactor import TWO_FACTOR_ROLES, totp_device_install
from yizhan.orgs.choices import UnitType
from yizhan.orgs.imports.regions import region_import
from yizhan.orgs.models import Region, Unit
from yizhan.orgs.services import federation_create, system_account_create

BOUNDARIES = Path(__file__).resolve().parent / "data" / "boundaries"
DALIAN = "210200"

FEDERATION = ("DL", "大连市总工会", UnitType.CITY_FEDERATION, DALIAN, "0411-82641234")

# (code, name, type, adcode, parent code)
UNITS = [
    ("DL-ZS", "中山区总工会", UnitType.DISTRICT, "210202", "DL"),
    ("DL-XG", "西岗区总工会", UnitType.DISTRICT, "210203", "DL"),
    ("DL-SHK", "沙河口区总工会", UnitType.DISTRICT, "210204", "DL"),
    ("DL-GJZ", "甘井子区总工会", UnitType.DISTRICT, "210211", "DL"),
    ("DL-LSK", "旅顺口区总工会", UnitType.DISTRICT, "210212", "DL"),
    ("DL-JZ", "金州区总工会", UnitType.DISTRICT, "210213", "DL"),
    ("DL-PLD", "普兰店区总工会", UnitType.DISTRICT, "210214", "DL"),
    ("DL-CH", "长海县总工会", UnitType.COUNTY, "210224", "DL"),
    ("DL-WFD", "瓦房店市总工会", UnitType.COUNTY, "210281", "DL"),
    ("DL-ZH", "庄河市总工会", UnitType.COUNTY, "210283", "DL"),
    ("DL-KFXD", "大连市开放先导区工会", UnitType.DEVELOPMENT_ZONE, "210213", "DL"),
    ("DL-JZSH", "大连市机重石化电信工会", UnitType.INDUSTRY, DALIAN, "DL"),
    ("DL-CMJR", "大连市财贸金融服务工会", UnitType.INDUSTRY, DALIAN, "DL"),
    ("DL-GAJ", "大连市公安局工会", UnitType.INDUSTRY, DALIAN, "DL"),
    ("DL-ZS-QNWQ", "中山区青泥洼桥街道工会", UnitType.STREET, "210202", "DL-ZS"),
    ("DL-ZS-RMR", "中山区人民路街道工会", UnitType.STREET, "210202", "DL-ZS"),
    ("DL-ZS-TSJ", "中山区桃源街道工会", UnitType.STREET, "210202", "DL-ZS"),
    ("DL-XG-BYL", "西岗区八一路街道工会", UnitType.STREET, "210203", "DL-XG"),
    ("DL-XG-BY", "西岗区白云街道工会", UnitType.STREET, "210203", "DL-XG"),
    ("DL-SHK-CL", "沙河口区春柳街道工会", UnitType.STREET, "210204", "DL-SHK"),
    ("DL-SHK-XHX", "沙河口区星海湾街道工会", UnitType.STREET, "210204", "DL-SHK"),
    ("DL-GJZ-QS", "甘井子区泉水街道工会", UnitType.STREET, "210211", "DL-GJZ"),
    ("DL-GJZ-ZCJ", "甘井子区周水子街道工会", UnitType.STREET, "210211", "DL-GJZ"),
    ("DL-JZSH-SH", "大连石化公司工会", UnitType.ENTERPRISE, DALIAN, "DL-JZSH"),
]

# (username, full name, role, unit code) — one account per role, plus a second role to switch to.
ACCOUNTS = [
    ("fed_admin", "王总工", Role.FEDERATION_ADMIN, "DL"),
    ("fed_admin", "王总工", Role.UNIT_ADMIN, "DL-KFXD"),
    ("zs_admin", "李中山", Role.UNIT_ADMIN, "DL-ZS"),
    ("xg_admin", "赵西岗", Role.UNIT_ADMIN, "DL-XG"),
    ("station_mgr", "张站长", Role.STATION_MANAGER, "DL-ZS-QNWQ"),
    ("reviewer", "陈评议", Role.REVIEWER, "DL"),
    ("ngo", "刘社工", Role.SOCIAL_ORG, "DL"),
    ("auditor", "周审计", Role.AUDITOR, "DL"),
    ("security", "吴安全", Role.SECURITY_ADMIN, "DL"),
    ("sysadmin", "郑系统", Role.SYSTEM_ADMIN, "DL"),
]


@transaction.atomic
def load() -> list[str]:
    """Load the demo federation; returns lines describing the demo logins."""
    region_import(BOUNDARIES / f"{DALIAN}.geojson")
    regions = {r.adcode: r for r in Region.objects.all()}
    code, name, unit_type, adcode, phone = FEDERATION
    root = Unit.objects.filter(code=code).first() or federation_create(
        code=code, name=name, type=unit_type, region=regions[adcode], contact_name="市总工会办公室", contact_phone=phone
    )
    units = {root.code: root}
    for code, name, unit_type, adcode, parent_code in UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            parent = Unit.objects.get(pk=units[parent_code].pk)
            unit = federation_create(code=code, name=name, type=unit_type, region=regions[adcode], parent=parent)
        units[code] = unit
    lines = []
    second_factor = []
    for username, full_name, role, unit_code in ACCOUNTS:
        user = system_account_create(
            username=username,
            password=settings.YIZHAN_DEMO_PASSWORD,
            unit=Unit.objects.get(code=unit_code),
            role=role,
            full_name=full_name,
        )
        lines.append(f"  {username:<12} {Role(role).label:<8} {units[unit_code].name}")
        if role in TWO_FACTOR_ROLES:
            # These roles must pass a second factor: their demo authenticator shares one public secret.
            totp_device_install(user=user, secret_base32=settings.YIZHAN_DEMO_TOTP_SECRET)
            second_factor.append(username)
    lines.append(
        f"  双因素验证（{'、'.join(dict.fromkeys(second_factor))}）："
        f"身份验证器密钥 {settings.YIZHAN_DEMO_TOTP_SECRET}，或运行 `yizhan demo-totp` 显示当前验证码"
    )
    return lines
