"""The excellent-project scoring sheet (百分评估标准, spec §9, source 004 附件2) as a pure module.

Every sub-score is computed from recorded evidence (`Evidence`); a reviewer confirms the sheet and
may lower or raise an item within its cap (`confirm`), never above it. Caps and brackets are exact:
satisfaction below 70 % scores 0, 70 % up to (not including) 80 % scores 6, 80 % up to 90 % scores
8, 90 %–100 % scores 10 ("70%～79%" of the source read as every rate from 70 up to 80, so 79.99 %
scores 6, not nothing). Media reports and experience exchanges count 1 (city), 2 (provincial) or 3
(national) points each, at most 10. Project documents (contract, plan, evaluation summary) count 5
each, at most 10, only for a project completed at most three years before the nomination.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError
from yizhan.projects.qualification import anniversary


class Level(models.TextChoices):
    CITY = "city", _("设区市级")
    PROVINCIAL = "provincial", _("省部级")
    NATIONAL = "national", _("国家级")


LEVEL_POINTS = {Level.CITY: 1, Level.PROVINCIAL: 2, Level.NATIONAL: 3}


class Item(NamedTuple):
    key: str
    group: str
    label: str
    cap: int


ITEMS: tuple[Item, ...] = (
    Item("study", _("政治引领"), _("学习制度、学习记录"), 10),
    Item("activity_materials", _("政治引领"), _("活动方案、会议记录、宣传报道"), 10),
    Item("certificate", _("登记注册"), _("登记证书"), 10),
    Item("signboard", _("登记注册"), _("场所照片，招牌名称与登记名称一致"), 10),
    Item("union_approval", _("建立工会"), _("建立工会的批复文件"), 10),
    Item("union_work", _("建立工会"), _("开展工会工作的材料"), 5),
    Item("union_activities", _("建立工会"), _("开展工会活动的材料"), 5),
    Item("project_documents", _("项目完成"), _("合同、实施方案、评估总结（每项 5 分）"), 10),
    Item("satisfaction", _("职工满意度"), _("满意度测评结果"), 10),
    Item("media", _("媒体报道"), _("设区市级 1 分、省部级 2 分、国家级 3 分/次"), 10),
    Item("exchanges", _("经验交流"), _("设区市级 1 分、省级 2 分、国家级 3 分/次"), 10),
)
ITEM_BY_KEY = {item.key: item for item in ITEMS}
TOTAL = sum(item.cap for item in ITEMS)  # 100

PROJECT_YEARS = 3
DOCUMENT_POINTS = 5
SATISFACTION_BRACKETS = ((Decimal(90), 10), (Decimal(80), 8), (Decimal(70), 6))  # lowest rate → points

ABOVE_CAP = _("“{label}”最高 {cap} 分，填写的 {points} 分超出上限")
BELOW_ZERO = _("“{label}”的得分不能小于 0")
UNKNOWN_ITEM = _("没有“{key}”这一评分项")
RATE_OUT_OF_RANGE = _("满意度应在 0% 到 100% 之间，填写的是 {rate}%")
NOT_A_RATE = _("满意度应为 0 到 100 之间的数字")
UNKNOWN_LEVEL = _("级别应为设区市级、省部级或国家级")
NEGATIVE_COUNT = _("次数不能小于 0")


@dataclass(frozen=True)
class Evidence:
    """What was recorded for a nominated project. Counts by level (`media`, `exchanges`) map a
    `Level` to the number of reports or meetings; `documents` is how many of contract, plan and
    evaluation summary are present; `satisfaction` the surveyed rate in percent (None: no survey)."""

    nominated_on: datetime.date
    completed_on: datetime.date | None = None
    study: bool = False
    activity_materials: bool = False
    certificate: bool = False
    signboard: bool = False
    union_approval: bool = False
    union_work: bool = False
    union_activities: bool = False
    documents: int = 0
    satisfaction: Decimal | None = None
    media: Mapping[str, int] = field(default_factory=dict)
    exchanges: Mapping[str, int] = field(default_factory=dict)


def satisfaction_points(rate: Decimal | int | str | None) -> int:
    """The satisfaction bracket: < 70 → 0, 70–< 80 → 6, 80–< 90 → 8, 90–100 → 10 (no survey → 0)."""
    if rate is None:
        return 0
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        raise ApplicationError(str(NOT_A_RATE), field="satisfaction") from None
    if not value.is_finite():
        raise ApplicationError(str(NOT_A_RATE), field="satisfaction")
    if value < 0 or value > 100:
        raise ApplicationError(str(RATE_OUT_OF_RANGE).format(rate=value), field="satisfaction")
    for lowest, points in SATISFACTION_BRACKETS:
        if value >= lowest:
            return points
    return 0


def level_points(counts: Mapping[str, int], *, cap: int = 10, field_name: str = "media") -> int:
    """Points of reports (or exchanges) by level — city 1, provincial 2, national 3 each — at most `cap`."""
    total = 0
    for level, count in counts.items():
        if level not in Level.values:
            raise ApplicationError(str(UNKNOWN_LEVEL), field=field_name)
        if count < 0:
            raise ApplicationError(str(NEGATIVE_COUNT), field=field_name)
        total += LEVEL_POINTS[Level(level)] * count
    return min(total, cap)


def project_points(*, documents: int, completed_on: datetime.date | None, nominated_on: datetime.date) -> int:
    """5 per document present (at most 10), for a project completed no more than 3 years before the
    nomination (and not after it); 0 otherwise."""
    if documents < 0:
        raise ApplicationError(str(NEGATIVE_COUNT), field="documents")
    if completed_on is None or completed_on > nominated_on:
        return 0
    if anniversary(completed_on, PROJECT_YEARS) < nominated_on:
        return 0
    return min(documents * DOCUMENT_POINTS, ITEM_BY_KEY["project_documents"].cap)


def computed(evidence: Evidence) -> dict[str, int]:
    """Each item's points from the evidence, keyed as `ITEMS`."""
    present = {
        key: ITEM_BY_KEY[key].cap if getattr(evidence, key) else 0
        for key in (
            "study",
            "activity_materials",
            "certificate",
            "signboard",
            "union_approval",
            "union_work",
            "union_activities",
        )
    }
    return {
        **present,
        "project_documents": project_points(
            documents=evidence.documents, completed_on=evidence.completed_on, nominated_on=evidence.nominated_on
        ),
        "satisfaction": satisfaction_points(evidence.satisfaction),
        "media": level_points(evidence.media, field_name="media"),
        "exchanges": level_points(evidence.exchanges, field_name="exchanges"),
    }


def check_points(key: str, points: int) -> int:
    """A reviewer's points for one item: refused above the item's cap or below zero."""
    item = ITEM_BY_KEY.get(key)
    if item is None:
        raise ApplicationError(str(UNKNOWN_ITEM).format(key=key), field=key)
    if points < 0:
        raise ApplicationError(str(BELOW_ZERO).format(label=item.label), field=key)
    if points > item.cap:
        raise ApplicationError(str(ABOVE_CAP).format(label=item.label, cap=item.cap, points=points), field=key)
    return points


def confirm(evidence: Evidence, adjustments: Mapping[str, int] | None = None) -> dict[str, int]:
    """The confirmed sheet: computed points with the reviewer's adjustments, each within its cap."""
    sheet = computed(evidence)
    for key, points in (adjustments or {}).items():
        sheet[key] = check_points(key, int(points))
    return sheet


def total(sheet: Mapping[str, int] | Iterable[int]) -> int:
    values = sheet.values() if isinstance(sheet, Mapping) else sheet
    return sum(values)
