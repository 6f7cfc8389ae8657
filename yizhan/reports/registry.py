"""The annual report's sections (spec §12): one report per federation and year, assembled from the
sections the apps register at start-up, the way the 工作台 assembles its panels
(yizhan/core/dashboard.py). The report app knows no domain app; each app says what it adds.

Register a section from your AppConfig.ready() (import inside ready(), never at module level of
models.py)::

    from yizhan.reports.registry import ReportSection, SectionContent, Table, register_report_section

    def centres_section(actor, federation, year) -> SectionContent | None:
        rows = ...  # read through your app's selectors, restricted to `actor`
        return SectionContent(
            title=_("服务中心考核验收"),
            paragraphs=[_("本年度共验收 {n} 个服务中心。").format(n=len(rows))],
            tables=[Table(
                headers=[_("单位"), _("服务中心"), _("等级")],
                rows=[[r.unit.name, r.centre.name, r.get_grade_display()] for r in rows],
            )],
        )

    register_report_section(ReportSection(name="centres", order=40, build=centres_section))

`build(actor, federation, year)`:
- `actor` is the yizhan.core.scoping.Actor reading the report (scope your queries with it: a unit
  admin's report covers its subtree only); `federation` is the orgs Unit at the root of the report
  (the federation the actor reads, or the actor's own unit); `year` an int.
- returns a SectionContent (plain data: strings, numbers, Decimals, dates; no HTML, no model
  instances) or None when the section has nothing to say for this actor (its role may not see that
  data). An empty year is not None: say so in a paragraph ("本年度无…").
- must not write anything; it may be slow-ish but runs once per rendering (HTML, PDF, docx).

Orders in use: 10 positions, 20 targets, 30 campaigns, 40 centres (H1), 50 grants, 60 ledger.
Names are unique; registering the same section twice is harmless (ready() may run twice), a
different section under a taken name raises ValueError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yizhan.core.scoping import Actor

SECTION_TWICE = "report section {name} is registered twice"


@dataclass(frozen=True)
class Table:
    """A table of the report: headers and rows of plain values (str, int, Decimal, date)."""

    headers: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    caption: str = ""


@dataclass(frozen=True)
class SectionContent:
    """What one section says: a title, paragraphs (plain sentences) and tables, in this order
    (paragraphs first, then tables)."""

    title: str
    paragraphs: Sequence[str] = field(default_factory=tuple)
    tables: Sequence[Table] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReportSection:
    name: str
    order: int
    build: Callable[[Actor, Any, int], SectionContent | None]


_sections: dict[str, ReportSection] = {}


def register_report_section(section: ReportSection) -> None:
    """Offer a section of the annual report (apps call it from AppConfig.ready())."""
    if _sections.get(section.name) == section:
        return
    if section.name in _sections:
        raise ValueError(SECTION_TWICE.format(name=section.name))
    _sections[section.name] = section


def unregister_report_section(name: str) -> None:
    """For tests that register a section of their own."""
    _sections.pop(name, None)


def registered_sections() -> list[ReportSection]:
    """The sections in report order (order, then name)."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def build_sections(*, actor: Actor, federation: Any, year: int) -> list[tuple[str, SectionContent]]:
    """Every section's content for this report, in order; sections that answer None are left out."""
    built = []
    for section in registered_sections():
        content = section.build(actor, federation, year)
        if content is not None:
            built.append((section.name, content))
    return built
