"""The public notice (公示, spec §7; source 000 §四(四)): the recommended positions of a campaign,
the notice's start and end (Asia/Shanghai dates), and a form through which anyone lodges an
objection while the notice runs — no login, CSRF-protected and abuse-limited like feedback."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from yizhan.campaigns import rules, selectors, services
from yizhan.core.errors import ApplicationError
from yizhan.core.request_info import remote_addr
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.ledger.services import FeedbackLimited


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/public_notice_list.html", {"campaigns": list(selectors.public_notices()[:50])})


@never_cache
@require_http_methods(["GET", "POST"])
def notice_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.public_campaign(campaign_id)
    if campaign is None:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    error, sent, status = "", False, 200
    text, contact, nomination = "", "", ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        contact = request.POST.get("contact", "")
        nomination = request.POST.get("nomination", "")
        try:
            services.objection_submit(
                campaign_id=campaign.pk,
                text=text,
                contact=contact,
                nomination_id=nomination or None,
                client=remote_addr(request) or "unknown",
            )
        except FeedbackLimited as limited:
            error, status = limited.message, 429
        except ApplicationError as problem:
            error, status = problem.message, 400
        else:
            sent, text, contact, nomination = True, "", "", ""
    context = {
        "campaign": campaign,
        "rows": selectors.public_notice_rows(campaign),
        "open": services.notice_open(campaign),
        "days": rules.notice_days(campaign.notice_starts_on, campaign.notice_ends_on),
        "error": error,
        "sent": sent,
        "text": text[:500],
        "contact": contact[:50],
        "nomination": nomination,
    }
    return render(request, "campaigns/public_notice.html", context, status=status)


@require_GET
def notice_pdf(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The notice as a PDF (annexes.notice_pdf), for printing and posting."""
    from yizhan.campaigns import annexes

    campaign = selectors.public_campaign(campaign_id)
    if campaign is None:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    data = annexes.notice_pdf(annexes.notice_for(campaign, selectors.public_notice_rows(campaign)))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{campaign.pk}.pdf"'
    return response
