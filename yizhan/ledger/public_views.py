"""The public's problem reports from the position page (issue 15 §4): one tap on a kind posts the
report (with the optional text and photo given before), then a thanks page; a refusal (abuse limits, a text
too long) shows the report page with the reason. No login; CSRF-protected like the feedback form."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from yizhan.core.errors import ApplicationError
from yizhan.core.request_info import remote_addr
from yizhan.ledger import services
from yizhan.ledger.choices import ProblemKind
from yizhan.positions.models import Position


def _public(code: str) -> Position:
    position = Position.objects.public().filter(code=code).first()
    if position is None:
        raise Http404(services.POSITION_NOT_PUBLIC)
    return position


@never_cache
@require_http_methods(["GET", "POST"])
def problem_report(request: HttpRequest, code: str) -> HttpResponse:
    position = _public(code)
    error, text, status = "", "", 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.problem_report_submit(
                position_id=position.pk,
                kind=request.POST.get("kind", ""),
                text=text,
                client=remote_addr(request) or "unknown",
                photo=services.upload_read(request.FILES.get("photo")),
            )
        except services.FeedbackLimited as limited:
            error, status = limited.message, 429
        except ApplicationError as problem:
            error, status = problem.message, 400
        else:
            return redirect(reverse("ledger_public:thanks", args=[position.code]))
    context = {
        "p": position,
        "kinds": ProblemKind.choices,
        "error": error,
        "text": text[:200],
        "photo_max_mb": settings.YIZHAN_PHOTO_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "ledger/problem_report.html", context, status=status)


@require_GET
def problem_report_thanks(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "ledger/problem_report_thanks.html", {"p": _public(code)})
