"""Staff pages of social organisations and service projects (spec §9). Rules are the services';
these pages only call them and show their refusals as messages. A social-organisation account
sees its own organisation, the published projects of its unit, its applications and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action, Role
from yizhan.core.views_helpers import run_action, staff_view
from yizhan.orgs import selectors as org_selectors
from yizhan.projects import exports, scoring, selectors, services
from yizhan.projects.choices import PROJECT_FLOW, ApplicationState, Category, HonourLevel, ProjectState
from yizhan.projects.models import (
    Application,
    PerformanceReport,
    ScoreSheet,
    ServiceProject,
    SocialOrganisation,
    SubsidyPayment,
)

PER_PAGE = 50
SAVED = _("已保存")
BAD_DATE = _("“{label}”应为日期，例如 2024-06-01")
BAD_AMOUNT = _("“{label}”应为以元为单位的金额，最多两位小数")
BAD_NUMBER = _("“{label}”应为不小于 0 的整数")
MOVED = _("项目已变为“{state}”")
CHECKED = _("资格审查：{verdict}")
SUBSIDY_PAID = _("已发放补助 {amount} 元")
# Moves taken with the plain form (a reason at most); the others carry their own forms.
PLAIN_MOVES = {ProjectState.PUBLISHED, ProjectState.NEEDS, ProjectState.CHECKING, ProjectState.EVALUATING}


def _date(request, name: str, label, *, required: bool = True) -> dt.date | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        if required:
            raise ApplicationError(str(BAD_DATE).format(label=label), field=name)
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ApplicationError(str(BAD_DATE).format(label=label), field=name) from None


def _fen(request, name: str, label) -> int:
    raw = request.POST.get(name, "").strip().replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ApplicationError(str(BAD_AMOUNT).format(label=label), field=name) from None
    if not value.is_finite() or value < 0 or value > 10**10 or value.quantize(Decimal("0.01")) != value:
        raise ApplicationError(str(BAD_AMOUNT).format(label=label), field=name)
    return int(value * 100)


def _count(request, name: str, label) -> int:
    raw = request.POST.get(name, "0").strip() or "0"
    if not raw.isdecimal() or len(raw) > 6:
        raise ApplicationError(str(BAD_NUMBER).format(label=label), field=name)
    return int(raw)


def _back_to(project_id: int) -> str:
    return reverse("projects:project_detail", kwargs={"project_id": project_id})


# ------------------------------------------------------------------ projects


@staff_view
def project_list(request):
    """The projects in scope, filtered by state."""
    actor = request.actor
    state = request.GET.get("state", "")
    state = state if state in ProjectState.values else ""
    mine = request.GET.get("mine") == "1"
    projects = selectors.project_list(actor=actor, state=state, mine=mine)
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "state": state,
            "mine": mine,
            "states": ProjectState.choices,
            "may_create": actor.can(Action.CREATE, ServiceProject),
        },
    )


@staff_view
def project_create(request):
    """A new project at its first step: the workers' needs, what is asked for, the budget."""
    actor = request.actor
    units = org_selectors.unit_list(actor=actor, action=Action.CREATE)[:200]
    if request.method == "POST":
        raw = request.POST.get("unit", "")
        try:
            unit = org_selectors.unit_get(actor=actor, pk=int(raw) if raw.isdecimal() and len(raw) < 10 else 0)
            project = services.project_create(
                actor=actor,
                unit=unit,
                title=request.POST.get("title", ""),
                category=request.POST.get("category", ""),
                needs=request.POST.get("needs", ""),
                requirements=request.POST.get("requirements", ""),
                budget_fen=_fen(request, "budget", _("预算")),
                apply_by=_date(request, "apply_by", _("申报截止日期"), required=False),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, SAVED)
            return redirect(_back_to(project.pk))
    return render(
        request,
        "projects/project_form.html",
        {"categories": Category.choices, "units": units, "data": request.POST},
    )


