"""Reads of inspections, draws and rectifications, always for an actor (decision 2), and the
mutual-check grant: the one way this app reads a position an inspector was assigned to."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from yizhan.core.errors import NotFoundError
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, get_for_actor
from yizhan.inspections.choices import ACTIVE_STATES, COUNTED_STATES, InspectionKind, RectificationState
from yizhan.inspections.models import (
    Inspection,
    InspectionAssignment,
    InspectionStateChange,
    Rectification,
    RectificationStateChange,
    SpotCheckDraw,
)
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position

# --- the mutual-check grant ----------------------------------------------------------------------


def active_grants(actor: Actor) -> QuerySet[Inspection]:
    """The inspections whose position `actor` may read through its assignment: mutual checks of
    the actor's own (inspecting) unit, assigned to the actor's account, planned or under way, and
    today within their dates. Nothing once the inspection is submitted, cancelled or past its
    end; nothing when the actor acts for another unit or role."""
    if actor is None or actor.unit is None or not actor.can(Action.VIEW, Inspection):
        return Inspection.objects.none()
    today = timezone.localdate()
    return Inspection.objects.filter(
        kind=InspectionKind.MUTUAL,
        unit_id=actor.unit.pk,
        state__in=ACTIVE_STATES,
        starts_on__lte=today,
        ends_on__gte=today,
        assignments__user=actor.user,
    )


def granted_positions(actor: Actor) -> QuerySet[Position]:
    """Exactly the positions of the actor's active grants (`active_grants`)."""
    return Position.objects.filter(pk__in=active_grants(actor).values("position_id"))


def inspection_position(*, actor: Actor, inspection: Inspection) -> Position:
    """The position of an inspection the actor sees: through the actor's own scope, or through an
    active mutual-check grant of this very inspection. Otherwise not found (404)."""
    position = (
        Position.objects.restrict(actor).select_related("unit", "region").filter(pk=inspection.position_id).first()
    )
    if position is None and active_grants(actor).filter(pk=inspection.pk).exists():
        position = Position.objects.select_related("unit", "region").get(pk=inspection.position_id)
    if position is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    return position


def may_read_position(actor: Actor, inspection: Inspection) -> bool:
    try:
        inspection_position(actor=actor, inspection=inspection)
    except NotFoundError:
        return False
    return True


# --- inspections -----------------------------------------------------------------------------------


def inspection_list(
    *,
    actor: Actor,
    state: str | None = None,
    kind: str | None = None,
    draw: int | None = None,
    position: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Inspection]:
    rows = Inspection.objects.restrict(actor).select_related("position", "unit", "version__standard")
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if draw:
        rows = rows.filter(draw_id=draw)
    if position:
        rows = rows.filter(position_id=position)
    if date_from:
        rows = rows.filter(starts_on__gte=date_from)
    if date_to:
        rows = rows.filter(starts_on__lte=date_to)
    return rows.order_by("-starts_on", "-pk")


def inspection_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Inspection:
    return get_for_actor(
        Inspection.objects.select_related("position__unit", "unit", "version__standard", "draw", "assessment"),
        actor,
        action,
        pk=pk,
    )


def inspection_findings(*, inspection: Inspection):
    """The findings of an inspection already fetched for the actor (`inspection_get`)."""
    return inspection.findings.select_related("item").order_by("item__order", "pk")


def inspection_history(*, actor: Actor, inspection: Inspection) -> QuerySet[InspectionStateChange]:
    return InspectionStateChange.objects.filter(inspection_id=inspection.pk).order_by("created_at", "pk")


def inspection_assignments(*, inspection: Inspection) -> QuerySet[InspectionAssignment]:
    return inspection.assignments.select_related("user").order_by("pk")


# --- draws -----------------------------------------------------------------------------------------


def draw_list(*, actor: Actor) -> QuerySet[SpotCheckDraw]:
    return (
        SpotCheckDraw.objects.restrict(actor).select_related("unit", "version__standard").order_by("-drawn_on", "-pk")
    )


def draw_get(*, actor: Actor, pk: int) -> SpotCheckDraw:
    return get_for_actor(SpotCheckDraw.objects.select_related("unit", "version__standard"), actor, pk=pk)


def eligible_positions(
    *,
    actor: Actor,
    units: Sequence,
    kinds: Sequence[str] = (),
    recent_days: int | None = 90,
    within: Collection[int] | None = None,
) -> dict[int, list[int]]:
    """unit id → ids of the positions a draw may pick in that unit's subtree: operating, in the
    actor's scope, of `kinds` (all when empty), without an inspection (not cancelled) starting in
    the last `recent_days` days or still open (None: recent ones included); only among `within`
    (position ids) when given — a campaign's honoured positions."""
    rows = Position.objects.restrict(actor).filter(state=PositionState.OPERATING)
    if within is not None:
        rows = rows.filter(pk__in=list(within))
    if kinds:
        rows = rows.filter(kind__in=list(kinds))
    if recent_days is not None:
        since = timezone.localdate() - timedelta(days=recent_days)
        recent = Inspection.objects.filter(position=OuterRef("pk"), state__in=COUNTED_STATES).filter(
            Q(starts_on__gt=since) | Q(inspected_on__gt=since) | Q(state__in=ACTIVE_STATES)
        )
        rows = rows.filter(~Exists(recent))
    pools: dict[int, list[int]] = {}
    for unit in units:
        pools[unit.pk] = sorted(rows.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
    return pools


# --- rectifications ----------------------------------------------------------------------------------


def rectification_list(
    *,
    actor: Actor,
    state: str | None = None,
    overdue: bool = False,
    inspection: int | None = None,
    position: int | None = None,
) -> QuerySet[Rectification]:
    rows = Rectification.objects.restrict(actor).select_related("position", "owner_unit", "owner_user", "finding__item")
    if state:
        rows = rows.filter(state=state)
    if overdue:
        rows = rows.filter(state=RectificationState.OPEN, deadline__lt=timezone.localdate())
    if inspection:
        rows = rows.filter(inspection_id=inspection)
    if position:
        rows = rows.filter(position_id=position)
    return rows.order_by("deadline", "pk")


def rectification_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Rectification:
    return get_for_actor(
        Rectification.objects.select_related(
            "position__unit", "owner_unit", "owner_user", "inspection__unit", "finding__item"
        ),
        actor,
        action,
        pk=pk,
    )


def rectification_history(*, actor: Actor, rectification: Rectification) -> QuerySet[RectificationStateChange]:
    return RectificationStateChange.objects.filter(rectification_id=rectification.pk).order_by("created_at", "pk")


def rectification_evidence(*, rectification: Rectification):
    return rectification.evidence.order_by("round", "pk")
