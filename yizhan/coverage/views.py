"""Staff pages of coverage and siting (issue 18 §4–§6): 覆盖分析 per unit (start a run as a
background job, the latest result: share, districts, the distance chart, the map of uncovered
cells and stations from the map endpoint, straight and network side by side) and 选址 (start a
siting job, the chosen sites with the coverage each adds, ticked sites turned into planned
positions) and 候选点 (a unit's candidate sets: the upload of loaded sites or co-building partners'
branches, validated row by row, all or nothing, and the template). Thin: the services start and
compute, the selectors read."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
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
from yizhan.core.wording import enumeration
from yizhan.coverage import jobs as coverage_jobs
from yizhan.coverage.api import site_rows
from yizhan.coverage.choices import ReachMode
from yizhan.coverage.exports import BOUND_SOURCES, candidate_template
from yizhan.coverage.forms import CandidateUploadForm, DemandUploadForm
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet, SitingRun
from yizhan.coverage.selectors import (
    candidate_set_list,
    coverage_run_get,
    coverage_run_list,
    coverage_side_by_side,
    demand_set_list,
    siting_run_get,
    siting_run_list,
)
from yizhan.coverage.services import candidate_set_import, siting_best_answer, siting_plan_positions
from yizhan.orgs.models import Unit

STARTED = _("已开始任务 #{id}：{label}，可在任务页查看进度")
PLANNED = _("已生成 {count} 个规划阵地：{codes}")
OPEN_TIMES = ("04:00", "22:00")
IMPORTED = _("已导入候选点“{name}”：{count} 个")
REFUSED = _("文件未导入，没有写入任何候选点：")
TEMPLATE_NAME = _("候选点模板.xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Row errors shown on the page (the rest are counted).
SHOWN_ROW_ERRORS = 200


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


# Stations listed per page under a coverage result (the heavily overlapping ones first, on the first
# pages); the exports hold all on one sheet.
STATIONS_PER_PAGE = 25


def _catchment_rows(summary: dict) -> list[dict]:
    """Each station's catchment (the demand it reaches, the part no other station reaches, the
    overlap), the heavily overlapping ones first — candidates to move (issue 18 §4)."""
    stations, catchments = summary.get("stations") or {}, summary.get("catchments") or []
    flagged = summary.get("overlapping") or []
    to_move = set(flagged)
    rest = sorted(set(range(len(catchments))) - set(flagged), key=lambda i: (-catchments[i]["weight"], i))
    return [
        {
            "code": stations["code"][i],
            "name": stations["name"][i],
            "weight": catchments[i]["weight"],
            "exclusive": catchments[i]["exclusive_weight"],
            "overlap": catchments[i]["overlap_share"],
            "to_move": i in to_move,
        }
        for i in [*flagged, *rest]
    ]


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
            "catchments": Paginator(_catchment_rows(latest.summary) if latest else [], STATIONS_PER_PAGE).get_page(
                request.GET.get("page")
            ),
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
    chosen = request.GET.get("candidates", "")
    return render(
        request,
        "coverage/siting.html",
        {
            "unit": unit,
            "units": _units(actor),
            "run": latest,
            "best": siting_best_answer(latest) if latest else None,
            "answers": _answers(latest) if latest else [],
            "sites": site_rows(latest) if latest else [],
            "map_url": reverse("api:siting_run_map", kwargs={"run_id": latest.pk}) if latest else "",
            "runs": runs[:10],
            "may_start": actor.can(Action.CREATE, SitingRun),
            "may_plan": actor.can(Action.UPDATE, SitingRun),
            "may_export": actor.can(Action.EXPORT, SitingRun),
            "jobs": _recent_jobs(actor, coverage_jobs.SITING_RUN),
            "candidate_sets": candidate_set_list(actor=actor).filter(unit=unit).order_by("-created_at", "-pk")[:20],
            "chosen_candidates": chosen,
        },
    )


ANSWER_TITLES = {"greedy": _("贪心（即时）"), "exact": _("精确（HiGHS）")}
ANSWER_STATES = {
    "optimal": _("已证明最优"),
    "heuristic": _("未证明最优"),
    "time_limit": _("达到时限，差距已证明"),
    "interrupted": _("已中断，差距已证明"),
}


def _answers(run: SitingRun) -> list[dict]:
    """The greedy and the exact answer side by side, with the proof behind each bound."""
    rows = []
    for key in ("greedy", "exact"):
        answer = run.summary.get(key)
        if answer:
            status = answer.get("status")
            if key == "greedy":  # the greedy answer is optimal only when its bound says so
                status = "optimal" if answer.get("gap", 1) <= 0 else "heuristic"
            rows.append(
                {
                    **answer,
                    "title": ANSWER_TITLES[key],
                    "status": ANSWER_STATES.get(status, status),
                    "bound_source": BOUND_SOURCES.get(answer.get("bound_by", ""), ""),
                }
            )
    return rows


@staff_view
def siting_run_page(request, pk: int):
    run = siting_run_get(actor=request.actor, pk=pk)
    return redirect(reverse("coverage:siting") + f"?unit={run.unit.code}")


@staff_view
@require_POST
def siting_start_page(request):
    unit = _unit(request)
    post = request.POST
    set_cover = post.get("objective") == "set_cover"
    params = {
        "unit": unit.code,
        "k": "" if set_cover else post.get("k", ""),
        "radius": post.get("radius", ""),
        "target": _share_of_percent(post.get("target", "")) if set_cover else "",
        "candidates": post.get("candidates", ""),
        "reach": post.get("reach", "straight"),
    }
    params = {key: value for key, value in params.items() if value != ""}
    return _start(request, coverage_jobs.SITING_RUN, params, reverse("coverage:siting") + f"?unit={unit.code}")


def _share_of_percent(text: str):
    """The page asks for a percentage (90), the job for a share (0.9); what is not a number goes on
    as typed, for the job's own message."""
    try:
        return float(text) / 100
    except (TypeError, ValueError):
        return text


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
    codes = enumeration(p.code for p in positions)
    messages.success(request, PLANNED.format(count=len(positions), codes=codes))
    return redirect(back)


