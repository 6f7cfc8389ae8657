"""The published acceptance results: every round with graded centres, and a round's table (unit,
centre, level, the three rates, grade, reward). Only public facts; nothing of the self-checks,
the reviews' notes or the attachments."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yizhan.centres import selectors
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    return render(request, "centres/public_results_list.html", {"rounds": list(selectors.published_rounds()[:50])})


@require_GET
def round_results(request: HttpRequest, round_id: int) -> HttpResponse:
    acceptance_round = selectors.published_rounds().filter(pk=round_id).first()
    if acceptance_round is None:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    rows = selectors.acceptance_results(acceptance_round.unit, acceptance_round.year)
    return render(request, "centres/public_results.html", {"round": acceptance_round, "results": rows})
