"""Reads of the ledger and feedback context; every selector takes the actor."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet, Sum

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import FIGURE_NAMES, DailyLedger, DailyLedgerRevision, Feedback, FeedbackStatusChange
from yizhan.positions.choices import PUBLIC_STATES
from yizhan.positions.models import Position


def feedback_list(*, actor: Actor, position_id: int | None = None, status: str = "") -> QuerySet[Feedback]:
    """Feedback on the positions in the actor's scope, newest first, optionally of one position or
    one handling status. Phones are for the caller to mask (`Feedback.masked_phone`)."""
    require(actor, Action.VIEW, Feedback)
    feedback = Feedback.objects.restrict(actor).select_related("position")
    if position_id is not None:
        feedback = feedback.filter(position_id=position_id)
    if status in FeedbackStatus.values:
        feedback = feedback.filter(status=status)
    return feedback.order_by("-created_at", "-pk")


def feedback_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Feedback:
    """One feedback in the actor's scope (404 outside it, 403 when the role may not take `action`)."""
    return get_for_actor(Feedback.objects.select_related("position", "position__unit"), actor, action, pk=pk)


def feedback_history(*, actor: Actor, feedback: Feedback) -> QuerySet[FeedbackStatusChange]:
    """The handling moves of a feedback the caller fetched within the actor's scope, oldest first."""
    require(actor, Action.VIEW, Feedback)
    return FeedbackStatusChange.objects.filter(feedback=feedback).order_by("created_at", "pk")


def feedback_of_submitter(*, actor: Actor, phone: str, action: str = Action.EXPORT) -> QuerySet[Feedback]:
    """Feedback in the actor's scope sent with `phone` (cleaned as stored), oldest first: what a
    submitter's request to export (EXPORT) or erase (DELETE) their data covers. Only the roles
    that may take `action` on feedback (federation and unit admins)."""
    require(actor, action, Feedback)
    return (
        Feedback.objects.restrict(actor, action)
        .filter(phone=phone)
        .select_related("position")
        .order_by("created_at", "pk")
    )


# --- the daily ledger --------------------------------------------------------------------------


def ledger_list(
    *,
    actor: Actor,
    position_id: int | None = None,
    unit=None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[DailyLedger]:
    """Days of the ledger of the positions in the actor's scope, newest first; optionally of one
    position, of one unit's subtree (a unit in scope) and within a period (both ends included)."""
    require(actor, Action.VIEW, DailyLedger)
    days = DailyLedger.objects.restrict(actor).select_related("position")
    if position_id is not None:
        days = days.filter(position_id=position_id)
    if unit is not None:
        days = days.filter(position__unit__path__startswith=unit.path)
    if date_from is not None:
        days = days.filter(day__gte=date_from)
    if date_to is not None:
        days = days.filter(day__lte=date_to)
    return days.order_by("-day", "position_id")


def ledger_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> DailyLedger:
    """One day of the ledger in the actor's scope (404 outside it)."""
    return get_for_actor(DailyLedger.objects.select_related("position", "position__unit"), actor, action, pk=pk)


def ledger_day(*, actor: Actor, position: Position, day: date) -> DailyLedger | None:
    """The entered day of a position the caller fetched in scope, or None when not entered."""
    require(actor, Action.VIEW, DailyLedger)
    return DailyLedger.objects.restrict(actor).filter(position=position, day=day).first()


def ledger_revisions(*, actor: Actor, ledger: DailyLedger) -> QuerySet[DailyLedgerRevision]:
    """The earlier figures of a day the caller fetched in scope, newest correction first."""
    require(actor, Action.VIEW, DailyLedger)
    return DailyLedgerRevision.objects.filter(ledger=ledger).order_by("-created_at", "-pk")


def ledger_positions(*, actor: Actor) -> QuerySet[Position]:
    """The positions whose ledger the actor may keep: in scope and serving (operating, suspended),
    by code. The station manager's page lists these with today's state."""
    require(actor, Action.CREATE, DailyLedger)
    return Position.objects.restrict(actor).filter(state__in=PUBLIC_STATES).select_related("unit").order_by("code")


def ledger_totals(
    *,
    actor: Actor,
    unit=None,
    position_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, int]:
    """The sums of every count over the days in the actor's scope (as `ledger_list` filters them),
    with the number of days: one GROUP-less SUM over the raw rows (spec §6: totals roll up the
    unit tree)."""
    days = ledger_list(actor=actor, position_id=position_id, unit=unit, date_from=date_from, date_to=date_to)
    names = (*FIGURE_NAMES, "visits_total", "services_total")
    sums = days.order_by().aggregate(days=Count("pk"), **{name: Sum(name) for name in names})
    return {name: sums[name] or 0 for name in ("days", *names)}
