"""Enumerations of the orgs context (spec §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    PROVINCIAL_FEDERATION = "provincial_federation", _("省总工会")
    CITY_FEDERATION = "city_federation", _("市总工会")
    DISTRICT = "district", _("区总工会")
    COUNTY = "county", _("县（市）总工会")
    DEVELOPMENT_ZONE = "development_zone", _("开发区工会")
    INDUSTRY = "industry", _("产业工会")
    STREET = "street", _("街道/乡镇/园区工会")
    ENTERPRISE = "enterprise", _("企业工会")


FEDERATION_TYPES = frozenset({UnitType.PROVINCIAL_FEDERATION, UnitType.CITY_FEDERATION})

# Which unit types may sit directly below which (spec §1 hierarchy). Only federations are roots.
ALLOWED_CHILD_TYPES: dict[str, frozenset[str]] = {
    UnitType.PROVINCIAL_FEDERATION: frozenset({UnitType.CITY_FEDERATION, UnitType.INDUSTRY, UnitType.ENTERPRISE}),
    UnitType.CITY_FEDERATION: frozenset(
        {
            UnitType.DISTRICT,
            UnitType.COUNTY,
            UnitType.DEVELOPMENT_ZONE,
            UnitType.INDUSTRY,
            UnitType.STREET,
            UnitType.ENTERPRISE,
        }
    ),
    UnitType.DISTRICT: frozenset({UnitType.STREET, UnitType.ENTERPRISE}),
    UnitType.COUNTY: frozenset({UnitType.STREET, UnitType.ENTERPRISE}),
    UnitType.DEVELOPMENT_ZONE: frozenset({UnitType.STREET, UnitType.ENTERPRISE}),
    UnitType.INDUSTRY: frozenset({UnitType.ENTERPRISE}),
    UnitType.STREET: frozenset({UnitType.ENTERPRISE}),
    UnitType.ENTERPRISE: frozenset(),
}


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    DISTRICT = "district", _("县级")
    CUSTOM = "custom", _("自定义区域")


# The levels of GB/T 2260 (what a boundary file may hold); custom areas are made by units.
ADMINISTRATIVE_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT)
