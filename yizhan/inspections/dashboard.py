"""The inspections' panel of the 工作台 (spec §5: "overdue rectifications are flagged on
dashboards"): rectifications past their deadline, those waiting for acceptance, and inspections
to carry out — each a link to the list filtered to exactly those rows (the same selector counts
and lists them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor
from yizhan.inspections import selectors
from yizhan.inspections.choices import InspectionState, RectificationState
from yizhan.inspections.models import Inspection, Rectification

TITLE = _("检查与整改")
OVERDUE = _("逾期未整改")
OPEN = _("待整改")
WAITING = _("待验收的整改")
TO_INSPECT = _("待开展的检查")
UNDER_WAY = _("检查中")
ALL_RECTIFICATIONS = _("全部整改")
ALL_INSPECTIONS = _("全部检查")
ADMINS = frozenset({Role.FEDERATION_ADMIN, Role.UNIT_ADMIN})


def inspections_panel(actor: Actor) -> Panel | None:
    """For the roles that see rectifications (owners, inspectors, the auditor); the inspections'
    figures for those who carry them out."""
    if not actor.can(Action.VIEW, Rectification):
        return None
    rectifications = reverse("inspections:rectification_list")
    works = actor.can(Action.OPERATE, Rectification)
    decides = works and actor.role in ADMINS
    figures = [
        Figure(
            OVERDUE,
            selectors.rectification_list(actor=actor, overdue=True).count(),
            f"{rectifications}?{urlencode({'overdue': 1})}",
            todo=works,
        ),
        Figure(
            OPEN,
            selectors.rectification_list(actor=actor, state=RectificationState.OPEN).count(),
            f"{rectifications}?{urlencode({'state': RectificationState.OPEN})}",
        ),
        Figure(
            WAITING,
            selectors.rectification_list(actor=actor, state=RectificationState.SUBMITTED).count(),
            f"{rectifications}?{urlencode({'state': RectificationState.SUBMITTED})}",
            todo=decides,
        ),
    ]
    links = [Link(ALL_RECTIFICATIONS, rectifications)]
    if actor.can(Action.VIEW, Inspection):
        inspections = reverse("inspections:inspection_list")
        operates = actor.can(Action.OPERATE, Inspection)
        for state, label in ((InspectionState.PLANNED, TO_INSPECT), (InspectionState.IN_PROGRESS, UNDER_WAY)):
            figures.append(
                Figure(
                    label,
                    selectors.inspection_list(actor=actor, state=state).count(),
                    f"{inspections}?{urlencode({'state': state})}",
                    todo=operates,
                )
            )
        links.append(Link(ALL_INSPECTIONS, inspections))
    return Panel(title=TITLE, figures=tuple(figures), links=tuple(links))


PANEL = DashboardPanel(name="inspections", order=40, build=inspections_panel)
