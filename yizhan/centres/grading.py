"""The acceptance grade of a worker service centre (spec §8, source 002 六(一)), a pure function of
three rates: hardware compliance (硬件建设达标率), mechanism and measures compliance (运行机制和措施
保障到位率) and worker satisfaction (职工满意率).

- 优秀 excellent: ≥ 80 %, ≥ 90 %, ≥ 80 %
- 先进 advanced:  ≥ 70 %, ≥ 80 %, ≥ 70 %
- 达标 up to standard: ≥ 60 %, ≥ 70 %, ≥ 60 %

The grade is the highest whose three thresholds all hold; otherwise not passed. Rates are exact
fractions (met ÷ applicable, satisfied ÷ responses): 79.9 % fails 80 %, exactly 80 % passes. A
missing rate is refused (`MissingRate`), never read as zero. Every threshold is explained."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.wording import clauses, enumeration


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    ADVANCED = "advanced", _("先进")
    STANDARD = "standard", pgettext_lazy("acceptance grade", "达标")
    FAILED = "failed", _("未通过")


class Rate(models.TextChoices):
    HARDWARE = "hardware", _("硬件建设达标率")
    MECHANISM = "mechanism", _("运行机制和措施保障到位率")
    SATISFACTION = "satisfaction", _("职工满意率")


RATES = (Rate.HARDWARE, Rate.MECHANISM, Rate.SATISFACTION)

# Highest first; each threshold in per cent, in the order of RATES.
THRESHOLDS: tuple[tuple[str, tuple[int, int, int]], ...] = (
    (Grade.EXCELLENT, (80, 90, 80)),
    (Grade.ADVANCED, (70, 80, 70)),
    (Grade.STANDARD, (60, 70, 60)),
)
ORDER = {Grade.FAILED: 0, Grade.STANDARD: 1, Grade.ADVANCED: 2, Grade.EXCELLENT: 3}

MISSING_RATE = _("缺少{rates}，不能评定等次")
BAD_RATE = _("{rate}应在 0%～100% 之间")
# The explanation's wording (one line per threshold, then the conclusion).
CHECK_LINE = _("{grade}：{rate} {value} {sign} {threshold}%，{verdict}")
REACHED = _("达到")
NOT_REACHED = _("未达到")
SHORTFALL = _("{rate} {value} < {threshold}%")
FAILED_CONCLUSION = _("结论：未通过（达标要求未全部满足：{shortfalls}）")
TOP_CONCLUSION = _("结论：{grade}（三项指标均达到最高等次要求）")
CONCLUSION = _("结论：{grade}（三项指标均达到{grade}要求；未评为{above}，因为{shortfalls}）")


class MissingRate(ValueError):
    """One or more rates are missing: the message names them."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(str(MISSING_RATE).format(rates=enumeration(str(Rate(r).label) for r in missing)))


def ratio(numerator: int | None, denominator: int | None) -> Fraction | None:
    """numerator ÷ denominator as an exact fraction; None when nothing was counted."""
    if numerator is None or not denominator:
        return None
    return Fraction(numerator, denominator)


def percent(rate: Fraction | None, places: int = 1) -> str:
    """A rate as a per cent string, cut (never rounded up: 79.99 % shows 79.9 %, not 80.0 %)."""
    if rate is None:
        return "—"
    value = (Decimal(rate.numerator) * 100 / Decimal(rate.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_DOWN
    )
    return f"{value}%"


@dataclass(frozen=True)
class Check:
    grade: str
    rate: str
    value: Fraction
    threshold: int

    @property
    def holds(self) -> bool:
        return self.value * 100 >= self.threshold

    def line(self) -> str:
        return str(CHECK_LINE).format(
            grade=Grade(self.grade).label,
            rate=Rate(self.rate).label,
            value=percent(self.value, 2),
            sign="≥" if self.holds else "<",
            threshold=self.threshold,
            verdict=REACHED if self.holds else NOT_REACHED,
        )

    def shortfall(self) -> str:
        return str(SHORTFALL).format(rate=Rate(self.rate).label, value=percent(self.value, 2), threshold=self.threshold)


@dataclass(frozen=True)
class Verdict:
    grade: str
    rates: dict[str, Fraction]
    checks: tuple[Check, ...]

    @property
    def lines(self) -> list[str]:
        """Why this grade: every threshold of every grade, met or not, then the conclusion."""
        return [check.line() for check in self.checks] + [self.conclusion]

    @property
    def conclusion(self) -> str:
        if self.grade == Grade.FAILED:
            failed = [c for c in self.checks if c.grade == Grade.STANDARD and not c.holds]
            return str(FAILED_CONCLUSION).format(shortfalls=clauses(c.shortfall() for c in failed))
        above = [g for g, _t in THRESHOLDS if ORDER[g] == ORDER[self.grade] + 1]
        if not above:
            return str(TOP_CONCLUSION).format(grade=Grade(self.grade).label)
        failed = [c for c in self.checks if c.grade == above[0] and not c.holds]
        return str(CONCLUSION).format(
            grade=Grade(self.grade).label,
            above=Grade(above[0]).label,
            shortfalls=clauses(c.shortfall() for c in failed),
        )


def grade(*, hardware: Fraction | None, mechanism: Fraction | None, satisfaction: Fraction | None) -> Verdict:
    """The grade of the three rates (fractions of 1). MissingRate when any is None; ValueError
    for a rate outside 0–1."""
    rates = {Rate.HARDWARE: hardware, Rate.MECHANISM: mechanism, Rate.SATISFACTION: satisfaction}
    missing = [name for name, value in rates.items() if value is None]
    if missing:
        raise MissingRate(missing)
    for name, value in rates.items():
        if not 0 <= value <= 1:
            raise ValueError(str(BAD_RATE).format(rate=Rate(name).label))
    checks = tuple(
        Check(grade=g, rate=name, value=Fraction(rates[name]), threshold=threshold)
        for g, thresholds in THRESHOLDS
        for name, threshold in zip(RATES, thresholds, strict=True)
    )
    result = Grade.FAILED
    for g, _thresholds in THRESHOLDS:
        if all(c.holds for c in checks if c.grade == g):
            result = g
            break
    return Verdict(grade=result, rates={k: Fraction(v) for k, v in rates.items()}, checks=checks)
