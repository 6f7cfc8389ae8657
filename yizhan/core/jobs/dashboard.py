"""The background jobs' panel of the 工作台 (issue 21 §6): jobs in progress (imports, coverage and
siting runs, exports) that the actor sees, queued and running, each a link to the jobs list
filtered to that state (the same selector counts and lists them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Panel
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.selectors import job_list
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor

TITLE = _("后台任务")
RUNNING = _("运行中的任务")
QUEUED = _("排队中的任务")
HINT = _("导入、覆盖计算、选址、导出等耗时工作")


def jobs_panel(actor: Actor) -> Panel | None:
    """Jobs in progress: the actor's own, and for the admins those of their reach (`Job.scope_q`)."""
    if not actor.can(Action.VIEW, Job):
        return None
    base = reverse("jobs:list")
    figures = tuple(
        Figure(label, job_list(actor=actor, state=state).count(), f"{base}?{urlencode({'state': state})}", hint=HINT)
        for state, label in ((JobState.RUNNING, RUNNING), (JobState.QUEUED, QUEUED))
    )
    return Panel(title=TITLE, figures=figures)


PANEL = DashboardPanel(name="jobs", order=90, build=jobs_panel)