@staff_view
def project_detail(request, project_id: int):
    """One project: what it asks for, its state and the moves the actor may take, the applications
    with their qualification, the agreement, reports, evaluation, score sheet and subsidies."""
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id)
    applications = list(selectors.application_list(actor=actor, project=project))
    own_organisations = []
    if actor.can(Action.CREATE, Application) and project.state == ProjectState.PUBLISHED:
        applied = {a.organisation_id for a in applications}
        own_organisations = [o for o in selectors.organisation_list(actor=actor) if o.pk not in applied]
    moves = [m for m in PROJECT_FLOW.available_transitions(actor, project) if m.target in PLAIN_MOVES]
    may_operate = actor.can(Action.OPERATE, ServiceProject)
    contractor = project.selected_application.organisation if project.selected_application else None
    may_report = (
        project.state == ProjectState.AGREED
        and actor.can(Action.CREATE, PerformanceReport)
        and contractor is not None
        and SocialOrganisation.objects.restrict(actor).filter(pk=contractor.pk).exists()
    )
    sheet = selectors.score_sheet_get(actor=actor, project=project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "applications": applications,
            "own_organisations": own_organisations,
            "moves": [(m.target, PROJECT_FLOW.move_label(m), m.reason_required) for m in moves],
            "may_check": may_operate
            and project.state == ProjectState.CHECKING
            and actor.can(Action.UPDATE, Application),
            "may_select": may_operate and project.state == ProjectState.CHECKING,
            "may_sign": may_operate and project.state == ProjectState.SELECTED,
            "may_archive": may_operate and project.state == ProjectState.EVALUATING,
            "may_report": may_report,
            "reports": selectors.report_list(actor=actor, project=project),
            "history": selectors.project_history(actor=actor, project=project).order_by("-created_at", "-pk")
            if actor.role != Role.SOCIAL_ORG
            else [],
            "sheet": sheet,
            "evidence_flags": [(f, ScoreSheet._meta.get_field(f).verbose_name) for f in services.EVIDENCE_FLAGS],
            "evidence_counts": [
                (c, ScoreSheet._meta.get_field(c).verbose_name, getattr(sheet, c) if sheet else 0)
                for c in services.EVIDENCE_COUNTS
            ],
            "sheet_true": [f for f in services.EVIDENCE_FLAGS if sheet and getattr(sheet, f)],
            "sheet_rows": [(item, (sheet.points or {}).get(item.key, 0) if sheet else None) for item in scoring.ITEMS],
            "may_score": project.state == ProjectState.ARCHIVED and actor.can(Action.CREATE, ScoreSheet),
            "may_view_subsidies": actor.can(Action.VIEW, SubsidyPayment),
            "subsidies": selectors.subsidy_list(actor=actor, project=project),
            "may_pay": project.state == ProjectState.ARCHIVED and actor.can(Action.CREATE, SubsidyPayment),
            "honours": HonourLevel.choices,
            # Honours of selection campaigns (campaigns.Honour via the reverse relation: no import of
            # the campaigns app, which depends on this one).
            "campaign_honours": project.honours.select_related("campaign").order_by("-awarded_on", "pk"),
            "today": timezone.localdate(),
            "qualified": ApplicationState.QUALIFIED,
        },
    )


@require_POST
@staff_view
def project_transition(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id, action=Action.OPERATE)

    def move():
        moved = services.project_transition(
            actor=actor,
            project=project,
            to_state=request.POST.get("to_state", ""),
            reason=request.POST.get("reason", ""),
        )
        return str(MOVED).format(state=moved.get_state_display())

    return run_action(request, _back_to(project.pk), move)


@require_POST
@staff_view
def project_apply(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id)

    def apply():
        raw = request.POST.get("organisation", "")
        organisation = selectors.organisation_get(actor=actor, pk=int(raw) if raw.isdecimal() and len(raw) < 10 else 0)
        services.application_submit(
            actor=actor,
            project=project,
            organisation=organisation,
            proposal=request.POST.get("proposal", ""),
            amount_fen=_fen(request, "amount", _("申请金额")),
        )
        return SAVED

    return run_action(request, _back_to(project.pk), apply)


@require_POST
@staff_view
def application_check(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.UPDATE)

    def check():
        checked = services.application_check(actor=actor, application=application)
        verdict = checked.get_state_display()
        return str(CHECKED).format(verdict=f"{verdict} {checked.qualification_reason}".strip())

    return run_action(request, _back_to(application.project_id), check)


