"""Enumerations of coverage and siting (issue 18)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandKind(models.TextChoices):
    GRID = "grid", _("网格")
    POINTS = "points", _("加权点")


class DemandSource(models.TextChoices):
    GRID = "grid", _("按辖区生成的均匀网格")
    UPLOAD = "upload", _("导入文件")
    DEMO = "demo", _("演示数据")


class CandidateSource(models.TextChoices):
    UPLOAD = "upload", _("导入文件")
    GRID = "grid", _("按网格生成")
    PARTNERS = "partners", _("共建单位网点")
    DEMO = "demo", _("演示数据")


class PartnerKind(models.TextChoices):
    """Co-building partners whose branches are candidate sites (spec §2, construction types 3–5)."""

    BANK = "bank", _("银行网点")
    GAS_STATION = "gas_station", _("加油站")
    TELECOM = "telecom", _("通信营业厅")
    PUBLIC_TOILET = "public_toilet", _("公厕/环卫休息室")
    OTHER = "other", _("其他")


class ReachMode(models.TextChoices):
    STRAIGHT = "straight", _("直线距离 × 绕行系数（近似）")
    NETWORK = "network", _("步行路网")


class SitingObjective(models.TextChoices):
    MAX_COVER = "max_cover", _("最大覆盖（选 k 个点）")
    SET_COVER = "set_cover", _("集合覆盖（达到目标覆盖率的最少点数）")
