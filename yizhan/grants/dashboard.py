"""The grants' panel of the 工作台: self-evaluation reports still to submit and those past their due
date — each a link to the list filtered to exactly those rows (the same selector counts and lists)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.grants import selectors
from yizhan.grants.choices import ReportState
from yizhan.grants.models import Grant, SelfEvaluation

TITLE = _("补助资金与绩效自评")
DUE = _("待提交的绩效自评报告")
OVERDUE = _("逾期未提交的绩效自评报告")
ALL_GRANTS = _("补助资金")


def grants_panel(actor: Actor) -> Panel | None:
    """For the roles that read reports: the unit writes them (to-do), the federation follows them."""
    if not actor.can(Action.VIEW, SelfEvaluation):
        return None
    base = reverse("grants:report_list")
    writes = actor.can(Action.UPDATE, SelfEvaluation)
    figures = (
        Figure(
            DUE,
            selectors.self_evaluation_list(actor=actor, state=ReportState.DRAFT).count(),
            f"{base}?{urlencode({'state': ReportState.DRAFT})}",
            todo=writes,
        ),
        Figure(
            OVERDUE,
            selectors.self_evaluation_list(actor=actor, overdue=True).count(),
            f"{base}?{urlencode({'state': ReportState.DRAFT, 'overdue': 1})}",
            todo=writes,
        ),
    )
    links = (Link(ALL_GRANTS, reverse("grants:grant_list")),) if actor.can(Action.VIEW, Grant) else ()
    return Panel(title=TITLE, figures=figures, links=links)


PANEL = DashboardPanel(name="grants", order=65, build=grants_panel)
