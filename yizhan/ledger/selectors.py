"""Reads of the ledger and feedback context; every selector takes the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import Feedback, FeedbackStatusChange


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
