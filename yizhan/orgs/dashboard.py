"""The units' panel of the 工作台 (issue 21 §6): the units within the actor's reach by type, each
a link to the unit list filtered to that type (the same selector counts and lists them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Panel
from yizhan.core.roles import Action, Reach
from yizhan.core.scoping import Actor
from yizhan.orgs import selectors
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Unit

TITLE = _("工会单位")
# The wording (and so the translation) the page has always used.
TOTAL = _("管辖范围内共 %(total)s 个工会单位")


def units_panel(actor: Actor) -> Panel | None:
    """For the roles that reach a subtree of units (a station manager's is the one unit it acts for)."""
    if actor.reach != Reach.SUBTREE or not actor.can(Action.VIEW, Unit):
        return None
    counts = selectors.unit_counts_by_type(actor=actor)
    base = reverse("staff:unit_list")
    figures = tuple(
        Figure(label, counts[value], f"{base}?{urlencode({'type': value})}")
        for value, label in UnitType.choices
        if counts.get(value)
    )
    return Panel(title=TITLE, figures=figures, notice=TOTAL % {"total": sum(counts.values())})


PANEL = DashboardPanel(name="units", order=80, build=units_panel)
