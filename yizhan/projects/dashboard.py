"""The projects' panel of the 工作台: for the unions, projects whose applications wait for the
qualification check and projects in their closing evaluation; for a social organisation, the
projects it carries out, whose performance reports are due. Each figure links to the project list
filtered to exactly those rows (the same selector counts and lists)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor
from yizhan.projects import selectors
from yizhan.projects.choices import ProjectState
from yizhan.projects.models import ServiceProject, SocialOrganisation

TITLE = _("社会组织服务项目")
TO_CHECK = _("待资格审查的项目")
TO_EVALUATE = _("待结项评估的项目")
REPORTS_DUE = _("实施中、需提交履约报告的项目")
ORGANISATIONS = _("社会组织")


def _figure(actor, label, state, *, mine=False, todo=True) -> Figure:
    rows = selectors.project_list(actor=actor, state=state, mine=mine).count()
    query = {"state": state, **({"mine": 1} if mine else {})}
    return Figure(label, rows, f"{reverse('projects:project_list')}?{urlencode(query)}", todo=todo)


def projects_panel(actor: Actor) -> Panel | None:
    if not actor.can(Action.VIEW, ServiceProject):
        return None
    if actor.role == Role.SOCIAL_ORG:
        figures = (_figure(actor, REPORTS_DUE, ProjectState.AGREED, mine=True),)
    else:
        figures = (
            _figure(actor, TO_CHECK, ProjectState.CHECKING),
            _figure(actor, TO_EVALUATE, ProjectState.EVALUATING),
        )
    links = (Link(ORGANISATIONS, reverse("projects:organisation_list")),)
    if not actor.can(Action.VIEW, SocialOrganisation):
        links = ()
    return Panel(title=TITLE, figures=figures, links=links)


PANEL = DashboardPanel(name="projects", order=70, build=projects_panel)
