"""Reads of social organisations and service projects, always through the actor's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.projects.models import (
    Application,
    PerformanceReport,
    ProjectStateChange,
    ScoreSheet,
    ServiceProject,
    SocialOrganisation,
    SubsidyPayment,
)


def organisation_list(*, actor: Actor) -> QuerySet[SocialOrganisation]:
    return SocialOrganisation.objects.restrict(actor).select_related("unit")


def organisation_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> SocialOrganisation:
    return get_for_actor(SocialOrganisation.objects.select_related("unit"), actor, action, pk=pk)


def project_list(*, actor: Actor, state: str = "", mine: bool = False) -> QuerySet[ServiceProject]:
    """The projects in scope; `mine`: only those carried out by an organisation the actor reaches
    (for a social organisation, its own contracts)."""
    projects = ServiceProject.objects.restrict(actor).select_related("unit", "selected_application__organisation")
    if mine:
        projects = projects.filter(selected_application__organisation__in=organisation_list(actor=actor))
    return projects.filter(state=state) if state else projects


def project_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> ServiceProject:
    return get_for_actor(
        ServiceProject.objects.select_related("unit", "selected_application__organisation"), actor, action, pk=pk
    )


def project_history(*, actor: Actor, project: ServiceProject) -> QuerySet[ProjectStateChange]:
    return ProjectStateChange.objects.restrict(actor).filter(project=project)


def application_list(*, actor: Actor, project: ServiceProject | None = None, state: str = "") -> QuerySet[Application]:
    applications = Application.objects.restrict(actor).select_related("organisation", "project")
    if project is not None:
        applications = applications.filter(project=project)
    return applications.filter(state=state) if state else applications


def application_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Application:
    return get_for_actor(Application.objects.select_related("organisation", "project"), actor, action, pk=pk)


def report_list(*, actor: Actor, project: ServiceProject) -> QuerySet[PerformanceReport]:
    return PerformanceReport.objects.restrict(actor).filter(project=project).select_related("organisation")


def score_sheet_get(*, actor: Actor, project: ServiceProject) -> ScoreSheet | None:
    return ScoreSheet.objects.restrict(actor).filter(project=project).first()


def subsidy_list(*, actor: Actor, project: ServiceProject) -> QuerySet[SubsidyPayment]:
    return SubsidyPayment.objects.restrict(actor).filter(project=project)
