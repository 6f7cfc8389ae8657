"""The acceptance's panel of the 工作台: for the federation, applications filed and waiting for the
working group, reviewed ones waiting for the grade; for every admin, its applications still in
self-check past the deadline, and the units without a model centre this year (flagged: source 002
六(四) asks each of them for at least one). Each figure links to the rows that add up to it."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.centres import selectors
from yizhan.centres.choices import ApplicationState
from yizhan.centres.models import Application
from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor

TITLE = _("职工服务中心考核验收")
TO_REVIEW = _("已申报、待考核的服务中心")
TO_GRADE = _("已考核、待评定等次的服务中心")
OVERDUE = _("逾期未申报的服务中心")
NO_MODEL = _("本年度尚未培养示范中心的单位")
RESULTS = _("验收结果公示")


def _figure(actor, label, *, todo=True, **query) -> Figure:
    rows = selectors.application_list(actor=actor, **query).count()
    params = {k: (1 if v is True else v) for k, v in query.items()}
    return Figure(str(label), rows, f"{reverse('centres:application_list')}?{urlencode(params)}", todo=todo)


def centres_panel(actor: Actor) -> Panel | None:
    if not actor.can(Action.VIEW, Application) or actor.role not in (Role.FEDERATION_ADMIN, Role.UNIT_ADMIN):
        return None
    figures = []
    if actor.role == Role.FEDERATION_ADMIN:
        figures.append(_figure(actor, TO_REVIEW, state=ApplicationState.FILED))
        figures.append(_figure(actor, TO_GRADE, state=ApplicationState.REVIEWED))
    figures.append(_figure(actor, OVERDUE, overdue=True))
    year = timezone.localdate().year
    owing = selectors.units_owing_model_centre(actor=actor, year=year)
    figures.append(
        Figure(
            str(NO_MODEL),
            len(owing),
            f"{reverse('centres:model_centre_list')}?{urlencode({'year': year})}",
            # A yearly duty, flagged in the panel all year, not one of today's to-dos (from January on
            # it would stand on every union's list until the model centre is named).
            todo=False,
        )
    )
    return Panel(
        title=str(TITLE), figures=tuple(figures), links=(Link(str(RESULTS), reverse("centres_public:results")),)
    )


PANEL = DashboardPanel(name="centres", order=72, build=centres_panel)
