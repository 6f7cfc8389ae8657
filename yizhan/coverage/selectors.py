"""Reads of coverage and siting records, always for an actor (data scope, spec §1)."""

from __future__ import annotations

from django.db.models import QuerySet

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.coverage.choices import ReachMode
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet, NetworkFile, SitingRun

# Lists never read the arrays (megabytes per record); a single record does.
_LIGHT = ("data",)


def demand_set_list(*, actor: Actor) -> QuerySet[DemandSet]:
    """Demand sets the actor may see, newest first."""
    return DemandSet.objects.restrict(actor).defer(*_LIGHT).select_related("unit", "region")


def demand_set_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> DemandSet:
    return get_for_actor(DemandSet.objects.select_related("unit"), actor, action, pk=pk)


def candidate_set_list(*, actor: Actor) -> QuerySet[CandidateSet]:
    return CandidateSet.objects.restrict(actor).defer(*_LIGHT).select_related("unit")


def candidate_set_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> CandidateSet:
    return get_for_actor(CandidateSet.objects.select_related("unit"), actor, action, pk=pk)


def network_file_list(*, actor: Actor) -> QuerySet[NetworkFile]:
    return NetworkFile.objects.restrict(actor).defer(*_LIGHT).select_related("unit")


def network_file_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> NetworkFile:
    return get_for_actor(NetworkFile.objects.select_related("unit"), actor, action, pk=pk)


def coverage_run_list(*, actor: Actor, demand_set: DemandSet | None = None) -> QuerySet[CoverageRun]:
    runs = CoverageRun.objects.restrict(actor).defer(*_LIGHT).select_related("unit", "demand_set", "network")
    return runs.filter(demand_set=demand_set) if demand_set is not None else runs


def coverage_run_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> CoverageRun:
    return get_for_actor(CoverageRun.objects.select_related("unit", "demand_set", "network"), actor, action, pk=pk)


def coverage_side_by_side(*, actor: Actor, demand_set: DemandSet, open_at=None) -> dict[str, CoverageRun | None]:
    """The latest straight-line run (approximate) and the latest street-network run of a demand set
    at the same open-now setting, to show side by side when both exist (issue 18 §3)."""
    runs = coverage_run_list(actor=actor, demand_set=demand_set).filter(open_at=open_at)
    return {
        ReachMode.STRAIGHT: runs.filter(mode=ReachMode.STRAIGHT).first(),
        ReachMode.NETWORK: runs.filter(mode=ReachMode.NETWORK).first(),
    }


def siting_run_list(*, actor: Actor) -> QuerySet[SitingRun]:
    return SitingRun.objects.restrict(actor).defer(*_LIGHT).select_related("unit", "demand_set", "candidate_set")


def siting_run_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> SitingRun:
    return get_for_actor(SitingRun.objects.select_related("unit", "demand_set", "candidate_set"), actor, action, pk=pk)
