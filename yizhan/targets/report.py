"""The targets' section of the annual report: every target of the federation's subtree due in the
year, with its progress as of the end of the year (today while the year runs), and the units
behind schedule."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.reports.registry import ReportSection, SectionContent, Table
from yizhan.targets import selectors
from yizhan.targets.models import Target
from yizhan.targets.progress import Status, as_decimal


def value_text(value, suffix) -> str:
    if value is None:
        return "—"
    return f"{as_decimal(value).normalize():f}{suffix}"


def targets_section(actor: Actor, federation, year: int) -> SectionContent | None:
    if not actor.can(Action.VIEW, Target):
        return None
    on = min(selectors.today(), dt.date(year, 12, 31))
    rows = [
        row
        for row in selectors.progress_list(actor=actor, year=year, on=on)
        if row.target.unit.path.startswith(federation.path)
    ]
    title = _("目标任务完成情况")
    if not rows:
        return SectionContent(title=title, paragraphs=[_("本年度没有到期的目标任务。")])
    behind = [row for row in rows if row.status == Status.BEHIND]
    met = sum(1 for row in rows if row.status == Status.MET)
    paragraphs = [
        _("本年度到期目标任务 {n} 项（截至 {day}）：已完成 {met} 项，进度滞后 {behind} 项。").format(
            n=len(rows), day=on.isoformat(), met=met, behind=len(behind)
        )
    ]
    headers = [_("单位"), _("指标"), _("目标值"), _("完成期限"), _("已完成"), _("完成率"), _("预计到期值"), _("状态")]

    def line(row):
        suffix = row.metric.suffix if row.metric else ""
        p = row.progress
        label = row.metric.label if row.metric else row.target.metric
        return [
            row.target.unit.name,
            str(label),
            value_text(p.target_value if p else None, suffix),
            row.target.due_on.isoformat(),
            value_text(p.achieved if p else None, suffix),
            f"{p.percent}%" if p and p.percent is not None else "—",
            value_text(p.forecast.at_due if p and p.forecast else None, suffix),
            str(Status(row.status).label),
        ]

    tables = [Table(headers=headers, rows=[line(row) for row in rows])]
    if behind:
        tables.append(Table(headers=headers, rows=[line(row) for row in behind], caption=_("进度滞后的单位")))
    else:
        paragraphs.append(_("没有进度滞后的单位。"))
    return SectionContent(title=title, paragraphs=paragraphs, tables=tables)


SECTION = ReportSection(name="targets", order=20, build=targets_section)
