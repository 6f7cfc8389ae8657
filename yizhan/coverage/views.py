"""Staff pages of coverage and siting (issue 18 §4–§6): 覆盖分析 per unit (start a run as a
background job, the latest result: share, districts, the distance chart, the map of uncovered
cells and stations from the map endpoint, straight and network side by side) and 选址 (start a
siting job, the chosen sites with the coverage each adds, ticked sites turned into planned
positions). Thin: the services start and compute, the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.services import job_start
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, require_in_scope
from yizhan.core.views_helpers import staff_view
from yizhan.coverage import jobs as coverage_jobs
from yizhan.coverage.api import site_rows
from yizhan.coverage.choices import ReachMode
from yizhan.coverage.models import CoverageRun, SitingRun
from yizhan.coverage.selectors import (
    coverage_run_get,
    coverage_run_list,
    coverage_side_by_side,
    siting_run_get,
    siting_run_list,
)
from yizhan.coverage.services import siting_best_answer, siting_plan_positions
from yizhan.orgs.models import Unit

STARTED = _("已开始任务 #{id}：{label}，可在任务页查看进度")
PLANNED = _("已生成 {count} 个规划阵地：{codes}")
OPEN_TIMES = ("04:00", "22:00")


def _unit(request) -> Unit:
    actor = request.actor
    code = request.GET.get("unit") or request.POST.get("unit") or actor.unit.code
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    require_in_scope(actor, unit)
    return unit


def _units(actor):
    return Unit.objects.restrict(actor).order_by("path").only("pk", "code", "name", "path", "depth")


def _recent_jobs(actor, kind: str):
    return Job.objects.restrict(actor).filter(kind=kind).order_by("-created_at")[:5]


def _bars(distribution: dict) -> list[dict]:
    """The nearest-distance chart as rows for <progress> bars (no inline style: the CSP)."""
    edges, weights = distribution.get("edges") or [], distribution.get("weights") or []
    total = sum(weights) + (distribution.get("beyond") or 0) or 1
    rows = [
        {"label": f"{edges[i]:.0f}–{edges[i + 1]:.0f}", "weight": w, "percent": round(100 * w / total, 1)}
        for i, w in enumerate(weights)
        if i + 1 < len(edges) and w > 0
    ]
    beyond = distribution.get("beyond") or 0
    if beyond and edges:
        rows.append({"label": f"≥{edges[-1]:.0f}", "weight": beyond, "percent": round(100 * beyond / total, 1)})
    return rows


@staff_view
def coverage_page(request):
    actor = request.actor
    unit = _unit(request)
    at = request.GET.get("at", "")
    at = at if at in OPEN_TIMES else ""
    runs = coverage_run_list(actor=actor).filter(unit=unit).order_by("-created_at", "-pk")
    open_at_filter = runs.filter(open_at__isnull=not at)
    if at:
        open_at_filter = [r for r in runs.exclude(open_at=None) if localtime(r.open_at).strftime("%H:%M") == at]
        latest = open_at_filter[0] if open_at_filter else None
    else:
        latest = open_at_filter.first()
    side = None
    if latest is not None:
        pair = coverage_side_by_side(actor=actor, demand_set=latest.demand_set, open_at=latest.open_at)
        if all(pair.values()):
            side = [pair[ReachMode.STRAIGHT], pair[ReachMode.NETWORK]]
        latest = coverage_run_get(actor=actor, pk=latest.pk)
    return render(
        request,
        "coverage/coverage.html",
        {
            "unit": unit,
            "units": _units(actor),
            "at": at,
            "open_times": OPEN_TIMES,
            "run": latest,
            "side": side,
            "bars": _bars(latest.summary.get("distribution", {})) if latest else [],
            "map_url": reverse("api:coverage_run_map", kwargs={"run_id": latest.pk}) if latest else "",
            "may_start": actor.can(Action.CREATE, CoverageRun),
            "may_export": actor.can(Action.EXPORT, CoverageRun),
            "jobs": _recent_jobs(actor, coverage_jobs.COVERAGE_RUN),
        },
    )


@staff_view
def coverage_run_page(request, pk: int):
    run = coverage_run_get(actor=request.actor, pk=pk)
    query = f"?unit={run.unit.code}" + (f"&at={localtime(run.open_at).strftime('%H:%M')}" if run.open_at else "")
    return redirect(reverse("coverage:page") + query)


def _start(request, kind: str, params: dict, back: str):
    try:
        job = job_start(actor=request.actor, kind=kind, params=params)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, STARTED.format(id=job.pk, label=job.kind_label))
    return redirect("jobs:detail", job_id=job.pk)


@staff_view
@require_POST
def coverage_start_page(request):
    unit = _unit(request)
    params = {"unit": unit.code, "reach": request.POST.get("reach", "straight"), "at": request.POST.get("at", "")}
    return _start(request, coverage_jobs.COVERAGE_RUN, params, reverse("coverage:page") + f"?unit={unit.code}")


@staff_view
def siting_page(request):
    actor = request.actor
    unit = _unit(request)
    runs = siting_run_list(actor=actor).filter(unit=unit).order_by("-created_at", "-pk")
    latest = runs.first()
    return render(
        request,
        "coverage/siting.html",
        {
            "unit": unit,
            "units": _units(actor),
            "run": latest,
            "best": siting_best_answer(latest) if latest else None,
            "sites": site_rows(latest) if latest else [],
            "runs": runs[:10],
            "may_start": actor.can(Action.CREATE, SitingRun),
            "may_plan": actor.can(Action.UPDATE, SitingRun),
            "may_export": actor.can(Action.EXPORT, SitingRun),
            "jobs": _recent_jobs(actor, coverage_jobs.SITING_RUN),
        },
    )


@staff_view
def siting_run_page(request, pk: int):
    run = siting_run_get(actor=request.actor, pk=pk)
    return redirect(reverse("coverage:siting") + f"?unit={run.unit.code}")


@staff_view
@require_POST
def siting_start_page(request):
    unit = _unit(request)
    post = request.POST
    params = {
        "unit": unit.code,
        "k": post.get("k", ""),
        "radius": post.get("radius", ""),
        "target": post.get("target", ""),
        "candidates": post.get("candidates", ""),
        "reach": post.get("reach", "straight"),
    }
    params = {key: value for key, value in params.items() if value != ""}
    return _start(request, coverage_jobs.SITING_RUN, params, reverse("coverage:siting") + f"?unit={unit.code}")


@staff_view
@require_POST
def siting_plan_page(request, pk: int):
    run = siting_run_get(actor=request.actor, pk=pk, action=Action.UPDATE)
    back = reverse("coverage:siting") + f"?unit={run.unit.code}"
    try:
        numbers = [int(n) for n in request.POST.getlist("site")]
        positions = siting_plan_positions(actor=request.actor, siting_run=run, numbers=numbers)
    except ValueError:
        messages.error(request, str(_("站点序号无效")))
        return redirect(back)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    codes = "、".join(p.code for p in positions)
    messages.success(request, PLANNED.format(count=len(positions), codes=codes))
    return redirect(back)
