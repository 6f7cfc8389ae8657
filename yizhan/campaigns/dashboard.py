"""The campaigns' panel of the 工作台: steps past their deadline without submission (spec §7: shown
to both sides — the federation sees every late unit's step, a unit its own), open objections to
answer during a notice, and a reviewer's verifications still to record. Each figure links to the
list filtered to exactly those rows (the same selector counts and lists them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yizhan.campaigns import selectors
from yizhan.campaigns.models import Campaign, ReviewAssignment
from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor

TITLE = _("推树活动")
OVERDUE = _("逾期未完成的活动步骤")
PENDING = _("待完成的实地核查")
ALL = _("全部推树活动")


def campaigns_panel(actor: Actor) -> Panel | None:
    if not actor.can(Action.VIEW, Campaign):
        return None
    base = reverse("campaigns:list")
    figures = []
    if actor.role in (Role.FEDERATION_ADMIN, Role.UNIT_ADMIN):
        figures.append(Figure(OVERDUE, len(selectors.overdue_for_actor(actor=actor)), f"{base}?overdue=1", todo=True))
    if actor.can(Action.UPDATE, ReviewAssignment) and actor.role == Role.REVIEWER:
        pending = selectors.assignment_list(actor=actor).filter(total__isnull=True).count()
        figures.append(Figure(PENDING, pending, f"{reverse('campaigns:assignments')}?pending=1", todo=True))
    return Panel(title=TITLE, figures=tuple(figures), links=(Link(ALL, base),))


PANEL = DashboardPanel(name="campaigns", order=62, build=campaigns_panel)
