"""The acceptance's section of the annual report (yizhan.reports.registry): the graded centres of
the federation's round of the year, with the three rates and the grade, and the units without a
model centre that year."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yizhan.centres import selectors
from yizhan.centres.models import Application
from yizhan.core.roles import Action
from yizhan.core.wording import counted, enumeration
from yizhan.reports.registry import ReportSection, SectionContent, Table


def centres_section(actor, federation, year) -> SectionContent | None:
    if not actor.can(Action.VIEW, Application):
        return None
    results = selectors.acceptance_results(federation, year, actor=actor)
    counts = {}
    for r in results:
        counts[r.grade_label] = counts.get(r.grade_label, 0) + 1
    if results:
        summary = _("本年度共评定 {n} 个职工服务中心：{grades}。").format(
            n=len(results),
            grades=counted(
                ngettext("{grade} {n} 个", "{grade} {n} 个", n).format(grade=label, n=n) for label, n in counts.items()
            ),
        )
    else:
        summary = _("本年度无考核验收评定结果。")
    owing = selectors.units_owing_model_centre(actor=actor, year=year)
    paragraphs = [summary]
    if owing:
        paragraphs.append(_("尚未培养示范中心的单位：{units}。").format(units=enumeration(u.name for u in owing)))
    table = Table(
        headers=[
            _("单位"),
            _("服务中心"),
            _("层级"),
            _("硬件建设达标率"),
            _("运行机制和措施保障到位率"),
            _("职工满意率"),
            _("等次"),
            _("奖励"),
        ],
        rows=[
            [r.unit, r.centre, r.level, r.hardware, r.mechanism, r.satisfaction, r.grade_label, r.reward]
            for r in results
        ],
    )
    return SectionContent(title=_("职工服务中心考核验收"), paragraphs=paragraphs, tables=[table] if results else [])


SECTION = ReportSection(name="centres", order=40, build=centres_section)