@staff_view
def candidates_page(request):
    """A unit's candidate sets and the upload of a new one: xlsx, CSV or GeoJSON, every bad row named
    with its reasons and nothing written unless every row is right."""
    actor = request.actor
    unit = _unit(request)
    may_upload = actor.can(Action.CREATE, CandidateSet)
    max_bytes = int(settings.YIZHAN_IMPORT_MAX_BYTES)
    form = CandidateUploadForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    refused, row_errors, status = "", [], 200
    if request.method == "POST":
        if not may_upload:
            raise PermissionDeniedError(str(_("您的角色不能导入候选点")))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                candidates = candidate_set_import(
                    actor=actor,
                    unit=unit,
                    file_name=upload.name or "",
                    content=upload.read(),
                    crs=form.cleaned_data["crs"],
                    name=form.cleaned_data["name"],
                    source=form.cleaned_data["source"],
                )
            except (NotFoundError, PermissionDeniedError):
                raise
            except ApplicationError as error:
                errors = error.extra.get("errors") or [error.message]
                refused, row_errors = str(REFUSED), errors[:SHOWN_ROW_ERRORS]
                hidden = len(errors) - len(row_errors)
                if hidden > 0:
                    row_errors.append(str(_("另有 {count} 处错误未列出")).format(count=hidden))
            else:
                messages.success(request, IMPORTED.format(name=candidates.name, count=candidates.sites))
                return redirect(reverse("coverage:candidates") + f"?unit={unit.code}")
        status = 400
    return render(
        request,
        "coverage/candidates.html",
        {
            "unit": unit,
            "units": _units(actor),
            "form": form,
            "refused": refused,
            "row_errors": row_errors,
            "may_upload": may_upload,
            "max_mb": max_bytes / 2**20,
            "candidate_sets": candidate_set_list(actor=actor).filter(unit=unit).order_by("-created_at", "-pk")[:50],
        },
        status=status,
    )


@staff_view
def candidates_template(request):
    """The candidate file's template (xlsx): its columns, two example rows and the partner types."""
    response = HttpResponse(candidate_template(), content_type=XLSX)
    name = quote(str(TEMPLATE_NAME))
    response["Content-Disposition"] = f"attachment; filename=\"candidates.xlsx\"; filename*=UTF-8''{name}"
    return response


@staff_view
def demand_page(request):
    """A unit's demand (issue 18 §2): the sets it has (the newest is what runs use), the upload of
    a file as a background job (checked row by row, all or nothing, progress on the job's page),
    and the default grid over the unit's area with a chosen cell size."""
    actor = request.actor
    unit = _unit(request)
    may_create = actor.can(Action.CREATE, DemandSet)
    max_bytes = int(settings.YIZHAN_IMPORT_MAX_BYTES)
    form = DemandUploadForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    status = 200
    if request.method == "POST":
        if not may_create:
            raise PermissionDeniedError(str(_("您的角色不能导入需求数据")))
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = coverage_jobs.demand_import_start(
                    actor=actor,
                    unit=unit.code,
                    upload=data["file"],
                    crs=data["crs"],
                    name=data["name"],
                    cell_m=data["cell_m"],
                )
            except (NotFoundError, PermissionDeniedError):
                raise
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, STARTED.format(id=job.pk, label=job.kind_label))
                return redirect("jobs:detail", job_id=job.pk)
        status = 400
    return render(
        request,
        "coverage/demand.html",
        {
            "unit": unit,
            "units": _units(actor),
            "form": form,
            "may_create": may_create,
            "max_mb": max_bytes / 2**20,
            "default_cell_m": settings.YIZHAN_COVERAGE_GRID_M,
            "demand_sets": demand_set_list(actor=actor).filter(unit=unit).order_by("-created_at", "-pk")[:50],
            "jobs": _recent_jobs(actor, coverage_jobs.DEMAND_IMPORT),
        },
        status=status,
    )


@staff_view
@require_POST
def demand_grid_page(request):
    """Start the default demand grid over the unit's area (a background job), cell size chosen."""
    unit = _unit(request)
    params = {"unit": unit.code, "cell_m": request.POST.get("cell_m", "")}
    params = {key: value for key, value in params.items() if value != ""}
    return _start(request, coverage_jobs.DEMAND_GRID, params, reverse("coverage:demand") + f"?unit={unit.code}")