@require_POST
@staff_view
def project_select(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id, action=Action.OPERATE)

    def select():
        raw = request.POST.get("application", "")
        application = selectors.application_get(actor=actor, pk=int(raw) if raw.isdecimal() and len(raw) < 10 else 0)
        moved = services.project_select(actor=actor, application=application, reason=request.POST.get("reason", ""))
        return str(MOVED).format(state=moved.get_state_display())

    return run_action(request, _back_to(project.pk), select)


@require_POST
@staff_view
def project_sign(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id, action=Action.OPERATE)

    def sign():
        moved = services.project_sign(
            actor=actor,
            project=project,
            signed_on=_date(request, "signed_on", _("签订日期")),
            starts_on=_date(request, "starts_on", _("开始日期")),
            ends_on=_date(request, "ends_on", _("结束日期")),
            amount_fen=_fen(request, "amount", _("协议金额")),
            deliverables=request.POST.get("deliverables", ""),
        )
        return str(MOVED).format(state=moved.get_state_display())

    return run_action(request, _back_to(project.pk), sign)


@require_POST
@staff_view
def report_submit(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id)

    def submit():
        services.report_submit(
            actor=actor,
            project=project,
            reported_on=_date(request, "reported_on", _("报告日期")),
            content=request.POST.get("content", ""),
            workers_served=_count(request, "workers_served", _("服务职工人次")),
        )
        return SAVED

    return run_action(request, _back_to(project.pk), submit)


@require_POST
@staff_view
def project_archive(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id, action=Action.OPERATE)

    def archive():
        moved = services.project_archive(
            actor=actor,
            project=project,
            completed_on=_date(request, "completed_on", _("完成日期")),
            satisfaction_rate=request.POST.get("satisfaction_rate", "").strip() or None,
            respondents=_count(request, "respondents", _("测评人数")),
            summary=request.POST.get("summary", ""),
        )
        return str(MOVED).format(state=moved.get_state_display())

    return run_action(request, _back_to(project.pk), archive)


@require_POST
@staff_view
def score_sheet_confirm(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id)

    def confirm():
        evidence = {flag: request.POST.get(flag) == "on" for flag in services.EVIDENCE_FLAGS}
        for count in services.EVIDENCE_COUNTS:
            evidence[count] = _count(request, count, ScoreSheet._meta.get_field(count).verbose_name)
        adjustments = {}
        for item in scoring.ITEMS:
            raw = request.POST.get(f"adjust_{item.key}", "").strip()
            if raw:
                if not raw.lstrip("-").isdecimal() or len(raw) > 4:
                    raise ApplicationError(str(BAD_NUMBER).format(label=item.label), field=item.key)
                adjustments[item.key] = int(raw)
        sheet = services.score_sheet_confirm(
            actor=actor,
            project=project,
            nominated_on=_date(request, "nominated_on", _("推荐日期")),
            evidence=evidence,
            adjustments=adjustments,
        )
        return str(_("评分已确认：{total} 分")).format(total=sheet.total)

    return run_action(request, _back_to(project.pk), confirm)


@require_POST
@staff_view
def subsidy_pay(request, project_id: int):
    actor = request.actor
    project = selectors.project_get(actor=actor, pk=project_id)

    def pay():
        from yizhan.grants.money import fen_to_yuan

        payment = services.subsidy_pay(
            actor=actor,
            project=project,
            level=request.POST.get("level", ""),
            paid_on=_date(request, "paid_on", _("补助日期")),
        )
        return str(SUBSIDY_PAID).format(amount=fen_to_yuan(payment.amount_fen))

    return run_action(request, _back_to(project.pk), pay)


# ------------------------------------------------------------------ organisations


@staff_view
def organisation_list(request):
    actor = request.actor
    page = Paginator(selectors.organisation_list(actor=actor), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/organisation_list.html",
        {"page": page, "may_create": actor.can(Action.CREATE, SocialOrganisation), "today": timezone.localdate()},
    )


ORGANISATION_DATES = {
    "registered_on": _("登记日期"),
    "certificate_valid_from": _("登记证书有效期起"),
    "certificate_valid_to": _("登记证书有效期至"),
    "union_approved_on": _("建立工会批复日期"),
}


