"""Staff pages of the annual report under /staff/reports/: the report of a unit and year as a page,
as PDF and as Word. ?unit= picks a unit of the reader's subtree (its own by default), ?year= the
year (this year by default)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from yizhan.core.errors import ApplicationError
from yizhan.core.views_helpers import int_param, staff_view
from yizhan.orgs.models import Unit
from yizhan.reports import selectors
from yizhan.reports.render import report_docx, report_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report(request):
    actor = request.actor
    unit = selectors.report_unit(actor=actor, unit_id=int_param(request, "unit"))
    year = int_param(request, "year") or timezone.localdate().year
    return selectors.annual_report(actor=actor, unit=unit, year=year)


@staff_view
def report(request):
    actor = request.actor
    error = ""
    try:
        result = _report(request)
    except ApplicationError as exc:
        if exc.field != "year":
            raise
        error, result = exc.message, None
    this_year = timezone.localdate().year
    return render(
        request,
        "reports/report.html",
        {
            "report": result,
            "error": error,
            "units": Unit.objects.restrict(actor).order_by("path")[:500] if selectors.may_read(actor) else [],
            "years": list(range(this_year, selectors.FIRST_YEAR - 1, -1))[:15],
            "unit_id": result.unit.pk if result else None,
            "year": result.year if result else this_year,
        },
    )


def _or_back_to_the_page(request):
    """The report, or None with the page's answer (which says what is wrong with the year)."""
    try:
        return _report(request), None
    except ApplicationError as exc:
        if exc.field != "year":
            raise
        return None, report(request)


@staff_view
def report_pdf_view(request):
    result, answer = _or_back_to_the_page(request)
    if result is None:
        answer.status_code = 400
        return answer
    response = HttpResponse(report_pdf(result), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="annual-report-{result.unit.pk}-{result.year}.pdf"'
    return response


@staff_view
def report_docx_view(request):
    result, answer = _or_back_to_the_page(request)
    if result is None:
        answer.status_code = 400
        return answer
    response = HttpResponse(report_docx(result), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="annual-report-{result.unit.pk}-{result.year}.docx"'
    return response
