"""Staff pages of grants (issue 17 §8, §9): the grants in scope with the balance per managing unit,
one grant with its uses, the use form and evidence, the federation's disbursement; the
self-evaluation reports, their form and PDF. Rules are the services'; these pages only call them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE
from yizhan.core.views_helpers import add_refusal, int_param, staff_view
from yizhan.core.wording import clauses
from yizhan.grants import selectors, services
from yizhan.grants.choices import GrantState, ReportState
from yizhan.grants.forms import DisburseForm, EvidenceForm, GrantUseForm, ReportRequestForm, SelfEvaluationForm
from yizhan.grants.models import Grant, GrantUse, SelfEvaluation
from yizhan.grants.money import yuan_to_fen
from yizhan.grants.pdf import self_evaluation_pdf
from yizhan.orgs import selectors as org_selectors

PER_PAGE = 50
USE_RECORDED = _("已登记使用 {amount} 元")
DISBURSED = _("已登记拨付")
EVIDENCE_ADDED = _("已上传凭证")
REPORT_SAVED = _("报告已保存（未提交）")
REPORT_SUBMITTED_MESSAGE = _("报告已提交")
REPORTS_REQUESTED = _("已向 {n} 个单位布置绩效自评报告")


@staff_view
def grant_list(request):
    """The balance of each managing unit in scope, then the grants, filtered by source and unit."""
    actor = request.actor
    source = request.GET.get("source", "")[:60]
    unit_id = int_param(request, "unit")
    unit = org_selectors.unit_get(actor=actor, pk=unit_id) if unit_id else None
    grants = selectors.grant_list(actor=actor, source=source, unit_id=unit.pk if unit else None)
    page = Paginator(grants, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "grants/grant_list.html",
        {
            "balances": selectors.grant_balances_by_unit(actor=actor, source=source),
            "sources": selectors.grant_sources(actor=actor),
            "page": page,
            "source": source,
            "unit": unit,
            "may_view_reports": actor.can(Action.VIEW, SelfEvaluation),
        },
    )


@staff_view
def grant_detail(request, pk: int):
    """One grant: amount, disbursement, balance, its uses with their evidence; the managing unit
    records a use (with a first piece of evidence) here."""
    actor = request.actor
    grant = selectors.grant_get(actor=actor, pk=pk)
    may_use = actor.can(Action.CREATE, GrantUse) and grant.state == GrantState.DISBURSED
    form = GrantUseForm(request.POST or None, request.FILES or None) if may_use else None
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError(FORBIDDEN_MESSAGE)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["evidence"]
            try:
                with transaction.atomic():
                    use = services.grant_use_record(
                        actor=actor,
                        grant=grant,
                        amount_fen=yuan_to_fen(data["amount"]),
                        purpose=data["purpose"],
                        used_on=data["used_on"],
                        description=data["description"],
                    )
                    if upload is not None:
                        _check_size(upload)
                        services.grant_evidence_add(actor=actor, use=use, data=upload.read())
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                if error.field == "file":
                    error.field = "evidence"
                add_refusal(form, error)
            else:
                messages.success(request, USE_RECORDED.format(amount=data["amount"]))
                return redirect("grants:grant_detail", pk=grant.pk)
    disburse = DisburseForm() if actor.can(Action.UPDATE, Grant) and grant.state == GrantState.AWARDED else None
    return render(
        request,
        "grants/grant_detail.html",
        {
            "grant": grant,
            "uses": selectors.grant_uses(actor=actor, grant=grant),
            "form": form,
            "disburse_form": disburse,
            "evidence_form": EvidenceForm() if actor.can(Action.CREATE, GrantUse) else None,
            "evidence_max_mb": settings.YIZHAN_PHOTO_MAX_BYTES // (1024 * 1024),
        },
    )


def _check_size(upload) -> None:
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError(services.EVIDENCE_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="file")


@require_POST
@staff_view
def grant_disburse(request, pk: int):
    grant = selectors.grant_get(actor=request.actor, pk=pk, action=Action.UPDATE)
    form = DisburseForm(request.POST)
    if form.is_valid():
        try:
            services.grant_disburse(actor=request.actor, grant=grant, **form.cleaned_data)
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, DISBURSED)
    else:
        messages.error(request, clauses(str(m) for errors in form.errors.values() for m in errors))
    return redirect("grants:grant_detail", pk=grant.pk)


@require_POST
@staff_view
def evidence_add(request, pk: int):
    use = selectors.grant_use_get(actor=request.actor, pk=pk, action=Action.CREATE)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _check_size(form.cleaned_data["file"])
            services.grant_evidence_add(
                actor=request.actor,
                use=use,
                data=form.cleaned_data["file"].read(),
                caption=form.cleaned_data["caption"],
            )
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, EVIDENCE_ADDED)
    else:
        messages.error(request, clauses(str(m) for errors in form.errors.values() for m in errors))
    return redirect("grants:grant_detail", pk=use.grant_id)


@staff_view
def evidence_file(request, pk: int):
    """An evidence file, for those who may read the use (404 outside the scope)."""
    evidence = selectors.grant_evidence_get(actor=request.actor, pk=pk)
    content_type = "application/pdf" if evidence.file.name.endswith(".pdf") else "image/jpeg"
    return FileResponse(evidence.file.open("rb"), content_type=content_type)


@staff_view
def report_list(request):
    """Reports in scope (draft / submitted / overdue); the federation asks units for them here."""
    actor = request.actor
    state = request.GET.get("state", "")
    state = state if state in ReportState.values else ""
    overdue = request.GET.get("overdue") == "1"
    form = (
        ReportRequestForm(request.POST or None, sources=selectors.grant_sources(actor=actor))
        if actor.can(Action.CREATE, SelfEvaluation)
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError(FORBIDDEN_MESSAGE)
        if form.is_valid():
            try:
                reports = services.self_evaluation_request(actor=actor, **form.cleaned_data)
            except PermissionDeniedError:
                raise
            except ApplicationError as error:  # also "no grants of this source" (NotFoundError)
                add_refusal(form, error)
            else:
                messages.success(request, REPORTS_REQUESTED.format(n=len(reports)))
                return redirect("grants:report_list")
    reports = selectors.self_evaluation_list(actor=actor, state=state, overdue=overdue)
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "grants/report_list.html",
        {"page": page, "state": state, "overdue": overdue, "states": ReportState.choices, "form": form},
    )


@staff_view
def report_detail(request, pk: int):
    """A report: its figures and fields; the unit saves a draft here and submits it."""
    actor = request.actor
    report = selectors.self_evaluation_get(actor=actor, pk=pk)
    editable = actor.can(Action.UPDATE, SelfEvaluation) and report.state == ReportState.DRAFT
    initial = {name: getattr(report, name) for name in services.REPORT_FIELDS}
    form = SelfEvaluationForm(request.POST or None, initial=initial) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError(FORBIDDEN_MESSAGE)
        if form.is_valid():
            try:
                report = services.self_evaluation_save(actor=actor, report=report, **form.cleaned_data)
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, REPORT_SAVED)
                return redirect("grants:report_detail", pk=report.pk)
    missing = services.self_evaluation_missing(report) if report.state == ReportState.DRAFT else []
    grants = selectors.grant_list(actor=actor, source=report.source).filter(unit__path__startswith=report.unit.path)
    return render(
        request,
        "grants/report_detail.html",
        {
            "report": report,
            "form": form,
            "grants": grants,
            "missing": [SelfEvaluation._meta.get_field(name).verbose_name for name in missing],
            "fields": [
                (SelfEvaluation._meta.get_field(n).verbose_name, getattr(report, n)) for n in services.REPORT_FIELDS
            ],
        },
    )


@require_POST
@staff_view
def report_submit(request, pk: int):
    report = selectors.self_evaluation_get(actor=request.actor, pk=pk, action=Action.UPDATE)
    try:
        services.self_evaluation_submit(actor=request.actor, report=report)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, REPORT_SUBMITTED_MESSAGE)
    return redirect("grants:report_detail", pk=report.pk)


@staff_view
def report_pdf(request, pk: int):
    report = selectors.self_evaluation_get(actor=request.actor, pk=pk, action=Action.EXPORT)
    response = HttpResponse(self_evaluation_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="self-evaluation-{report.pk}.pdf"'
    return response
