"""Staff pages of inspections (Chinese; the inspector's form fits a 360 × 640 phone): lists, the
inspection with its findings form and moves, spot-check draws, rectifications with their photo
evidence, and the report of a period. Rules are the services'; these pages only call them."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE, require
from yizhan.core.views_helpers import add_refusal, staff_view
from yizhan.core.wording import clauses
from yizhan.inspections import exports, selectors, services
from yizhan.inspections.choices import (
    INSPECTION_FLOW,
    RECTIFICATION_FLOW,
    InspectionKind,
    InspectionState,
    RectificationState,
)
from yizhan.inspections.forms import DrawForm, InspectionForm, RectificationForm, ReportForm, TransitionForm
from yizhan.inspections.models import Inspection, InspectionFinding, Rectification, SpotCheckDraw
from yizhan.standards.choices import CheckType

PER_PAGE = 50
SAVED = _("检查结果已保存")
SUBMITTED = _("检查结果已提交")
MOVED = _("已变更为“{state}”")
OPENED = _("已开具整改 #{pk}")
DRAWN = _("已抽取 {picked} 处阵地（随机种子 {seed}），已安排随机抽查")
PLANNED = _("已安排检查 #{pk}")


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _is_worker_error(error: ApplicationError) -> bool:
    return not isinstance(error, NotFoundError | PermissionDeniedError)


# --- inspections -------------------------------------------------------------------------------------


@staff_view
def inspection_list(request):
    require(request.actor, Action.VIEW, Inspection)
    state = request.GET.get("state") or ""
    kind = request.GET.get("kind") or ""
    rows = selectors.inspection_list(
        actor=request.actor,
        state=state if state in InspectionState.values else None,
        kind=kind if kind in InspectionKind.values else None,
    )
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": _page(request, rows),
            "state": state,
            "kind": kind,
            "states": InspectionState.choices,
            "kinds": InspectionKind.choices,
            "may_plan": request.actor.can(Action.CREATE, Inspection),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    require(request.actor, Action.CREATE, Inspection)
    form = InspectionForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(
                actor=request.actor,
                position=data["position"],
                version=data["version"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                inspectors=data["inspectors"],
                inspecting_unit=data["inspecting_unit"],
            )
        except ApplicationError as error:
            if not _is_worker_error(error):
                raise
            add_refusal(form, error)
        else:
            messages.success(request, PLANNED.format(pk=inspection.pk))
            return redirect("inspections:inspection_detail", inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form})


def _form_items(inspection: Inspection):
    found = {f.item_id: f for f in selectors.inspection_findings(inspection=inspection)}
    return [{"item": item, "finding": found.get(item.pk)} for item in inspection.applicable_items()]


def _may_work(actor, inspection) -> bool:
    if inspection.state != InspectionState.IN_PROGRESS or not actor.can(Action.UPDATE, Inspection):
        return False
    if inspection.kind == InspectionKind.MUTUAL and actor.unit.path == inspection.unit.path:
        return selectors.active_grants(actor).filter(pk=inspection.pk).exists()
    return True


@staff_view
def inspection_detail(request, pk: int):
    actor = request.actor
    inspection = selectors.inspection_get(actor=actor, pk=pk)
    position = None
    if selectors.may_read_position(actor, inspection):
        position = selectors.inspection_position(actor=actor, inspection=inspection)
    moves = [
        (step.target, INSPECTION_FLOW.move_label(step), step.reason_required)
        for step in INSPECTION_FLOW.available_transitions(actor, inspection)
    ]
    rectifications = {r.finding_id: r for r in Rectification.objects.restrict(actor).filter(inspection=inspection)}
    may_rectify = (
        inspection.state in (InspectionState.SUBMITTED, InspectionState.CONFIRMED)
        and actor.can(Action.CREATE, Rectification)
        and actor.covers_unit(inspection.position.unit)
    )
    failing = [
        f for f in selectors.inspection_findings(inspection=inspection) if not f.met and f.pk not in rectifications
    ]
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "position": position,
            "items": _form_items(inspection),
            "may_work": _may_work(actor, inspection),
            "moves": moves,
            "history": selectors.inspection_history(actor=actor, inspection=inspection),
            "inspectors": selectors.inspection_assignments(inspection=inspection),
            "rectifications": list(rectifications.values()),
            "failing": failing if may_rectify else [],
            "rectification_form": RectificationForm(),
            "check": CheckType,
        },
    )


@staff_view
@require_POST
def inspection_findings(request, pk: int):
    actor = request.actor
    inspection = selectors.inspection_get(actor=actor, pk=pk, action=Action.UPDATE)
    answers, notes = {}, {}
    for item in inspection.applicable_items():
        value = request.POST.get(f"item-{item.key}", "").strip()
        if value:
            answers[item.key] = value
        note = request.POST.get(f"note-{item.key}", "").strip()
        if note:
            notes[item.key] = note
    try:
        services.inspection_findings_save(
            actor=actor,
            inspection=inspection,
            answers=answers,
            notes=notes,
            cannot_serve=request.POST.get("cannot_serve") == "1",
            summary=request.POST.get("summary", ""),
        )
        if request.POST.get("submit"):
            services.inspection_transition(actor=actor, inspection=inspection, to_state=InspectionState.SUBMITTED)
            messages.success(request, SUBMITTED)
        else:
            messages.success(request, SAVED)
    except ApplicationError as error:
        if not _is_worker_error(error):
            raise
        messages.error(request, error.message)
    return redirect("inspections:inspection_detail", pk)


@staff_view
@require_POST
def inspection_transition(request, pk: int):
    inspection = selectors.inspection_get(actor=request.actor, pk=pk, action=Action.OPERATE)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            moved = services.inspection_transition(
                actor=request.actor,
                inspection=inspection,
                to_state=form.cleaned_data["to_state"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            if not _is_worker_error(error):
                raise
            messages.error(request, error.message)
        else:
            messages.success(request, MOVED.format(state=moved.get_state_display()))
    else:
        messages.error(request, clauses(str(e) for errors in form.errors.values() for e in errors))
    return redirect("inspections:inspection_detail", pk)


@staff_view
@require_POST
def rectification_open(request, pk: int):
    actor = request.actor
    inspection = selectors.inspection_get(actor=actor, pk=pk)
    form = RectificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, clauses(str(e) for errors in form.errors.values() for e in errors))
        return redirect("inspections:inspection_detail", pk)
    finding = InspectionFinding.objects.filter(inspection=inspection, pk=form.cleaned_data["finding"]).first()
    if finding is None:
        raise NotFoundError(str(_("检查发现不存在")))
    try:
        rectification = services.rectification_open(
            actor=actor,
            finding=finding,
            deadline=form.cleaned_data["deadline"],
            requirement=form.cleaned_data["requirement"],
        )
    except ApplicationError as error:
        if not _is_worker_error(error):
            raise
        messages.error(request, error.message)
        return redirect("inspections:inspection_detail", pk)
    messages.success(request, OPENED.format(pk=rectification.pk))
    return redirect("inspections:rectification_detail", rectification.pk)


# --- spot-check draws -----------------------------------------------------------------------------------


@staff_view
def draw_list(request):
    require(request.actor, Action.VIEW, SpotCheckDraw)
    return render(
        request,
        "inspections/draw_list.html",
        {
            "page": _page(request, selectors.draw_list(actor=request.actor)),
            "may_draw": request.actor.can(Action.CREATE, SpotCheckDraw),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def draw_new(request):
    require(request.actor, Action.CREATE, SpotCheckDraw)
    form = DrawForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.spot_check_draw(
                actor=request.actor,
                units=list(data["units"]),
                version=data["version"],
                ends_on=data["ends_on"],
                size=data["size"],
                rate=data["rate"],
                seed=data["seed"],
                recent_days=data["recent_days"],
                include_recent=data["include_recent"],
                inspectors=data["inspectors"],
            )
        except ApplicationError as error:
            if not _is_worker_error(error):
                raise
            add_refusal(form, error)
        else:
            messages.success(request, DRAWN.format(picked=record.picked, seed=record.seed))
            return redirect("inspections:draw_detail", record.pk)
    return render(request, "inspections/draw_form.html", {"form": form})


@staff_view
def draw_detail(request, pk: int):
    record = selectors.draw_get(actor=request.actor, pk=pk)
    inspections = selectors.inspection_list(actor=request.actor, draw=record.pk)
    return render(request, "inspections/draw_detail.html", {"draw": record, "inspections": inspections})


# --- rectifications -------------------------------------------------------------------------------------


@staff_view
def rectification_list(request):
    require(request.actor, Action.VIEW, Rectification)
    state = request.GET.get("state") or ""
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.rectification_list(
        actor=request.actor, state=state if state in RectificationState.values else None, overdue=overdue
    )
    return render(
        request,
        "inspections/rectification_list.html",
        {
            "page": _page(request, rows),
            "state": state,
            "overdue": overdue,
            "states": RectificationState.choices,
            "today": timezone.localdate(),
        },
    )


@staff_view
def rectification_detail(request, pk: int):
    actor = request.actor
    rectification = selectors.rectification_get(actor=actor, pk=pk)
    moves = [
        (step.target, RECTIFICATION_FLOW.move_label(step), step.reason_required)
        for step in RECTIFICATION_FLOW.available_transitions(actor, rectification)
        if step.target != RectificationState.SUBMITTED
    ]
    may_submit = (
        rectification.state == RectificationState.OPEN
        and actor.can(Action.OPERATE, Rectification)
        and actor.covers_unit(rectification.owner_unit)
    )
    return render(
        request,
        "inspections/rectification_detail.html",
        {
            "r": rectification,
            "evidence": selectors.rectification_evidence(rectification=rectification),
            "history": selectors.rectification_history(actor=actor, rectification=rectification),
            "moves": moves,
            "may_submit": may_submit,
            "today": timezone.localdate(),
        },
    )


@staff_view
@require_POST
def rectification_submit(request, pk: int):
    actor = request.actor
    rectification = selectors.rectification_get(actor=actor, pk=pk, action=Action.OPERATE)
    photos = [f.read() for f in request.FILES.getlist("photos")]
    try:
        services.rectification_submit(
            actor=actor, rectification=rectification, photos=photos, note=request.POST.get("note", "")
        )
    except ApplicationError as error:
        if not _is_worker_error(error):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, MOVED.format(state=RectificationState.SUBMITTED.label))
    return redirect("inspections:rectification_detail", pk)


@staff_view
@require_POST
def rectification_transition(request, pk: int):
    rectification = selectors.rectification_get(actor=request.actor, pk=pk, action=Action.OPERATE)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    try:
        moved = services.rectification_transition(
            actor=request.actor,
            rectification=rectification,
            to_state=form.cleaned_data["to_state"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        if not _is_worker_error(error):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, MOVED.format(state=moved.get_state_display()))
    return redirect("inspections:rectification_detail", pk)


# --- the report -----------------------------------------------------------------------------------------


@staff_view
def report(request):
    require(request.actor, Action.VIEW, Inspection)
    today = timezone.localdate()
    initial = {"date_from": date(today.year, 1, 1), "date_to": today, "format": "xlsx"}
    form = ReportForm(request.GET or None, initial=initial)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            content, content_type, filename = exports.inspection_report_export(
                actor=request.actor, date_from=data["date_from"], date_to=data["date_to"], fmt=data["format"]
            )
        except ApplicationError as error:
            if not _is_worker_error(error):
                raise
            form.add_error(None, error.message)
        else:
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
            return response
    return render(
        request, "inspections/report.html", {"form": form, "list_url": reverse("inspections:inspection_list")}
    )
