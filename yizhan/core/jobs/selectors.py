"""Reads of jobs, always as an actor: their own, and for admins those of their reach."""

from __future__ import annotations

from django.db.models import QuerySet

from yizhan.core.jobs.models import Job
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor


def job_list(*, actor: Actor, state: str = "", kind: str = "", mine: bool = False) -> QuerySet[Job]:
    """The jobs the actor sees, newest first; `mine` keeps the ones they started."""
    jobs = Job.objects.restrict(actor, Action.VIEW)
    if state:
        jobs = jobs.filter(state=state)
    if kind:
        jobs = jobs.filter(kind=kind)
    if mine:
        jobs = jobs.filter(owner=actor.user)
    return jobs.order_by("-created_at", "-pk")


def job_get(*, actor: Actor, job_id: int) -> Job:
    """One job the actor sees (NotFoundError otherwise, also for one outside their scope)."""
    return get_for_actor(Job.objects, actor, Action.VIEW, pk=job_id)