def _organisation_fields(request, *, own_account: bool) -> dict:
    fields = {name: request.POST.get(name, "") for name in ("contact_name", "contact_phone")}
    if not own_account:
        fields.update({name: request.POST.get(name, "") for name in ("name", "registration_number")})
        for name, label in ORGANISATION_DATES.items():
            fields[name] = _date(request, name, label, required=False)
    return fields


@staff_view
def organisation_create(request):
    actor = request.actor
    if request.method == "POST":
        try:
            unit = org_selectors.unit_get(actor=actor, pk=actor.unit.pk)
            organisation = services.organisation_create(
                actor=actor, unit=unit, **_organisation_fields(request, own_account=False)
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, SAVED)
            return redirect("projects:organisation_detail", organisation_id=organisation.pk)
    return render(request, "projects/organisation_form.html", {"organisation": None, "data": request.POST})


@staff_view
def organisation_detail(request, organisation_id: int):
    """An organisation's record, its qualification today with the reasons, its signboard photo,
    applications; the edit form (contacts only for its own account)."""
    actor = request.actor
    organisation = selectors.organisation_get(actor=actor, pk=organisation_id)
    may_update = actor.can(Action.UPDATE, SocialOrganisation)
    own_account = actor.role == Role.SOCIAL_ORG
    if request.method == "POST" and may_update:
        try:
            if request.FILES.get("signboard"):
                services.organisation_signboard_set(
                    actor=actor, organisation=organisation, data=request.FILES["signboard"].read()
                )
            else:
                services.organisation_update(
                    actor=actor, organisation=organisation, **_organisation_fields(request, own_account=own_account)
                )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, SAVED)
        return redirect("projects:organisation_detail", organisation_id=organisation.pk)
    today = timezone.localdate()
    return render(
        request,
        "projects/organisation_detail.html",
        {
            "organisation": organisation,
            "verdict": services.organisation_qualification(organisation, on=today),
            "today": today,
            "may_update": may_update,
            "own_account": own_account,
            "applications": Application.objects.restrict(actor)
            .filter(organisation=organisation)
            .select_related("project"),
        },
    )


EXPORT_ROWS_MAX = 10_000
EXPORT_TYPES = {"xlsx": exports.XLSX, "docx": exports.DOCX, "pdf": exports.PDF}


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_GET
@staff_view
def project_list_export(request):
    """The projects list as xlsx (spec §12), the page's filters applied; scores and subsidies only
    for a role that may see them."""
    actor = request.actor
    state = request.GET.get("state", "")
    state = state if state in ProjectState.values else ""
    projects = (
        selectors.project_list(actor=actor, state=state, mine=request.GET.get("mine") == "1")
        .select_related("score_sheet")
        .prefetch_related("subsidies")
        .order_by("unit__path", "pk")[:EXPORT_ROWS_MAX]
    )
    rows = exports.project_rows(projects)
    if not actor.can(Action.VIEW, ScoreSheet):
        rows = [[*r[:-2], "", ""] for r in rows]
    elif not actor.can(Action.VIEW, SubsidyPayment):
        rows = [[*r[:-1], ""] for r in rows]
    return _download(exports.project_list_xlsx(rows), exports.XLSX, "社会组织服务项目.xlsx")


@require_GET
@staff_view
def score_sheet_export(request, project_id: int, fmt: str):
    """The project's confirmed scoring sheet as xlsx, docx or PDF (source 004 附件2)."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    project = selectors.project_get(actor=request.actor, pk=project_id)
    sheet = selectors.score_sheet_get(actor=request.actor, project=project)
    if sheet is None:
        raise Http404
    facts, rows = exports.sheet_facts(project, sheet), exports.sheet_rows(sheet)
    render_ = {
        "xlsx": exports.scoring_sheet_xlsx,
        "docx": exports.scoring_sheet_docx,
        "pdf": exports.scoring_sheet_pdf,
    }[fmt]
    return _download(render_(facts, rows), EXPORT_TYPES[fmt], f"优秀项目评估表-{project.pk}.{fmt}")
