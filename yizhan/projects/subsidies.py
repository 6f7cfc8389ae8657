"""Subsidies for excellent projects by honour level (spec §9, source 004 三(三)): national 30,000,
provincial 20,000, city 10,000 yuan; "一个项目连续获得多级荣誉，不重复补助，将依照所获得最高荣誉的补助金额
进行差额补齐". A pure function: what is due for an honour given what the project was paid before.
City → provincial → national pays 10,000 + 10,000 + 10,000; national first pays 30,000 and nothing
after. Integer fen throughout."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class HonourLevel(models.TextChoices):
    CITY = "city", _("市级优秀项目")
    PROVINCIAL = "provincial", _("省级优秀项目")
    NATIONAL = "national", _("全国优秀项目")


YUAN = 100
SUBSIDY_FEN = {
    HonourLevel.CITY: 10_000 * YUAN,
    HonourLevel.PROVINCIAL: 20_000 * YUAN,
    HonourLevel.NATIONAL: 30_000 * YUAN,
}


def subsidy_due(*, level: str, paid_fen: Iterable[int]) -> int:
    """What an honour of `level` adds, in fen, after the payments `paid_fen` the project already had:
    the difference up to the level's amount, never below zero."""
    total = sum(paid_fen)
    if total < 0:
        raise ValueError("payments cannot sum below zero")
    return max(0, SUBSIDY_FEN[HonourLevel(level)] - total)
