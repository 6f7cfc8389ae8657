"""/api/v1/coverage: coverage and siting (issue 18 §4–§6). Runs are started as background jobs
(the answer is the job: follow it under /api/v1/jobs/{id}); the stored runs are listed with their
figures, exported, and a siting result's sites turned into planned positions. Endpoints only call
the services and selectors; errors are the API's one mapping (400 with field, 403, 404)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.crs import CRS
from yizhan.core.jobs.services import job_start
from yizhan.coverage import jobs as coverage_jobs
from yizhan.coverage.exports import coverage_geojson, coverage_run_export, siting_map_geojson, siting_run_export
from yizhan.coverage.jobs import demand_import_start, network_load_start, unit_param
from yizhan.coverage.selectors import (
    candidate_set_list,
    coverage_run_get,
    coverage_run_list,
    demand_set_list,
    siting_run_get,
    siting_run_list,
)
from yizhan.coverage.services import candidate_set_import, siting_best_answer, siting_plan_positions

router = Router(tags=["coverage"])
BAD_CRS = _("坐标系应为 gcj02、wgs84 或 bd09")
TOO_LARGE = _("文件过大（{size:.1f} MB），上限为 {limit:.0f} MB")


class CoverageStartIn(Schema):
    unit: str = Field(..., description="单位编号")
    reach: str = Field("straight", description="straight（直线距离 × 绕行系数，近似）或 network（步行路网）")
    at: str = Field("", description="只计入此时开放的站点，如 04:00；空为全部运营站点")
    demand_set: int | None = Field(None, description="需求数据编号；空为该单位最新的（没有则生成默认网格）")
    network: int | None = Field(None, description="路网编号；空为该单位或其上级最新的")
    walk_m: float | None = Field(None, description="步行距离（米），默认 1250")


class SitingStartIn(Schema):
    unit: str = Field(..., description="单位编号")
    k: int | None = Field(None, description="新增站点数（最大覆盖）")
    target: float | None = Field(None, description="目标覆盖率 0–1（集合覆盖，未给 k 时）")
    radius: float | None = Field(None, description="服务半径（米）：直线距离，或路网上的步行距离")
    reach: str = Field("straight", description="straight 或 network")
    candidates: str = Field("", description="候选点集编号；grid 为按网格生成；空为该单位最新的")
    demand_set: int | None = None
    network: int | None = None
    exact: bool = Field(True, description="在贪心结果之后精确求解（HiGHS）")


class CandidateSetOut(Schema):
    id: int
    unit_code: str = Field(..., alias="unit.code")
    name: str
    source: str = Field(..., description="upload（导入的候选点）、partners（共建单位网点）、grid 或 demo")
    sites: int
    file_name: str
    created_at: datetime


class DemandSetOut(Schema):
    id: int
    unit_code: str = Field(..., alias="unit.code")
    name: str
    kind: str = Field(..., description="grid（网格）或 points（加权点）")
    source: str
    points: int
    total_weight: float
    cell_m: int | None
    file_name: str
    created_at: datetime


class RowErrorsOut(Schema):
    detail: str = Field(..., description="中文错误说明（前 10 处）")
    field: str | None = None
    errors: list[str] | None = Field(None, description="每一处错误：第几行、什么原因")


class ErrorOut(Schema):
    detail: str = Field(..., description="中文错误说明：单位不存在或不在您的管辖范围内")


class JobStartedOut(Schema):
    job_id: int
    job_url: str = Field(..., description="任务接口地址：进度、结果")
    page_url: str = Field(..., description="任务页面")


class CoverageRunOut(Schema):
    id: int
    unit_code: str = Field(..., alias="unit.code")
    unit_name: str = Field(..., alias="unit.name")
    demand_set: int = Field(..., alias="demand_set_id")
    mode: str
    approximate: bool
    reach_m: float
    walk_m: float
    open_at: datetime | None
    stations: int
    share: float = Field(..., description="覆盖率 0–1（按需求权重）")
    covered_weight: float
    total_weight: float
    seconds: float
    created_at: datetime

    @staticmethod
    def resolve_approximate(run) -> bool:
        return run.mode == "straight"

    @staticmethod
    def resolve_covered_weight(run) -> float:
        return run.summary.get("covered_weight", 0.0)

    @staticmethod
    def resolve_total_weight(run) -> float:
        return run.summary.get("total_weight", 0.0)


class CoverageRunDetailOut(CoverageRunOut):
    districts: list[dict] = Field(..., description="分区覆盖：名称、权重、覆盖权重、覆盖率")
    distribution: dict = Field(..., description="到最近站点距离的分布（米）：edges、weights、beyond、median、p90")
    overlapping: list[int]

    @staticmethod
    def resolve_districts(run) -> list[dict]:
        return run.summary.get("districts", [])

    @staticmethod
    def resolve_distribution(run) -> dict:
        return run.summary.get("distribution", {})

    @staticmethod
    def resolve_overlapping(run) -> list[int]:
        return run.summary.get("overlapping", [])


class SiteOut(Schema):
    number: int
    label: str
    kind: str
    lng: float
    lat: float
    gain: float | None = Field(None, description="该站点新增覆盖的需求权重")


class SitingRunOut(Schema):
    id: int
    unit_code: str = Field(..., alias="unit.code")
    unit_name: str = Field(..., alias="unit.name")
    objective: str
    k: int | None
    target_share: float | None
    mode: str
    reach_m: float
    stations: int
    share_before: float
    share_after: float
    method: str
    gap: float | None
    planned_codes: list[str]
    created_at: datetime

    @staticmethod
    def resolve_share_before(run) -> float:
        return run.summary.get("share_before", 0.0)

    @staticmethod
    def resolve_share_after(run) -> float:
        return siting_best_answer(run).get("share_after", 0.0)

    @staticmethod
    def resolve_method(run) -> str:
        return siting_best_answer(run).get("method", "")

    @staticmethod
    def resolve_gap(run) -> float | None:
        return siting_best_answer(run).get("gap")


class SitingRunDetailOut(SitingRunOut):
    sites: list[SiteOut]

    @staticmethod
    def resolve_sites(run) -> list[dict]:
        return site_rows(run)


class PlanIn(Schema):
    sites: list[int] | None = Field(None, description="要转为规划阵地的站点序号（从 1 起）；空为全部")


class PlanOut(Schema):
    codes: list[str]


def site_rows(run) -> list[dict]:
    """The chosen sites in order, with the weight each adds (the answer's gains, in its order)."""
    best = siting_best_answer(run)
    gains = best.get("gains") or []
    return [
        {**site, "number": n, "gain": gains[n - 1] if n - 1 < len(gains) else None}
        for n, site in enumerate(best["sites"], start=1)
    ]


def _started(job) -> Status:
    return Status(
        201,
        {
            "job_id": job.pk,
            "job_url": reverse("api:job_detail", kwargs={"job_id": job.pk}),
            "page_url": reverse("jobs:detail", kwargs={"job_id": job.pk}),
        },
    )


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _crs(crs: str) -> str:
    if crs not in CRS.__members__.values():
        raise ApplicationError(str(BAD_CRS), field="crs")
    return crs


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@router.post("/runs", response={201: JobStartedOut, 404: ErrorOut}, summary="Start a coverage run (a background job)")
def coverage_start(request, payload: CoverageStartIn):
    params = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    return _started(job_start(actor=request.actor, kind=coverage_jobs.COVERAGE_RUN, params=params))


@router.post("/networks", response={201: JobStartedOut, 404: ErrorOut}, summary="Load a PBF street network (a job)")
def network_upload(request, unit: Form[str], file: File[UploadedFile]):
    return _started(network_load_start(actor=request.actor, unit=unit, upload=file))


def _small_enough(file) -> None:
    limit = int(settings.YIZHAN_IMPORT_MAX_BYTES)
    if file.size is not None and file.size > limit:
        raise ApplicationError(TOO_LARGE.format(size=file.size / 2**20, limit=limit / 2**20), field="file")


@router.get("/candidates", response=list[CandidateSetOut], summary="Candidate sets the caller sees, newest first")
def candidate_sets(request, unit: str = "", limit: int = 50):
    sets = candidate_set_list(actor=request.actor)
    if unit:
        sets = sets.filter(unit__code=unit)
    return list(sets.order_by("-created_at", "-pk")[: max(1, min(limit, 200))])


@router.post(
    "/candidates",
    response={201: CandidateSetOut, 400: RowErrorsOut, 404: ErrorOut},
    summary="Load candidate sites from xlsx, CSV or GeoJSON (all or nothing; every bad row in `errors`)",
)
def candidate_upload(
    request,
    unit: Form[str],
    file: File[UploadedFile],
    source: Form[str] = "upload",
    crs: Form[str] = "gcj02",
    name: Form[str] = "",
):
    actor = request.actor
    owner = unit_param(actor, {"unit": unit})
    _small_enough(file)
    candidates = candidate_set_import(
        actor=actor,
        unit=owner,
        file_name=file.name or "",
        content=file.read(),
        crs=_crs(crs),
        name=name[:100],
        source=source,
    )
    return Status(201, candidates)


@router.get("/demand", response=list[DemandSetOut], summary="Demand sets the caller sees, newest first")
def demand_sets(request, unit: str = "", limit: int = 50):
    sets = demand_set_list(actor=request.actor)
    if unit:
        sets = sets.filter(unit__code=unit)
    return list(sets.order_by("-created_at", "-pk")[: max(1, min(limit, 200))])


@router.post(
    "/demand",
    response={201: JobStartedOut, 404: ErrorOut},
    summary="Load demand from xlsx, CSV or GeoJSON (a background job; all or nothing)",
)
def demand_upload(
    request,
    unit: Form[str],
    file: File[UploadedFile],
    crs: Form[str] = "gcj02",
    name: Form[str] = "",
    cell_m: Form[int | None] = None,
):
    _small_enough(file)
    job = demand_import_start(
        actor=request.actor, unit=unit, upload=file, crs=_crs(crs), name=name[:100], cell_m=cell_m
    )
    return _started(job)


@router.get("/runs", response=list[CoverageRunOut], summary="Coverage runs the caller sees, newest first")
def coverage_runs(request, unit: str = "", limit: int = 50):
    runs = coverage_run_list(actor=request.actor)
    if unit:
        runs = runs.filter(unit__code=unit)
    return list(runs.order_by("-created_at", "-pk")[: max(1, min(limit, 200))])


@router.get("/runs/{int:run_id}", response=CoverageRunDetailOut, summary="A coverage run with its figures")
def coverage_run(request, run_id: int):
    return coverage_run_get(actor=request.actor, pk=run_id)


@router.get("/runs/{int:run_id}/map", url_name="coverage_run_map", summary="Uncovered demand and stations (GeoJSON)")
def coverage_run_map(request, run_id: int):
    run = coverage_run_get(actor=request.actor, pk=run_id)
    return HttpResponse(coverage_geojson(run, for_map=True), content_type="application/geo+json")


@router.get("/runs/{int:run_id}/export", summary="Export a coverage run: xlsx, geojson or pdf")
def coverage_run_download(request, run_id: int, format: str = "xlsx", crs: str = "gcj02"):
    run = coverage_run_get(actor=request.actor, pk=run_id)
    return _file(*coverage_run_export(actor=request.actor, run=run, fmt=format, crs=_crs(crs)))


@router.post("/siting", response={201: JobStartedOut, 404: ErrorOut}, summary="Start a siting run (a background job)")
def siting_start(request, payload: SitingStartIn):
    params = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    return _started(job_start(actor=request.actor, kind=coverage_jobs.SITING_RUN, params=params))


@router.get("/siting", response=list[SitingRunOut], summary="Siting runs the caller sees, newest first")
def siting_runs(request, unit: str = "", limit: int = 50):
    runs = siting_run_list(actor=request.actor)
    if unit:
        runs = runs.filter(unit__code=unit)
    return list(runs.order_by("-created_at", "-pk")[: max(1, min(limit, 200))])


@router.get("/siting/{int:run_id}", response=SitingRunDetailOut, summary="A siting run with its chosen sites")
def siting_run(request, run_id: int):
    return siting_run_get(actor=request.actor, pk=run_id)


@router.get(
    "/siting/{int:run_id}/map",
    url_name="siting_run_map",
    summary="A siting result on the map: newly covered and uncovered demand, the sites, the stations (GeoJSON)",
)
def siting_run_map(request, run_id: int):
    run = siting_run_get(actor=request.actor, pk=run_id)
    return HttpResponse(siting_map_geojson(run), content_type="application/geo+json")


@router.get("/siting/{int:run_id}/export", summary="Export a siting run: xlsx or geojson")
def siting_run_download(request, run_id: int, format: str = "xlsx", crs: str = "gcj02"):
    run = siting_run_get(actor=request.actor, pk=run_id)
    return _file(*siting_run_export(actor=request.actor, run=run, fmt=format, crs=_crs(crs)))


@router.post("/siting/{int:run_id}/plan", response={201: PlanOut}, summary="Turn chosen sites into planned positions")
def siting_plan(request, run_id: int, payload: PlanIn):
    run = siting_run_get(actor=request.actor, pk=run_id)
    positions = siting_plan_positions(actor=request.actor, siting_run=run, numbers=payload.sites)
    return Status(201, {"codes": [p.code for p in positions]})
