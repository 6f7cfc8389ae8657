"""Reads of standards; every selector takes the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.positions.choices import PositionKind
from yizhan.positions.models import Position
from yizhan.standards.choices import VersionState
from yizhan.standards.models import (
    AnswerPhoto,
    Assessment,
    AssessmentAnswer,
    RatingPolicyVersion,
    Standard,
    StandardItem,
    StandardVersion,
    StarRatingRecord,
)


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


def rating_policy_versions(*, actor: Actor) -> QuerySet[RatingPolicyVersion]:
    return RatingPolicyVersion.objects.restrict(actor).select_related("unit").order_by("unit__path", "-number")


def rating_policy_version_get(*, actor: Actor, pk: int, action: str = Action.UPDATE) -> RatingPolicyVersion:
    return get_for_actor(RatingPolicyVersion.objects.select_related("unit"), actor, action, pk=pk)


def standard_current_version(*, actor: Actor, standard: Standard) -> StandardVersion | None:
    """The published version of a standard fetched in scope (None before the first publication)."""
    return standard_versions(actor=actor, standard=standard).filter(state=VersionState.PUBLISHED).first()


def standard_items(*, actor: Actor, version: StandardVersion) -> QuerySet[StandardItem]:
    require(actor, Action.VIEW, Standard)
    return StandardItem.objects.filter(version=version).order_by("order", "pk")


def standard_item_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> StandardItem:
    return get_for_actor(StandardItem.objects.select_related("version__standard__unit"), actor, action, pk=pk)


def assessment_list(*, actor: Actor, position_id: int | None = None) -> QuerySet[Assessment]:
    """Assessments of the positions in the actor's scope, latest first; optionally of one position."""
    require(actor, Action.VIEW, Assessment)
    assessments = Assessment.objects.restrict(actor).select_related("position", "version__standard")
    if position_id is not None:
        assessments = assessments.filter(position_id=position_id)
    return assessments.order_by("-assessed_on", "-pk")


def assessment_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Assessment:
    return get_for_actor(Assessment.objects.select_related("position", "version__standard"), actor, action, pk=pk)


def assessment_answers(*, actor: Actor, assessment: Assessment) -> QuerySet[AssessmentAnswer]:
    require(actor, Action.VIEW, Assessment)
    return AssessmentAnswer.objects.filter(assessment=assessment).select_related("item").order_by("item__order")


def star_rating_history(*, actor: Actor, position_id: int) -> QuerySet[StarRatingRecord]:
    """A position's star ratings in the actor's scope, latest period first."""
    require(actor, Action.VIEW, Assessment)
    return StarRatingRecord.objects.restrict(actor).filter(position_id=position_id).order_by("-period", "-pk")


def star_rating_get(*, actor: Actor, pk: int) -> StarRatingRecord:
    return get_for_actor(
        StarRatingRecord.objects.select_related("position__unit", "assessment__version__standard", "policy"),
        actor,
        pk=pk,
    )


def answer_photos(*, actor: Actor, assessment: Assessment) -> dict[int, list[AnswerPhoto]]:
    """The evidence photos of an assessment, by answer."""
    require(actor, Action.VIEW, Assessment)
    photos: dict[int, list[AnswerPhoto]] = {}
    for photo in AnswerPhoto.objects.filter(answer__assessment=assessment).order_by("answer_id", "pk"):
        photos.setdefault(photo.answer_id, []).append(photo)
    return photos


def rating_list(*, actor: Actor, unit=None) -> list[tuple[Position, StarRatingRecord | None]]:
    """The stations in the actor's scope (below `unit` when given), each with its latest rating
    (None: never rated here), by unit and code: a unit's rating list."""
    require(actor, Action.VIEW, Assessment)
    stations = Position.objects.restrict(actor).filter(kind=PositionKind.STATION).select_related("unit", "region")
    if unit is not None:
        stations = stations.filter(unit__path__startswith=unit.path)
    latest: dict[int, StarRatingRecord] = {}
    for record in StarRatingRecord.objects.filter(position__in=stations.values("pk")).order_by(
        "position_id", "period", "created_at", "pk"
    ):
        latest[record.position_id] = record
    return [(station, latest.get(station.pk)) for station in stations.order_by("unit__path", "code")]
