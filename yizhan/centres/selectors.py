"""Reads of the service-centre acceptance, always through the actor's scope; and the two reads
other apps use: `acceptance_results` (the annual report, the public page) and
`units_without_model_centre` (the 工作台)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yizhan.centres.choices import ApplicationState
from yizhan.centres.models import AcceptanceRound, Application, ApplicationStateChange, Attachment, ModelCentre
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.orgs.models import Unit
from yizhan.positions.choices import PositionKind
from yizhan.positions.models import Position


def round_list(*, actor: Actor) -> QuerySet[AcceptanceRound]:
    return AcceptanceRound.objects.restrict(actor).select_related("unit")


def round_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> AcceptanceRound:
    return get_for_actor(AcceptanceRound.objects.select_related("unit"), actor, action, pk=pk)


def application_list(
    *, actor: Actor, round_id: int | None = None, state: str = "", grade: str = "", overdue: bool = False, unit=None
) -> QuerySet[Application]:
    """Applications in scope, filtered; `overdue`: still in self-check after the round's deadline."""
    rows = Application.objects.restrict(actor).select_related("round", "unit", "centre")
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if state:
        rows = rows.filter(state=state)
    if grade:
        rows = rows.filter(grade=grade)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if overdue:
        rows = rows.filter(state=ApplicationState.DRAFT, round__deadline__lt=timezone.localdate())
    return rows


def application_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Application:
    return get_for_actor(
        Application.objects.select_related("round", "round__unit", "unit", "centre"), actor, action, pk=pk
    )


def application_history(*, actor: Actor, application: Application) -> QuerySet[ApplicationStateChange]:
    return ApplicationStateChange.objects.restrict(actor).filter(application=application)


def attachment_get(*, actor: Actor, pk: int) -> Attachment:
    return get_for_actor(Attachment.objects.select_related("application"), actor, Action.VIEW, pk=pk)


def centres_without_application(*, actor: Actor, acceptance_round: AcceptanceRound) -> QuerySet[Position]:
    """Centres in the actor's scope and the round's federation that have no application yet."""
    return (
        Position.objects.restrict(actor)
        .filter(kind=PositionKind.CENTRE, unit__path__startswith=acceptance_round.unit.path)
        .exclude(acceptance_applications__round=acceptance_round)
        .select_related("unit")
        .order_by("unit__path", "official_name")
    )


# ------------------------------------------------------------------ results (public, report)


@dataclass(frozen=True)
class Result:
    """One graded centre as published: only public facts (names, level, rates, grade, reward)."""

    unit: str
    centre: str
    level: str
    hardware: str
    mechanism: str
    satisfaction: str
    grade: str
    grade_label: str
    reward: str
    graded_on: dt.date | None


def _result(application: Application) -> Result:
    from yizhan.centres.grading import percent, ratio

    satisfied, responses = application.satisfaction_counts()
    return Result(
        unit=application.unit.name,
        centre=application.centre.official_name,
        level=application.centre.get_centre_level_display(),
        hardware=percent(ratio(application.hardware_met, application.hardware_applicable)),
        mechanism=percent(ratio(application.mechanism_met, application.mechanism_applicable)),
        satisfaction=percent(ratio(satisfied, responses)),
        grade=application.grade,
        grade_label=application.get_grade_display(),
        reward=application.reward,
        graded_on=application.graded_on,
    )


GRADE_ORDER = {"excellent": 0, "advanced": 1, "standard": 2, "failed": 3}


def acceptance_results(federation: Unit, year: int, *, actor: Actor | None = None) -> list[Result]:
    """The graded results of `federation`'s round of `year` (public: graded results are published,
    source 002 六(二)): best grade first, then by unit. With `actor`, only those in its scope."""
    rows = Application.objects.filter(
        round__unit=federation, round__year=year, state=ApplicationState.GRADED
    ).select_related("unit", "centre")
    if actor is not None:
        rows = rows.filter(pk__in=Application.objects.restrict(actor).values("pk"))
    results = [_result(a) for a in rows]
    return sorted(results, key=lambda r: (GRADE_ORDER.get(r.grade, 9), r.unit, r.centre))


def published_rounds() -> QuerySet[AcceptanceRound]:
    """Rounds with at least one graded result: what the public page lists."""
    return (
        AcceptanceRound.objects.filter(applications__state=ApplicationState.GRADED)
        .select_related("unit")
        .distinct()
        .order_by("-year", "unit__path")
    )


# ------------------------------------------------------------------ model centres


def model_centre_list(*, actor: Actor, year: int | None = None) -> QuerySet[ModelCentre]:
    rows = ModelCentre.objects.restrict(actor).select_related("unit", "centre")
    return rows.filter(year=year) if year is not None else rows


def units_owing_model_centre(*, actor: Actor, year: int) -> list[Unit]:
    """The units that must raise a model centre (source 002 六(四): 各区、局、产业、直属大单位 —
    the units directly below a federation) in the actor's scope, that have none for `year`."""
    if not actor.can(Action.VIEW, ModelCentre) or actor.unit is None:
        return []
    own = actor.unit
    federation = own if own.is_root() else Unit.objects.get(path=own.path[: Unit.steplen])
    candidates = Unit.objects.filter(path__startswith=federation.path, depth=federation.depth + 1)
    candidates = [u for u in candidates if actor.covers_unit(u)]
    have = set(ModelCentre.objects.filter(year=year).values_list("unit__path", flat=True))
    return [u for u in candidates if not any(path.startswith(u.path) for path in have)]
