"""Enumerations of the position registry (spec §2), and its lifecycle's transitions table."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.roles import Action
from yizhan.core.workflow import Move, Refusal, Transition, Workflow


class PositionKind(models.TextChoices):
    STATION = "station", _("户外劳动者服务站点")
    CENTRE = "centre", _("职工服务中心")
    WORK_STATION = "work_station", _("工作站")


class CentreLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道/乡镇/开发区")
    ENTERPRISE = "enterprise", _("企业")


class ConstructionType(models.TextChoices):
    """The five construction types of source 001."""

    UNION_CENTRE = "union_centre", _("工会投入，依托工会服务中心")
    PUBLIC_SERVICE = "public_service", _("依托政务大厅、社区服务中心、警务站")
    SANITATION = "sanitation", _("环卫休息室、提档升级公厕")
    FINANCIAL = "financial", _("与银行等金融机构共建")
    MERCHANT = "merchant", _("爱心企业和商户")
    # Legacy registries often do not record it (issue 14 §4): imported as "to be verified", in the
    # staff list's 待核实 queue until someone picks one of the five.
    UNKNOWN = "unknown", _("待核实")


# The five types of source 001, without "to be verified".
KNOWN_CONSTRUCTION_TYPES = tuple(t for t in ConstructionType if t != ConstructionType.UNKNOWN)


class BuildMode(models.TextChoices):
    SELF_BUILT = "self_built", _("自建")
    CO_BUILT = "co_built", _("共建")


class BuildNature(models.TextChoices):
    NEW = "new", pgettext_lazy("build nature", "新建")
    UPGRADED = "upgraded", _("提升")


class PositionState(models.TextChoices):
    PLANNED = "planned", _("规划中")
    BUILDING = "building", _("建设中")
    OPERATING = "operating", _("运营中")
    SUSPENDED = "suspended", _("暂停服务")
    DELISTED = "delisted", _("已摘牌")


# What the public sees (spec §2): operating positions, and suspended ones greyed with the reason;
# never planned, building or delisted ones.
PUBLIC_STATES = (PositionState.OPERATING, PositionState.SUSPENDED)


class Facility(models.TextChoices):
    # Required (source 000)
    DRINKING_WATER = "drinking_water", _("饮用水")
    MICROWAVE = "microwave", _("微波炉")
    TABLES_CHAIRS = "tables_chairs", _("桌椅")
    FAN_OR_AC = "fan_or_ac", _("电风扇或空调")
    MEDICINE_KIT = "medicine_kit", _("医药箱")
    POWER_OUTLETS = "power_outlets", _("多功能插座")
    WATER_AND_POWER = "water_and_power", _("通水通电")
    # Optional
    TOILET = "toilet", _("卫生间")
    REFRIGERATOR = "refrigerator", _("冰箱")
    LOCKERS = "lockers", _("储物柜")
    REPAIR_TOOLBOX = "repair_toolbox", _("维修工具箱")
    TELEVISION = "television", _("电视")
    WIFI = "wifi", _("无线网络")
    READING = "reading", _("工会报刊图书")
    CHARGING = "charging", _("充电、打气工具")


REQUIRED_FACILITIES = (
    Facility.DRINKING_WATER,
    Facility.MICROWAVE,
    Facility.TABLES_CHAIRS,
    Facility.FAN_OR_AC,
    Facility.MEDICINE_KIT,
    Facility.POWER_OUTLETS,
    Facility.WATER_AND_POWER,
)
OPTIONAL_FACILITIES = tuple(f for f in Facility if f not in REQUIRED_FACILITIES)


class Ability(models.TextChoices):
    """六能 (source 001)."""

    REST = "rest", _("累了能歇脚")
    HEAT_FOOD = "heat_food", _("饿了能热饭")
    DRINK = "drink", _("渴了能喝水")
    WARM_UP = "warm_up", _("冷了能取暖")
    COOL_DOWN = "cool_down", _("热了能纳凉")
    TOILET = "toilet", _("急了能如厕")


class Service(models.TextChoices):
    """六服务 (source 001); a unit adds its own in `own_services`."""

    ASSISTANCE = "assistance", _("帮扶慰问")
    LABOUR_PROTECTION = "labour_protection", _("劳动保护")
    LEGAL_AID = "legal_aid", _("法律援助")
    POLICY = "policy", _("政策咨询")
    EMPLOYMENT = "employment", _("就业信息")
    PETITIONS = "petitions", _("信访接待")


class ServedGroup(models.TextChoices):
    SANITATION = "sanitation", _("环卫工人")
    LANDSCAPING = "landscaping", _("园林绿化工人")
    CITY_MANAGEMENT = "city_management", _("城管")
    TRAFFIC_POLICE = "traffic_police", _("交警")
    TAXI = "taxi", _("出租车司机")
    COURIER = "courier", _("快递员")
    DELIVERY = "delivery", _("外卖送餐员")
    TRUCK = "truck", _("货车司机")
    WOMEN_CHILDREN = "women_children", _("妇女儿童")
    MIGRANT = "migrant", _("农民工")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    TOURISTS = "tourists", _("游客")


class EntryMethod(models.TextChoices):
    STAFFED = "staffed", _("有人值守")
    OPEN_DOOR = "open_door", _("开门即入")
    CODE_LOCK = "code_lock", _("密码锁")
    GATE = "gate", _("扫码/人脸/证件闸机")


class StarRating(models.TextChoices):
    """Star levels of an outdoor-worker station (spec §4, source 001); no star is "unrated"."""

    THREE = "3", _("三星")
    FOUR = "4", _("四星")
    FIVE = "5", _("五星")


class InputCRS(models.TextChoices):
    GCJ02 = "gcj02", _("GCJ-02（高德、腾讯）")
    WGS84 = "wgs84", _("WGS-84（GPS、天地图）")
    BD09 = "bd09", _("BD-09（百度）")


# --- the lifecycle (spec §2): planned → building → operating ⇄ suspended → delisted, kept forever

REOPEN_ONLY_WHEN_SUSPENDED = _("只有暂停服务时才能填写预计恢复日期")


def _expected_reopening_only_when_suspending(move: Move) -> Refusal | None:
    if move.extra["expected_reopen_on"] and move.target != PositionState.SUSPENDED:
        return Refusal(str(REOPEN_ONLY_WHEN_SUSPENDED), "expected_reopen_on")
    return None


def _record_state(move: Move) -> None:
    """Every move: the reason shows on the position (the public page greys a suspended one with
    it), and only a suspension keeps an expected reopening."""
    move.obj.state_reason = move.reason
    move.obj.expected_reopen_on = move.extra["expected_reopen_on"]


def _first_opening(move: Move) -> None:
    """Opening for the first time dates the position's `opened_on` (the move's effective date)."""
    if move.obj.opened_on is None:
        move.obj.opened_on = move.extra["effective_on"] or timezone.localdate()


def _history_fields(move: Move) -> dict:
    return {
        "effective_on": move.extra["effective_on"] or timezone.localdate(),
        "expected_reopen_on": move.obj.expected_reopen_on,
    }


_S = PositionState
POSITION_LIFECYCLE = Workflow(
    model="positions.Position",
    history="positions.PositionStateChange",
    states=PositionState,
    action=Action.OPERATE,
    extra=("effective_on", "expected_reopen_on"),
    guard=_expected_reopening_only_when_suspending,
    apply=_record_state,
    history_fields=_history_fields,
    transitions=[
        Transition(_S.PLANNED, _S.BUILDING),
        Transition(_S.PLANNED, _S.DELISTED, reason_required=True),
        Transition(_S.BUILDING, _S.OPERATING, apply=_first_opening),
        Transition(_S.BUILDING, _S.DELISTED, reason_required=True),
        Transition(_S.OPERATING, _S.SUSPENDED, reason_required=True),
        Transition(_S.OPERATING, _S.DELISTED, reason_required=True),
        Transition(_S.SUSPENDED, _S.OPERATING, apply=_first_opening),
        Transition(_S.SUSPENDED, _S.DELISTED, reason_required=True),
    ],
)
# state → the states it may move to (a delisted position moves nowhere).
STATE_TRANSITIONS: dict[str, frozenset[str]] = POSITION_LIFECYCLE.table()
