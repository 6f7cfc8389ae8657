"""Reads of standards; every selector takes the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.standards.choices import VersionState
from yizhan.standards.models import Standard, StandardItem, StandardVersion


def standard_list(*, actor: Actor) -> QuerySet[Standard]:
    """The standards of the units in the actor's scope."""
    require(actor, Action.VIEW, Standard)
    return Standard.objects.restrict(actor).select_related("unit").order_by("unit__path", "code")


def standard_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Standard:
    return get_for_actor(Standard.objects.select_related("unit"), actor, action, pk=pk)


def standard_versions(*, actor: Actor, standard: Standard) -> QuerySet[StandardVersion]:
    """The versions of a standard fetched in scope, newest first."""
    require(actor, Action.VIEW, Standard)
    return StandardVersion.objects.filter(standard=standard).order_by("-number")


def standard_version_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> StandardVersion:
    return get_for_actor(StandardVersion.objects.select_related("standard__unit"), actor, action, pk=pk)


def standard_current_version(*, actor: Actor, standard: Standard) -> StandardVersion | None:
    """The published version of a standard fetched in scope (None before the first publication)."""
    return standard_versions(actor=actor, standard=standard).filter(state=VersionState.PUBLISHED).first()


def standard_items(*, actor: Actor, version: StandardVersion) -> QuerySet[StandardItem]:
    require(actor, Action.VIEW, Standard)
    return StandardItem.objects.filter(version=version).order_by("order", "pk")


def standard_item_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> StandardItem:
    return get_for_actor(StandardItem.objects.select_related("version__standard__unit"), actor, action, pk=pk)
