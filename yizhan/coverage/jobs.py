"""The coverage app's background jobs (issue 18 §4–§6): a coverage run, a siting run, a demand
grid and a street network's load, started from the pages, the API and the CLI alike
(`job_start(kind=…, params=…)`), registered at start-up by CoverageConfig.ready().

Every kind is `atomic=False` (decisions §22): the computation holds no transaction (on PostgreSQL
an atomic job writing audit entries would hold the audit chain's head row for its whole run), and
the service writes its record in one short save at its end, after its last cancellation check."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.jobs.registry import JobKind
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE, Actor, require_in_scope
from yizhan.coverage import services
from yizhan.coverage.choices import ReachMode, SitingObjective
from yizhan.coverage.models import CandidateSet, DemandSet, NetworkFile
from yizhan.coverage.selectors import candidate_set_get, demand_set_get, network_file_get
from yizhan.orgs.models import Unit

COVERAGE_RUN = "coverage.coverage_run"
SITING_RUN = "coverage.siting_run"
DEMAND_GRID = "coverage.demand_grid"
NETWORK_LOAD = "coverage.network_load"
DEMAND_IMPORT = "coverage.demand_import"

UPLOADS = "coverage/uploads/"
UNIT_REQUIRED = _("请给出单位编号（unit）")
BAD_REACH = _("可达方式应为 straight（直线）或 network（路网）")
BAD_TIME = _("时刻应写作 时:分，如 04:00（收到 {value}）")
BAD_NUMBER = _("“{name}”应为数字（收到 {value}）")
NO_NETWORK = _("单位“{unit}”及其上级单位还没有路网；请先导入 PBF 路网文件，或选择直线距离")
BAD_UPLOAD = _("找不到上传的路网文件")
BAD_DEMAND_UPLOAD = _("找不到上传的需求数据文件")
BAD_CRS = _("坐标系应为 gcj02、wgs84 或 bd09")
COVERED_SUMMARY = _("覆盖率 {share:.1%}（{mode}）")
SITING_SUMMARY = _("新增 {count} 个站点，覆盖率由 {before:.1%} 升至 {after:.1%}")
DEMAND_SUMMARY = _("需求网格：{points} 个点")
DEMAND_IMPORT_SUMMARY = _("需求数据：{points} 个点，总权重 {weight:,.1f}")
NETWORK_SUMMARY = _("路网：{nodes} 个节点，{edges} 条路段，{km:.1f} 千米")
PREPARING_DEMAND = _("正在生成需求网格")
PREPARING_CANDIDATES = _("正在生成候选点")


# ------------------------------------------------------------------------------ parameters


def unit_param(actor: Actor, params: dict) -> Unit:
    code = str(params.get("unit") or "").strip()
    if not code:
        raise ApplicationError(str(UNIT_REQUIRED), field="unit")
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    require_in_scope(actor, unit)
    return unit


def _number(params: dict, name: str, kind=float):
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ApplicationError(BAD_NUMBER.format(name=name, value=value), field=name) from None


def _id(params: dict, name: str) -> int | None:
    return _number(params, name, int)


def _reach(params: dict) -> str:
    reach = str(params.get("reach") or ReachMode.STRAIGHT)
    if reach not in (ReachMode.STRAIGHT, ReachMode.NETWORK):
        raise ApplicationError(str(BAD_REACH), field="reach")
    return reach


def _at(params: dict) -> str:
    at = str(params.get("at") or "").strip()
    if at:
        try:
            datetime.strptime(at, "%H:%M")
        except ValueError:
            raise ApplicationError(BAD_TIME.format(value=at), field="at") from None
    return at


def open_at_of(at: str, *, now=None) -> datetime | None:
    """Today at `at` (HH:MM, local time), the moment 'open now' is computed for."""
    if not at:
        return None
    hour, minute = (int(part) for part in at.split(":"))
    return timezone.localtime(now).replace(hour=hour, minute=minute, second=0, microsecond=0)


def latest_demand(unit: Unit) -> DemandSet | None:
    return DemandSet.objects.filter(unit=unit).defer("data").order_by("-created_at", "-pk").first()


def latest_network(unit: Unit) -> NetworkFile | None:
    """The unit's newest street network, or its nearest ancestor's."""
    for owner in [unit, *reversed(list(Unit.objects.get_ancestors(unit)))]:
        network = NetworkFile.objects.filter(unit=owner).defer("data").order_by("-created_at", "-pk").first()
        if network is not None:
            return network
    return None


def latest_candidates(unit: Unit) -> CandidateSet | None:
    return CandidateSet.objects.filter(unit=unit).defer("data").order_by("-created_at", "-pk").first()


def _common(actor: Actor, params: dict) -> dict:
    unit = unit_param(actor, params)
    out = {"unit": unit.code, "reach": _reach(params)}
    demand_id = _id(params, "demand_set")
    if demand_id is not None:
        demand = demand_set_get(actor=actor, pk=demand_id)
        require_in_scope(actor, demand.unit)
        out["demand_set"] = demand.pk
    network_id = _id(params, "network")
    if out["reach"] == ReachMode.NETWORK:
        if network_id is not None:
            out["network"] = network_file_get(actor=actor, pk=network_id).pk
        else:
            network = latest_network(unit)
            if network is None:
                raise ApplicationError(NO_NETWORK.format(unit=unit.name), field="reach")
            out["network"] = network.pk
    walk = _number(params, "walk_m")
    if walk is not None:
        out["walk_m"] = services.reach_check(walk)
    return out


def coverage_params(actor: Actor, params: dict) -> dict:
    out = _common(actor, params)
    out["at"] = _at(params)
    return out


def siting_params(actor: Actor, params: dict) -> dict:
    out = _common(actor, params)
    k = _number(params, "k", int)
    target = _number(params, "target")
    radius = _number(params, "radius")
    if k is None and target is None:
        raise ApplicationError(str(services.OBJECTIVE_PARAMETER), field="k")
    if k is not None:
        if k < 1:
            raise ApplicationError(services.K_OUT_OF_RANGE.format(count="…", k=k), field="k")
        out["k"] = k
    else:
        if not 0 < target <= 1:
            raise ApplicationError(services.TARGET_OUT_OF_RANGE.format(value=target), field="target")
        out["target"] = target
    if radius is not None:
        # The radius is what a planner thinks in: straight-line metres (a walk ÷ the detour factor),
        # or on a network the walk itself.
        walk = radius * settings.YIZHAN_WALK_DETOUR_FACTOR if out["reach"] == ReachMode.STRAIGHT else radius
        out["walk_m"] = services.reach_check(walk)
        out["radius"] = radius
    candidates = str(params.get("candidates") or "").strip()
    if candidates and candidates != "grid":
        try:
            out["candidates"] = candidate_set_get(actor=actor, pk=int(candidates)).pk
        except ValueError:
            raise ApplicationError(BAD_NUMBER.format(name="candidates", value=candidates), field="candidates") from None
    else:
        out["candidates"] = candidates
    spacing = _number(params, "spacing_m", int)
    if spacing is not None:
        out["spacing_m"] = spacing
    exact = params.get("exact")
    if exact is not None:
        out["exact"] = str(exact).lower() not in ("0", "false", "no", "")
    return out


def demand_params(actor: Actor, params: dict) -> dict:
    unit = unit_param(actor, params)
    out = {"unit": unit.code}
    cell = _number(params, "cell_m", int)
    if cell is not None:
        out["cell_m"] = cell
    return out


def network_params(actor: Actor, params: dict) -> dict:
    unit = unit_param(actor, params)
    name = str(params.get("file") or "")
    if not name.startswith(UPLOADS) or ".." in name or not default_storage.exists(name):
        raise ApplicationError(str(BAD_UPLOAD), field="file")
    return {"unit": unit.code, "file": name, "file_name": str(params.get("file_name") or name.rsplit("/", 1)[-1])[:255]}


def _upload_param(params: dict, message) -> str:
    name = str(params.get("file") or "")
    if not name.startswith(UPLOADS) or ".." in name or not default_storage.exists(name):
        raise ApplicationError(str(message), field="file")
    return name


def demand_import_params(actor: Actor, params: dict) -> dict:
    from yizhan.core.geo.crs import CRS

    unit = unit_param(actor, params)
    out = {"unit": unit.code, "file": _upload_param(params, BAD_DEMAND_UPLOAD)}
    out["file_name"] = str(params.get("file_name") or out["file"].rsplit("/", 1)[-1])[:255]
    crs = str(params.get("crs") or CRS.GCJ02)
    if crs not in CRS.__members__.values():
        raise ApplicationError(str(BAD_CRS), field="crs")
    out["crs"] = crs
    out["name"] = str(params.get("name") or "")[:100]
    cell = _number(params, "cell_m", int)
    if cell is not None:
        try:
            out["cell_m"] = services.cell_check(cell)
        except ApplicationError as error:
            raise ApplicationError(error.message, field="cell_m") from None
    return out


def _keep_upload(upload, suffix: str) -> str:
    from uuid import uuid4

    from django.core.files.base import File

    return default_storage.save(f"{UPLOADS}{uuid4().hex}{suffix}", File(upload))


def demand_import_start(*, actor: Actor, unit: str, upload, crs: str = "gcj02", name: str = "", cell_m=None):
    """Keep an uploaded demand file (xlsx, CSV or GeoJSON) under coverage/uploads/ and start the job
    that imports it (issue 18 §2): a large file is read, checked row by row and projected in the
    background, with progress; all or nothing."""
    from yizhan.core.jobs.services import job_start
    from yizhan.core.scoping import require

    require(actor, Action.CREATE, DemandSet)
    unit_param(actor, {"unit": unit})
    suffix = "." + (upload.name or "").rsplit(".", 1)[-1].lower()[:10] if "." in (upload.name or "") else ""
    stored = _keep_upload(upload, suffix)
    params = {"unit": unit, "file": stored, "file_name": upload.name or "", "crs": crs, "name": name}
    if cell_m not in (None, ""):
        params["cell_m"] = cell_m
    try:
        return job_start(actor=actor, kind=DEMAND_IMPORT, params=params)
    except BaseException:
        default_storage.delete(stored)
        raise


def network_load_start(*, actor: Actor, unit: str, upload):
    """Keep an uploaded PBF file under coverage/uploads/ and start the job that loads it (the file
    is read by the worker, which may run on another machine sharing the media storage)."""
    from uuid import uuid4

    from django.core.files.base import File

    from yizhan.core.jobs.services import job_start
    from yizhan.core.scoping import require

    require(actor, Action.CREATE, NetworkFile)
    unit_param(actor, {"unit": unit})
    name = default_storage.save(f"{UPLOADS}{uuid4().hex}.osm.pbf", File(upload))
    try:
        return job_start(
            actor=actor, kind=NETWORK_LOAD, params={"unit": unit, "file": name, "file_name": upload.name or ""}
        )
    except BaseException:
        default_storage.delete(name)
        raise


# ------------------------------------------------------------------------------------ runs


def _unit(job) -> Unit:
    unit = Unit.objects.get(code=job.params["unit"])
    require_in_scope(job.actor, unit)
    return unit


def _demand(job, unit: Unit, progress) -> DemandSet:
    actor = job.actor
    if job.params.get("demand_set"):
        return demand_set_get(actor=actor, pk=job.params["demand_set"])
    demand = latest_demand(unit)
    if demand is not None:
        return DemandSet.objects.get(pk=demand.pk)
    progress.report(0, None, str(PREPARING_DEMAND))
    return services.demand_grid_create(
        actor=actor, unit=unit, report=progress.report, check_cancelled=progress.check_cancelled
    )


def _network(job) -> NetworkFile | None:
    pk = job.params.get("network")
    return network_file_get(actor=job.actor, pk=pk) if pk else None


def coverage_run_job(job, progress) -> dict:
    unit = _unit(job)
    demand = _demand(job, unit, progress)
    run = services.coverage_run_create(
        actor=job.actor,
        demand_set=demand,
        network=_network(job),
        walk_m=job.params.get("walk_m"),
        open_at=open_at_of(job.params.get("at", "")),
        report=progress.report,
        check_cancelled=progress.check_cancelled,
    )
    return {
        "coverage_run": run.pk,
        "share": run.share,
        "mode": run.mode,
        "unit": unit.code,
        "url": reverse("coverage:run", kwargs={"pk": run.pk}),
    }


def siting_run_job(job, progress) -> dict:
    actor, params = job.actor, job.params
    unit = _unit(job)
    demand = _demand(job, unit, progress)
    source = params.get("candidates") or ""
    if isinstance(source, int):
        candidates = candidate_set_get(actor=actor, pk=source)
    else:
        found = latest_candidates(unit) if source != "grid" else None
        if found is None:
            progress.report(0, None, str(PREPARING_CANDIDATES))
            found = services.candidate_grid_create(actor=actor, unit=unit, spacing_m=params.get("spacing_m", 500))
        candidates = CandidateSet.objects.get(pk=found.pk)
    k = params.get("k")
    run = services.siting_run_create(
        actor=actor,
        demand_set=demand,
        candidate_set=candidates,
        objective=SitingObjective.MAX_COVER if k else SitingObjective.SET_COVER,
        k=k or None,  # more than the candidates is refused by the service, with their number
        target_share=params.get("target"),
        network=_network(job),
        walk_m=params.get("walk_m"),
        exact=params.get("exact", True),
        report=progress.report,
        check_cancelled=progress.check_cancelled,
    )
    best = services.siting_best_answer(run)
    return {
        "siting_run": run.pk,
        "sites": len(best["sites"]),
        "share_before": run.summary["share_before"],
        "share_after": best["share_after"],
        "unit": unit.code,
        "url": reverse("coverage:siting_run", kwargs={"pk": run.pk}),
    }


def demand_grid_job(job, progress) -> dict:
    unit = _unit(job)
    demand = services.demand_grid_create(
        actor=job.actor,
        unit=unit,
        cell_m=job.params.get("cell_m"),
        report=progress.report,
        check_cancelled=progress.check_cancelled,
    )
    return {"demand_set": demand.pk, "points": demand.points, "unit": unit.code}


def demand_import_job(job, progress) -> dict:
    unit = _unit(job)
    name = job.params["file"]
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    try:
        demand = services.demand_set_import(
            actor=job.actor,
            unit=unit,
            file_name=job.params["file_name"],
            content=content,
            crs=job.params.get("crs", "gcj02"),
            name=job.params.get("name", ""),
            cell_m=job.params.get("cell_m"),
            report=progress.report,
            check_cancelled=progress.check_cancelled,
        )
    finally:
        default_storage.delete(name)
    return {"demand_set": demand.pk, "points": demand.points, "total_weight": demand.total_weight, "unit": unit.code}


def network_load_job(job, progress) -> dict:
    unit = _unit(job)
    name = job.params["file"]
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    record = services.network_file_add(
        actor=job.actor,
        unit=unit,
        file_name=job.params["file_name"],
        content=content,
        report=progress.report,
        check_cancelled=progress.check_cancelled,
    )
    default_storage.delete(name)
    return {"network": record.pk, "nodes": record.nodes, "edges": record.edges, "length_km": record.length_km}


def _mode_label(mode: str) -> str:
    return str(ReachMode(mode).label) if mode in ReachMode.values else mode


COVERAGE_JOB_KINDS = [
    JobKind(
        name=COVERAGE_RUN,
        label=_("覆盖分析"),
        run=coverage_run_job,
        permission=(Action.CREATE, "coverage.coveragerun"),
        atomic=False,
        check_params=coverage_params,
        summarise=lambda r: COVERED_SUMMARY.format(share=r.get("share", 0), mode=_mode_label(r.get("mode", ""))),
    ),
    JobKind(
        name=SITING_RUN,
        label=_("选址分析"),
        run=siting_run_job,
        permission=(Action.CREATE, "coverage.sitingrun"),
        atomic=False,
        check_params=siting_params,
        summarise=lambda r: SITING_SUMMARY.format(
            count=r.get("sites", 0), before=r.get("share_before", 0), after=r.get("share_after", 0)
        ),
    ),
    JobKind(
        name=DEMAND_GRID,
        label=_("生成需求网格"),
        run=demand_grid_job,
        permission=(Action.CREATE, "coverage.demandset"),
        atomic=False,
        check_params=demand_params,
        summarise=lambda r: DEMAND_SUMMARY.format(points=r.get("points", 0)),
    ),
    JobKind(
        name=DEMAND_IMPORT,
        label=_("导入需求数据"),
        run=demand_import_job,
        permission=(Action.CREATE, "coverage.demandset"),
        atomic=False,
        check_params=demand_import_params,
        summarise=lambda r: DEMAND_IMPORT_SUMMARY.format(points=r.get("points", 0), weight=r.get("total_weight", 0)),
    ),
    JobKind(
        name=NETWORK_LOAD,
        label=_("导入路网"),
        run=network_load_job,
        permission=(Action.CREATE, "coverage.networkfile"),
        atomic=False,
        check_params=network_params,
        summarise=lambda r: NETWORK_SUMMARY.format(
            nodes=r.get("nodes", 0), edges=r.get("edges", 0), km=r.get("length_km", 0)
        ),
    ),
]
