"""The annual report (spec §12): for a federation (or any unit the reader may read, down to a
district) and a year, the registered sections in order. Read by the admins of the union units — a
federation admin for its federation or any unit below, a unit admin for its own unit or below;
other roles have no report (each section besides checks its own data's permission)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE, Actor
from yizhan.orgs.models import Unit
from yizhan.reports.registry import SectionContent, build_sections

READERS = frozenset({Role.FEDERATION_ADMIN, Role.UNIT_ADMIN})
FIRST_YEAR = 2000
BAD_YEAR = _("年度应为 {first} 至 {last} 之间的年份")


@dataclass(frozen=True)
class Report:
    unit: Unit
    year: int
    sections: list[tuple[str, SectionContent]]

    @property
    def title(self) -> str:
        return str(_("{unit}{year}年度服务阵地建设工作报告")).format(unit=self.unit.name, year=self.year)


def may_read(actor: Actor | None) -> bool:
    return actor is not None and actor.membership is not None and actor.user.is_active and actor.role in READERS


def check_year(year: int) -> int:
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ApplicationError(BAD_YEAR.format(first=FIRST_YEAR, last=last), field="year")
    return year


def report_unit(*, actor: Actor, unit_id: int | None = None) -> Unit:
    """The unit the report is about: the one asked for if the actor reads it, else its own unit."""
    if not may_read(actor):
        raise PermissionDeniedError(str(FORBIDDEN_MESSAGE))
    if unit_id is None:
        return actor.unit
    unit = Unit.objects.restrict(actor).filter(pk=unit_id).first()
    if unit is None:
        raise NotFoundError(str(OUT_OF_SCOPE_MESSAGE))
    return unit


def annual_report(*, actor: Actor, unit: Unit, year: int) -> Report:
    if not may_read(actor):
        raise PermissionDeniedError(str(FORBIDDEN_MESSAGE))
    if not actor.covers_unit(unit):
        raise NotFoundError(str(OUT_OF_SCOPE_MESSAGE))
    check_year(year)
    return Report(unit=unit, year=year, sections=build_sections(actor=actor, federation=unit, year=year))
