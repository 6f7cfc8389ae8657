"""Staff pages of targets (spec §8) under /staff/targets/: the list with progress bars and filters
(unit, metric, status, year), the form that sets a target (for one unit or every unit directly
below), one target with its progress, forecast explained and history, and the reported figures.
Rules are the services'; these pages only call them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE, OUT_OF_SCOPE_MESSAGE
from yizhan.core.views_helpers import add_refusal, int_param, staff_view
from yizhan.orgs.models import Unit
from yizhan.targets import selectors, services
from yizhan.targets.forms import FigureForm, TargetEditForm, TargetForm
from yizhan.targets.metrics import all_metrics, get_metric
from yizhan.targets.models import ReportedFigure, Target
from yizhan.targets.progress import Status

CREATED = _("已设定 {n} 项目标任务")
SAVED = _("目标任务已保存")
DELETED = _("目标任务已删除")
FIGURE_SAVED = _("已填报")
CHOOSE_UNIT = _("请选择单位，或勾选为所有直属下级单位设定")


@staff_view
def target_list(request):
    actor = request.actor
    if not actor.can(Action.VIEW, Target):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    unit_id = int_param(request, "unit")
    year = int_param(request, "year")
    metric = request.GET.get("metric", "")
    metric = metric if get_metric(metric) else ""
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    rows = selectors.progress_list(actor=actor, unit_id=unit_id, metric=metric, status=status, year=year)
    return render(
        request,
        "targets/target_list.html",
        {
            "rows": rows,
            "units": selectors.unit_choices(actor=actor),
            "metrics": all_metrics(),
            "statuses": Status.choices,
            "unit_id": unit_id,
            "metric": metric,
            "status": status,
            "year": year or "",
            "may_create": actor.can(Action.CREATE, Target) and selectors.settable_units(actor=actor).exists(),
            "may_report": actor.can(Action.CREATE, ReportedFigure),
        },
    )


@staff_view
def target_create(request):
    actor = request.actor
    if not actor.can(Action.CREATE, Target):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    units = list(selectors.settable_units(actor=actor))
    form = TargetForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "metric": data["metric"],
            "value": data["value"],
            "due_on": data["due_on"],
            "start_on": data["start_on"],
            "basis": data["basis"],
        }
        try:
            if data["all_children"]:
                children = list(Unit.objects.get_children(actor.unit).order_by("path"))
                created = services.target_bulk_create(actor=actor, units=children, **fields)
            elif data["unit"]:
                unit = next(u for u in units if str(u.pk) == data["unit"])
                created = [services.target_create(actor=actor, unit=unit, **fields)]
            else:
                raise ApplicationError(str(CHOOSE_UNIT), field="unit")
        except ApplicationError as error:
            if isinstance(error, NotFoundError | PermissionDeniedError):
                raise
            add_refusal(form, error)
        else:
            messages.success(request, CREATED.format(n=len(created)))
            if len(created) == 1:
                return redirect("targets:target_detail", pk=created[0].pk)
            return redirect("targets:target_list")
    return render(request, "targets/target_form.html", {"form": form})


@staff_view
def target_detail(request, pk: int):
    actor = request.actor
    target = selectors.target_get(actor=actor, pk=pk)
    may_edit = (
        actor.can(Action.UPDATE, Target) and selectors.settable_units(actor=actor).filter(pk=target.unit_id).exists()
    )
    initial = {
        "value": target.value.normalize(),
        "start_on": target.start_on,
        "due_on": target.due_on,
        "basis": target.basis,
    }
    form = TargetEditForm(request.POST or None, initial=initial) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError(FORBIDDEN_MESSAGE)
        if form.is_valid():
            try:
                services.target_update(actor=actor, target=target, **form.cleaned_data)
            except ApplicationError as error:
                if isinstance(error, NotFoundError | PermissionDeniedError):
                    raise
                add_refusal(form, error)
            else:
                messages.success(request, SAVED)
                return redirect("targets:target_detail", pk=target.pk)
    row = selectors.progress_of(target)
    return render(
        request,
        "targets/target_detail.html",
        {
            "row": row,
            "target": target,
            "form": form,
            "may_delete": may_edit and actor.can(Action.DELETE, Target),
            "history": selectors.history_table(row),
        },
    )


@staff_view
@require_POST
def target_delete(request, pk: int):
    actor = request.actor
    target = selectors.target_get(actor=actor, pk=pk)
    services.target_delete(actor=actor, target=target)
    messages.success(request, DELETED)
    return redirect("targets:target_list")


@staff_view
def figure_list(request):
    actor = request.actor
    if not actor.can(Action.VIEW, ReportedFigure):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    units = list(selectors.unit_choices(actor=actor))
    form = FigureForm(request.POST or None, units=units) if actor.can(Action.CREATE, ReportedFigure) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError(FORBIDDEN_MESSAGE)
        if form.is_valid():
            data = form.cleaned_data
            unit = next((u for u in units if str(u.pk) == data["unit"]), None)
            try:
                if unit is None:
                    raise NotFoundError(str(OUT_OF_SCOPE_MESSAGE))
                services.figure_report(
                    actor=actor,
                    unit=unit,
                    metric=data["metric"],
                    value=data["value"],
                    as_of=data["as_of"],
                    source=data["source"],
                    today=selectors.today(),
                )
            except ApplicationError as error:
                if isinstance(error, NotFoundError | PermissionDeniedError):
                    raise
                add_refusal(form, error)
            else:
                messages.success(request, FIGURE_SAVED)
                return redirect("targets:figure_list")
    return render(
        request,
        "targets/figure_list.html",
        {
            "figures": selectors.figure_list(actor=actor)[:200],
            "form": form,
            "metrics": {m.code: m for m in all_metrics()},
        },
    )
