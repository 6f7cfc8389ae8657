"""Reads of targets with their progress (spec §8), always through the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.orgs.models import Unit
from yizhan.targets.metrics import Metric, get_metric
from yizhan.targets.models import ReportedFigure, Target
from yizhan.targets.progress import Progress, Status, evaluate


def today() -> dt.date:
    return timezone.localdate()


def target_list(
    *, actor: Actor, unit_id: int | None = None, metric: str = "", year: int | None = None
) -> QuerySet[Target]:
    rows = Target.objects.restrict(actor).select_related("unit")
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if metric:
        rows = rows.filter(metric=metric)
    if year:
        rows = rows.filter(due_on__year=year)
    return rows


def target_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Target:
    return get_for_actor(Target.objects.select_related("unit"), actor, action, pk=pk)


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    metric: Metric | None
    progress: Progress | None  # None: the metric is no longer registered

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else Status.UNKNOWN

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def progress_of(target: Target, *, on: dt.date | None = None) -> TargetProgress:
    metric = get_metric(target.metric)
    if metric is None:
        return TargetProgress(target, None, None)
    progress = evaluate(
        metric=metric,
        unit=target.unit,
        value=target.value,
        due_on=target.due_on,
        start_on=target.start_on,
        today=on or today(),
    )
    return TargetProgress(target, metric, progress)


def progress_list(
    *,
    actor: Actor,
    unit_id: int | None = None,
    metric: str = "",
    status: str = "",
    year: int | None = None,
    on: dt.date | None = None,
) -> list[TargetProgress]:
    rows = [progress_of(t, on=on) for t in target_list(actor=actor, unit_id=unit_id, metric=metric, year=year)]
    if status:
        rows = [row for row in rows if row.status == status]
    return rows


def behind_schedule(*, actor: Actor, on: dt.date | None = None, year: int | None = None) -> list[TargetProgress]:
    return progress_list(actor=actor, status=Status.BEHIND, on=on, year=year)


def unit_choices(*, actor: Actor) -> QuerySet[Unit]:
    """The units whose targets the actor reads (its subtree)."""
    return Unit.objects.restrict(actor).order_by("path")


def settable_units(*, actor: Actor) -> QuerySet[Unit]:
    """The units the actor may set targets for: its subtree (a unit admin: below its own unit)."""
    if not actor.can(Action.CREATE, Target):
        return Unit.objects.none()
    units = unit_choices(actor=actor)
    if actor.role != Role.FEDERATION_ADMIN:
        units = units.exclude(pk=actor.unit.pk)
    return units


def figure_list(*, actor: Actor, unit_id: int | None = None, metric: str = "") -> QuerySet[ReportedFigure]:
    rows = ReportedFigure.objects.restrict(actor).select_related("unit")
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if metric:
        rows = rows.filter(metric=metric)
    return rows


def history_table(row: TargetProgress, *, points: int = 6) -> list[tuple[dt.date, object]]:
    """The metric's value at monthly steps up to today (or the due date), for the detail page."""
    if row.metric is None or row.progress is None:
        return []
    end = row.progress.as_of
    start = row.target.start_on or (end - dt.timedelta(days=365))
    if start > end:
        start = end
    step = max(1, (end - start).days // max(1, points - 1))
    days = sorted({min(end, start + dt.timedelta(days=step * i)) for i in range(points)} | {end})
    return list(zip(days, row.metric.values(row.target.unit, days), strict=True))
