"""Staff pages of feedback: a scoped, read-only list and detail. Phones are masked; a role that
replies to feedback reveals one with a button, which is audited (spec §11)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from yizhan.core.roles import Action
from yizhan.core.views_helpers import staff_view
from yizhan.ledger import selectors, services
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import Feedback

PER_PAGE = 50


@staff_view
def feedback_list(request):
    status = request.GET.get("status", "")
    feedback = selectors.feedback_list(actor=request.actor, status=status)
    page = Paginator(feedback, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/feedback_list.html",
        {"page": page, "statuses": FeedbackStatus.choices, "status": status},
    )


@require_http_methods(["GET", "POST"])
@staff_view
def feedback_detail(request, pk: int):
    """GET shows the feedback with the phone masked; POST (the reveal button) shows it in full."""
    actor = request.actor
    phone = None
    if request.method == "POST":
        feedback = selectors.feedback_get(actor=actor, pk=pk, action=Action.UPDATE)
        phone = services.feedback_phone_reveal(actor=actor, feedback=feedback)
    else:
        feedback = selectors.feedback_get(actor=actor, pk=pk)
    return render(
        request,
        "ledger/feedback_detail.html",
        {"feedback": feedback, "phone": phone, "can_reveal": actor.can(Action.UPDATE, Feedback)},
    )
