"""The targets' panel of the 工作台: the targets behind schedule in the actor's subtree (work to do,
linking to the list filtered to exactly those, counted by the same selector), and all targets."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Panel
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.core.wording import enumeration
from yizhan.targets import selectors
from yizhan.targets.models import Target
from yizhan.targets.progress import Status

TITLE = _("目标任务")
BEHIND = _("进度滞后的目标")
ALL = _("全部目标任务")
BEHIND_UNITS = _("进度滞后：{units}")


def targets_panel(actor: Actor) -> Panel | None:
    if not actor.can(Action.VIEW, Target):
        return None
    rows = selectors.progress_list(actor=actor)
    behind = [row for row in rows if row.status == Status.BEHIND]
    url = reverse("targets:target_list")
    figures = (
        Figure(BEHIND, len(behind), f"{url}?{urlencode({'status': Status.BEHIND})}", todo=True),
        Figure(ALL, len(rows), url),
    )
    names = sorted({row.target.unit.name for row in behind})
    notice = BEHIND_UNITS.format(units=enumeration(names)) if names else ""
    return Panel(title=TITLE, figures=figures, notice=notice)


PANEL = DashboardPanel(name="targets", order=75, build=targets_panel)
