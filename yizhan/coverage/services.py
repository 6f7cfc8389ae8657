"""Coverage and siting services (issue 18): demand, candidates and street networks in; coverage
reports and siting results out; siting results into planned positions.

Every long service takes `report(done, total, message)` and `check_cancelled()` (both optional),
as a background job hands them in, and answers with the stored record. Rules of the domain are
the functions named after them below (`walking_limit_m`, `straight_radius_m`, `reach_check`);
the computations are in `engine/`.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

import numpy as np
import shapely
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require, require_in_scope
from yizhan.core.wording import enumeration
from yizhan.coverage.choices import (
    CandidateSource,
    DemandKind,
    DemandSource,
    PartnerKind,
    ReachMode,
    SitingObjective,
)
from yizhan.coverage.engine import siting as siting_engine
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.engine.grid import district_index, grid_cell_count_estimate, grid_centres, polygon_points
from yizhan.coverage.engine.network import StreetNetwork, network_coverage, read_pbf
from yizhan.coverage.engine.progress import progress_of
from yizhan.coverage.engine.reach import straight_coverage, straight_reach
from yizhan.coverage.engine.report import coverage_report, heavily_overlapping
from yizhan.coverage.loaders import as_arrays, load_rows
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet, NetworkFile, SitingRun
from yizhan.orgs.models import Region, Unit

NO_AREA = _("单位“{unit}”的辖区“{area}”没有边界数据，无法生成网格；请先导入行政区划边界")
CELL_OUT_OF_RANGE = _("网格边长应在 {low}～{high} 米之间（收到 {value}）")
TOO_MANY_POINTS = _("需求点过多：约 {count} 个，超过上限 {limit} 个；请增大网格边长或缩小范围")
AND_MORE = _("{items}等")
OUTSIDE_AREA = _("{rows}（共 {count} 个点）不在单位“{unit}”的辖区“{area}”内")
REACH_OUT_OF_RANGE = _("可达距离应在 {low}～{high} 米之间（收到 {value} 米）")
NO_DEMAND = _("需求数据的总权重为 0，无法计算覆盖率")
NETWORK_UNIT = _("路网“{network}”不属于本单位或其上级单位")
NETWORK_FAR = _("路网“{network}”不覆盖该需求数据的范围（最近的道路在 {distance:.0f} 米外）")
K_OUT_OF_RANGE = _("新增站点数 k 应在 1～{count} 之间（候选点共 {count} 个，收到 {k}）")
NO_CANDIDATES = _("候选点集为空")
TARGET_OUT_OF_RANGE = _("目标覆盖率应大于 0%、不超过 100%（收到 {value}）")
READING = _("读取并校验文件")
CHECKING_AREA = _("检查是否在辖区内")
SAVING = _("保存需求数据")
TARGET_ALREADY_MET = _("现有站点的覆盖率已达 {share:.1%}，不低于目标 {target:.1%}，无需新增站点")
TARGET_UNREACHABLE = _("即使启用全部 {count} 个候选点，覆盖率最高也只能达到 {share:.1%}，达不到目标 {target:.1%}")
TIME_LIMIT_OUT_OF_RANGE = _("求解时限应在 1～3600 秒之间（收到 {value}）")
OBJECTIVE_PARAMETER = _("最大覆盖须给出新增站点数 k；集合覆盖须给出目标覆盖率")
ALREADY_PLANNED = _("该选址结果已生成规划阵地（{codes}）")
NOTHING_CHOSEN = _("该选址结果没有选中任何候选点")
NOT_A_CHOSEN_SITE = _("第 {number} 个站点不在该选址结果中")
NOT_THE_SAME_UNIT = _("需求数据、候选点和路网须属于同一单位或其上级单位")
BAD_PARTNER_KIND = _("类型“{kind}”无法识别，应为 {choices} 之一（或留空）")
PARTNER_NAME_REQUIRED = _("共建单位网点须填写名称（如“工商银行西岗支行”）")
BAD_CANDIDATE_SOURCE = _("候选点类别应为 upload（选址候选点）或 partners（共建单位网点）")
CANDIDATES_ARE_POINTS = _("候选点须为点要素（Point），不能是面")
TOO_MANY_CANDIDATES = _("候选点过多：{count} 个，超过上限 {limit} 个；请分区导入")

GRID_CELL_RANGE_M = (50, 5000)
# Reach below 50 m is not a walk to a station; beyond 10 km it is no longer the spec's walking circle.
REACH_RANGE_M = (50.0, 10_000.0)
PLANNED_NAME = "工会户外劳动者服务站点·{label}"
PLANNED_ADDRESS = "规划选址（{lng:.6f}, {lat:.6f}），地址待定"
# More candidates than this make a siting model no planner waits for (the benchmark's 5,000 solve
# in seconds; 50,000 against a district's demand still builds in memory).
MAX_CANDIDATES = 50_000
# What a partner's type column may say besides the labels themselves.
PARTNER_SYNONYMS = {
    PartnerKind.BANK: ("银行", "bank"),
    PartnerKind.GAS_STATION: ("加油站", "gas", "petrol", "gas station"),
    PartnerKind.TELECOM: ("营业厅", "通信营业厅", "移动营业厅", "联通营业厅", "电信营业厅", "telecom"),
    PartnerKind.PUBLIC_TOILET: ("公厕", "公共厕所", "环卫休息室", "toilet", "public toilet"),
    PartnerKind.OTHER: ("其他", "其它", "other"),
}
PARTNER_CONSTRUCTION = {
    PartnerKind.BANK: "financial",
    PartnerKind.GAS_STATION: "merchant",
    PartnerKind.TELECOM: "merchant",
    PartnerKind.PUBLIC_TOILET: "sanitation",
}


# ----------------------------------------------------------------------------------- the rules


def walking_limit_m() -> float:
    """The walking distance of the service circle (spec §10): YIZHAN_COVERAGE_WALK_MINUTES (15) at
    YIZHAN_WALK_SPEED_KMH (5 km/h) = 1,250 m."""
    return settings.YIZHAN_COVERAGE_WALK_MINUTES * settings.YIZHAN_WALK_SPEED_KMH * 1000 / 60


def straight_radius_m(walk_m: float) -> float:
    """The straight-line radius standing for a walk until a street network is loaded (spec §10):
    walk ÷ YIZHAN_WALK_DETOUR_FACTOR (1,250 ÷ 1.3 ≈ 960 m). An approximation: it overstates reach."""
    return walk_m / settings.YIZHAN_WALK_DETOUR_FACTOR


def reach_check(walk_m: float) -> float:
    """A walking distance within REACH_RANGE_M, or ApplicationError (issue 18: bad input)."""
    low, high = REACH_RANGE_M
    try:
        value = float(walk_m)
    except (TypeError, ValueError):
        value = float("nan")
    if not (low <= value <= high):
        raise ApplicationError(REACH_OUT_OF_RANGE.format(low=f"{low:.0f}", high=f"{high:,.0f}", value=walk_m))
    return value


def cell_check(cell_m) -> int:
    """A grid's cell size in metres within GRID_CELL_RANGE_M, or ApplicationError naming it."""
    low, high = GRID_CELL_RANGE_M
    try:
        value = int(cell_m)
    except (TypeError, ValueError):
        value = -1
    if not (low <= value <= high) or value != cell_m:
        raise ApplicationError(CELL_OUT_OF_RANGE.format(low=low, high=high, value=cell_m))
    return value


# --------------------------------------------------------------------------------------- demand


def _area(unit: Unit) -> tuple[Region, object | None]:
    region = Region.objects.get(pk=unit.region_id)
    return region, (shape(region.boundary) if region.boundary else None)


def _districts(region: Region) -> list[Region]:
    """The areas a report is broken down by: the sub-areas with boundaries, or the area itself."""
    children = list(Region.objects.filter(parent=region).exclude(boundary=None).order_by("adcode"))
    return children or ([region] if region.boundary else [])


def _demand_save(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    kind: str,
    source: str,
    frame: MetricFrame,
    x,
    y,
    weight,
    cell_m=None,
    file_name: str = "",
) -> DemandSet:
    region, _boundary = _area(unit)
    districts = _districts(region)
    index = district_index(x, y, [frame.geometry_from_gcj02(shape(d.boundary)) for d in districts])
    demand = DemandSet(
        unit=unit,
        name=name[:100],
        kind=kind,
        source=source,
        region=region,
        cell_m=cell_m,
        points=len(x),
        total_weight=float(np.sum(weight)),
        frame_lng=frame.lng0,
        frame_lat=frame.lat0,
        districts=[{"adcode": d.adcode, "name": d.name} for d in districts],
        file_name=file_name[:255],
    )
    demand.set_arrays(x=np.asarray(x), y=np.asarray(y), weight=np.asarray(weight, dtype=np.float64), district=index)
    demand.full_clean(exclude=["data", "digest"])
    demand.save()
    return demand


def demand_grid_create(
    *,
    actor: Actor,
    unit: Unit,
    cell_m: int | None = None,
    name: str = "",
    weights=None,
    source=DemandSource.GRID,
    report=None,
    check_cancelled=None,
) -> DemandSet:
    """The default demand (issue 18 §2): a grid over the unit's area, cells of `cell_m` metres
    (YIZHAN_COVERAGE_GRID_M, 250), weighted evenly — or by `weights(x, y, frame)` when given (the
    demo's synthetic densities)."""
    require(actor, Action.CREATE, DemandSet)
    require_in_scope(actor, unit)
    cell_m = cell_check(settings.YIZHAN_COVERAGE_GRID_M if cell_m is None else cell_m)
    region, boundary = _area(unit)
    if boundary is None:
        raise ApplicationError(NO_AREA.format(unit=unit.name, area=region.name))
    lng0, lat0, lng1, lat1 = boundary.bounds
    frame = MetricFrame.around([lng0, lng1], [lat0, lat1])
    area = frame.geometry_from_gcj02(boundary)
    estimate = grid_cell_count_estimate(area.area, cell_m)
    if estimate > settings.YIZHAN_COVERAGE_MAX_POINTS:
        raise ApplicationError(
            TOO_MANY_POINTS.format(count=f"{estimate:,}", limit=f"{settings.YIZHAN_COVERAGE_MAX_POINTS:,}")
        )
    x, y = grid_centres(area, cell_m, progress=progress_of(report, check_cancelled))
    weight = np.ones(len(x)) if weights is None else np.asarray(weights(x, y, frame), dtype=np.float64)
    return _demand_save(
        actor=actor,
        unit=unit,
        name=name or f"{region.name} {cell_m} 米网格",
        kind=DemandKind.GRID,
        source=source,
        frame=frame,
        x=x,
        y=y,
        weight=weight,
        cell_m=cell_m,
    )


def _refuse_outside(unit: Unit, lng, lat, labels: list[str]) -> None:
    """Demand must lie in the unit's area (issue 18: bad input), when the area has a boundary."""
    region, boundary = _area(unit)
    if boundary is None or len(lng) == 0:
        return
    shapely.prepare(boundary)
    outside = np.flatnonzero(~shapely.intersects_xy(boundary, np.asarray(lng), np.asarray(lat)))
    if len(outside):
        rows = enumeration(labels[i] for i in outside[:5])
        if len(outside) > 5:
            rows = str(AND_MORE).format(items=rows)
        raise ApplicationError(OUTSIDE_AREA.format(rows=rows, count=len(outside), unit=unit.name, area=region.name))


def demand_set_import(
    *,
    actor: Actor,
    unit: Unit,
    file_name: str,
    content: bytes,
    crs: str = "gcj02",
    name: str = "",
    cell_m: int | None = None,
    report=None,
    check_cancelled=None,
) -> DemandSet:
    """Demand from a unit's xlsx, CSV or GeoJSON (issue 18 §2): weighted points, and areas whose
    weight is spread over `cell_m` cells. All or nothing; points outside the unit's area refused."""
    require(actor, Action.CREATE, DemandSet)
    require_in_scope(actor, unit)
    cell_m = cell_check(settings.YIZHAN_COVERAGE_GRID_M if cell_m is None else cell_m)
    progress = progress_of(report, check_cancelled)
    progress(0, 3, READING)
    rows = load_rows(file_name, content, crs=crs)
    lng, lat, weight = as_arrays(rows)
    progress(1, 3, CHECKING_AREA)
    _refuse_outside(unit, lng, lat, rows.row)
    for polygon, _w, _name in rows.polygons:
        _refuse_outside(
            unit, [polygon.representative_point().x], [polygon.representative_point().y], [_name or "面要素"]
        )
    all_lng = np.concatenate([lng, *[np.asarray(p.bounds[0::2]) for p, _w, _n in rows.polygons]])
    all_lat = np.concatenate([lat, *[np.asarray(p.bounds[1::2]) for p, _w, _n in rows.polygons]])
    frame = MetricFrame.around(all_lng, all_lat)
    x, y = frame.from_gcj02(lng, lat)
    xs, ys, ws = [x], [y], [weight]
    for polygon, polygon_weight, _name in rows.polygons:
        px, py = polygon_points(frame.geometry_from_gcj02(polygon), cell_m)
        xs.append(px)
        ys.append(py)
        ws.append(np.full(len(px), polygon_weight / len(px)))
    x, y, weight = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    if len(x) > settings.YIZHAN_COVERAGE_MAX_POINTS:
        raise ApplicationError(
            TOO_MANY_POINTS.format(count=f"{len(x):,}", limit=f"{settings.YIZHAN_COVERAGE_MAX_POINTS:,}")
        )
    progress(2, 3, SAVING)  # the last chance to cancel: nothing is written before it
    return _demand_save(
        actor=actor,
        unit=unit,
        name=name or file_name,
        kind=DemandKind.POINTS,
        source=DemandSource.UPLOAD,
        frame=frame,
        x=x,
        y=y,
        weight=weight,
        file_name=file_name,
    )


def demand_points_gcj02(demand: DemandSet) -> tuple[np.ndarray, np.ndarray]:
    """The demand points in GCJ-02 (for maps and exports)."""
    arrays = demand.arrays()
    return _frame(demand).to_gcj02(arrays["x"], arrays["y"])


def _frame(demand: DemandSet) -> MetricFrame:
    return MetricFrame(demand.frame_lng, demand.frame_lat)


# ----------------------------------------------------------------------------------- candidates


def _candidates_save(*, unit, name, source, lng, lat, labels, kinds, file_name="") -> CandidateSet:
    candidates = CandidateSet(unit=unit, name=name[:100], source=source, sites=len(lng), file_name=file_name[:255])
    candidates.set_arrays(
        lng=np.asarray(lng, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
        label=np.asarray(labels, dtype=str),
        kind=np.asarray(kinds, dtype=str),
    )
    candidates.full_clean(exclude=["data", "digest"])
    candidates.save()
    return candidates


def candidate_set_import(
    *,
    actor: Actor,
    unit: Unit,
    file_name: str,
    content: bytes,
    crs: str = "gcj02",
    name: str = "",
    source: str = CandidateSource.UPLOAD,
) -> CandidateSet:
    """Candidate sites from a file (issue 18 §5): loaded sites, or the branches of co-building
    partners (banks, gas stations, telecom halls, public toilets: column 类型/kind). All or nothing:
    every bad row is named with its reason (coordinates, a type that is none of the partner kinds,
    a partner without a name, a site outside the unit's area) and nothing is written."""
    require(actor, Action.CREATE, CandidateSet)
    require_in_scope(actor, unit)
    if source not in (CandidateSource.UPLOAD, CandidateSource.PARTNERS):
        raise ApplicationError(str(BAD_CANDIDATE_SOURCE), field="source")

    def check(label: str, text: str) -> list[str]:
        reasons = []
        if partner_kind(text) is None:
            choices = enumeration(str(k.label) for k in PartnerKind)
            reasons.append(str(BAD_PARTNER_KIND.format(kind=text, choices=choices)))
        if source == CandidateSource.PARTNERS and not label:
            reasons.append(str(PARTNER_NAME_REQUIRED))
        return reasons

    rows = load_rows(file_name, content, crs=crs, check=check)
    if rows.polygons:
        raise ApplicationError(str(CANDIDATES_ARE_POINTS))
    if len(rows.lng) > MAX_CANDIDATES:
        raise ApplicationError(TOO_MANY_CANDIDATES.format(count=f"{len(rows.lng):,}", limit=f"{MAX_CANDIDATES:,}"))
    _refuse_outside(unit, rows.lng, rows.lat, rows.row)
    kinds = [partner_kind(text) for text in rows.kind]
    labels = [n or f"候选点{i + 1}" for i, n in enumerate(rows.name)]
    return _candidates_save(
        unit=unit,
        name=name or file_name,
        source=source,
        lng=rows.lng,
        lat=rows.lat,
        labels=labels,
        kinds=kinds,
        file_name=file_name,
    )


def partner_kind(text: str) -> str | None:
    """The partner kind a type cell names ("" when empty, None when it names none): the value, the
    label or a common synonym (银行 → bank)."""
    text = (text or "").strip()
    if not text:
        return ""
    lowered = text.lower()
    for kind in PartnerKind:
        if lowered in (kind.value, str(kind.label).lower(), *PARTNER_SYNONYMS.get(kind, ())):
            return kind.value
    return None


def candidate_grid_create(*, actor: Actor, unit: Unit, spacing_m: int = 500, name: str = "") -> CandidateSet:
    """Candidate sites generated from a grid over the unit's area (issue 18 §5)."""
    require(actor, Action.CREATE, CandidateSet)
    require_in_scope(actor, unit)
    spacing_m = cell_check(spacing_m)
    region, boundary = _area(unit)
    if boundary is None:
        raise ApplicationError(NO_AREA.format(unit=unit.name, area=region.name))
    lng0, lat0, lng1, lat1 = boundary.bounds
    frame = MetricFrame.around([lng0, lng1], [lat0, lat1])
    area = frame.geometry_from_gcj02(boundary)
    estimate = grid_cell_count_estimate(area.area, spacing_m)
    if estimate > settings.YIZHAN_COVERAGE_MAX_POINTS:
        raise ApplicationError(
            TOO_MANY_POINTS.format(count=f"{estimate:,}", limit=f"{settings.YIZHAN_COVERAGE_MAX_POINTS:,}")
        )
    x, y = grid_centres(area, spacing_m)
    lng, lat = frame.to_gcj02(x, y)
    labels = [f"网格候选点{i + 1}" for i in range(len(x))]
    return _candidates_save(
        unit=unit,
        name=name or f"{region.name} {spacing_m} 米网格候选点",
        source=CandidateSource.GRID,
        lng=lng,
        lat=lat,
        labels=labels,
        kinds=[""] * len(x),
    )


# ------------------------------------------------------------------------------ street networks


def network_file_add(
    *, actor: Actor, unit: Unit, file_name: str, content: bytes, name: str = "", report=None, check_cancelled=None
) -> NetworkFile:
    """A unit's OpenStreetMap PBF file (issue 18 §3): kept as uploaded, its walking network read
    once and stored. A file that is not a PBF, or has no walkways, is refused."""
    import tempfile

    require(actor, Action.CREATE, NetworkFile)
    require_in_scope(actor, unit)
    with tempfile.NamedTemporaryFile(suffix=".osm.pbf") as handle:
        handle.write(content)
        handle.flush()
        network = read_pbf(handle.name, progress=progress_of(report, check_cancelled))
    record = NetworkFile(
        unit=unit,
        name=(name or file_name)[:100],
        file_name=file_name[:255],
        file_size=len(content),
        file_digest=hashlib.sha256(content).hexdigest(),
        nodes=network.nodes,
        edges=network.edges,
        length_km=float(network.length.sum() / 1000),
    )
    record.data = network.to_bytes()
    record.digest = hashlib.sha256(record.data).hexdigest()
    with transaction.atomic():
        record.file.save(f"{record.file_digest[:16]}.osm.pbf", ContentFile(content), save=False)
        record.save()
    return record


def _network(record: NetworkFile) -> StreetNetwork:
    return StreetNetwork.from_bytes(bytes(record.data))


# ------------------------------------------------------------------------------------- stations


def _stations(actor: Actor, frame: MetricFrame, x, y, reach_m: float, open_at: datetime | None) -> dict:
    """The operating stations in the actor's scope near the demand (issue 18 §4: only operating
    stations count), open at `open_at` when given (the open-now toggle), by id: a snapshot."""
    from yizhan.positions.choices import PositionKind, PositionState
    from yizhan.positions.models import Position
    from yizhan.positions.rules import position_opening

    margin = reach_m * 1.5 + 1000
    corners_lng, corners_lat = frame.to_gcj02(
        np.array([x.min() - margin, x.max() + margin, x.min() - margin, x.max() + margin]),
        np.array([y.min() - margin, y.min() - margin, y.max() + margin, y.max() + margin]),
    )
    stations = (
        Position.objects.restrict(actor)
        .filter(state=PositionState.OPERATING, kind=PositionKind.STATION)
        .filter(
            lng__gte=corners_lng.min(),
            lng__lte=corners_lng.max(),
            lat__gte=corners_lat.min(),
            lat__lte=corners_lat.max(),
        )
        .order_by("pk")
    )
    if open_at is not None:
        stations = [p for p in stations.prefetch_related("hours_exceptions") if position_opening(p, open_at).is_open]
    else:
        stations = list(stations.only("pk", "code", "official_name", "short_name", "lng", "lat", "unit_id"))
    return {
        "id": [p.pk for p in stations],
        "code": [p.code for p in stations],
        "name": [p.display_name for p in stations],
        "lng": [p.lng for p in stations],
        "lat": [p.lat for p in stations],
    }


def _same_tree(demand: DemandSet, *others) -> None:
    for other in others:
        if other is not None and not (
            demand.unit.path.startswith(other.unit.path) or other.unit.path.startswith(demand.unit.path)
        ):
            raise ApplicationError(str(NOT_THE_SAME_UNIT))


def _reach(demand, arrays, frame, network, site_x, site_y, walk_m, progress, *, nearest=True):
    if network is None:
        radius = straight_radius_m(walk_m)
        if nearest:
            return radius, straight_coverage(arrays["x"], arrays["y"], site_x, site_y, radius, progress=progress)
        return radius, (straight_reach(arrays["x"], arrays["y"], site_x, site_y, radius, progress=progress), None)
    street = _network(network)
    node_x, node_y = frame.from_wgs84(street.lng, street.lat)
    from scipy.spatial import cKDTree

    gap, _node = cKDTree(np.column_stack([node_x, node_y])).query([[np.median(arrays["x"]), np.median(arrays["y"])]])
    if gap[0] > walk_m * 4:
        raise ApplicationError(NETWORK_FAR.format(network=network.name, distance=gap[0]))
    return walk_m, network_coverage(
        street, frame, arrays["x"], arrays["y"], site_x, site_y, walk_m, nearest=nearest, progress=progress
    )


# ------------------------------------------------------------------------------------- coverage


def coverage_run_create(
    *,
    actor: Actor,
    demand_set: DemandSet,
    network: NetworkFile | None = None,
    walk_m: float | None = None,
    open_at: datetime | None = None,
    report=None,
    check_cancelled=None,
) -> CoverageRun:
    """The coverage report of a demand set (issue 18 §4) by straight line (approximate, spec §10)
    or on a street network, counting the operating stations in the actor's scope (those open at
    `open_at` when given), stored as a run."""
    require(actor, Action.CREATE, CoverageRun)
    require_in_scope(actor, demand_set.unit)
    if network is not None:
        require_in_scope(actor, network.unit)
    _same_tree(demand_set, network)
    walk_m = reach_check(walking_limit_m() if walk_m is None else walk_m)
    if demand_set.total_weight <= 0:
        raise ApplicationError(str(NO_DEMAND))
    progress = progress_of(report, check_cancelled)
    started = time.perf_counter()
    arrays = demand_set.arrays()
    frame = _frame(demand_set)
    reach_m = straight_radius_m(walk_m) if network is None else walk_m
    stations = _stations(actor, frame, arrays["x"], arrays["y"], reach_m, open_at)
    site_x, site_y = frame.from_gcj02(np.asarray(stations["lng"]), np.asarray(stations["lat"]))
    reach_m, (reach, nearest) = _reach(demand_set, arrays, frame, network, site_x, site_y, walk_m, progress)
    result = coverage_report(
        reach, arrays["weight"], nearest, district=arrays["district"], n_districts=len(demand_set.districts)
    )
    overlaps = heavily_overlapping(result.catchments, settings.YIZHAN_COVERAGE_OVERLAP_SHARE)
    summary = {
        "approximate": network is None,
        "total_weight": result.total_weight,
        "covered_weight": result.covered_weight,
        "points": result.points,
        "covered_points": result.covered_points,
        "districts": [{**demand_set.districts[d["index"]], **d} for d in result.districts],
        "distribution": result.distribution,
        "stations": stations,
        "catchments": [c.__dict__ for c in result.catchments],
        "overlapping": overlaps,
        "overlap_share": settings.YIZHAN_COVERAGE_OVERLAP_SHARE,
    }
    run = CoverageRun(
        unit=demand_set.unit,
        demand_set=demand_set,
        network=network,
        mode=ReachMode.STRAIGHT if network is None else ReachMode.NETWORK,
        reach_m=reach_m,
        walk_m=walk_m,
        open_at=open_at,
        stations=len(stations["id"]),
        share=result.share,
        summary=summary,
        seconds=time.perf_counter() - started,
    )
    run.set_arrays(
        covered=result.covered,
        reach_count=result.reach_count.astype(np.int32),
        nearest=result.nearest,
        nearest_site=result.nearest_site.astype(np.int32),
    )
    run.save()
    return run


# --------------------------------------------------------------------------------------- siting


def _answer(answer: siting_engine.SitingAnswer, problem, candidates: dict, total: float, before: float) -> dict:
    return {
        "method": answer.method,
        "chosen": [int(j) for j in answer.chosen],
        "sites": [
            {
                "index": int(j),
                "label": str(candidates["label"][j]),
                "kind": str(candidates["kind"][j]),
                "lng": float(candidates["lng"][j]),
                "lat": float(candidates["lat"][j]),
            }
            for j in answer.chosen
        ],
        # The exact answer carries no gains of its own (the solver picks the sites all at once).
        "gains": answer.gains or siting_engine.marginal_gains(problem, answer.chosen),
        "covered_weight": answer.covered_weight,
        "share_after": (before + answer.covered_weight) / total if total > 0 else 0.0,
        "bound": answer.bound,
        "bound_by": answer.bound_by,
        "details": answer.details,
        "gap": answer.gap,
        "status": answer.status,
        "seconds": answer.seconds,
    }


def siting_run_create(
    *,
    actor: Actor,
    demand_set: DemandSet,
    candidate_set: CandidateSet,
    objective: str,
    k: int | None = None,
    target_share: float | None = None,
    network: NetworkFile | None = None,
    walk_m: float | None = None,
    time_limit: float | None = None,
    exact: bool = True,
    report=None,
    check_cancelled=None,
) -> SitingRun:
    """Choose new sites among the candidates (issue 18 §5): k sites covering the most demand no
    operating station reaches (max_cover, MCLP), or the fewest sites bringing coverage to
    `target_share` (set_cover). Greedy at once with its proved gap; then exact by HiGHS within
    `time_limit` seconds (YIZHAN_SITING_TIME_LIMIT) unless `exact` is off."""
    require(actor, Action.CREATE, SitingRun)
    for record in (demand_set, candidate_set, network):
        if record is not None:
            require_in_scope(actor, record.unit)
    _same_tree(demand_set, candidate_set, network)
    walk_m = reach_check(walking_limit_m() if walk_m is None else walk_m)
    time_limit = settings.YIZHAN_SITING_TIME_LIMIT if time_limit is None else time_limit
    if not (1 <= float(time_limit) <= 3600):
        raise ApplicationError(TIME_LIMIT_OUT_OF_RANGE.format(value=time_limit))
    if candidate_set.sites == 0:
        raise ApplicationError(str(NO_CANDIDATES))
    if objective == SitingObjective.MAX_COVER:
        if k is None:
            raise ApplicationError(str(OBJECTIVE_PARAMETER))
        if not (isinstance(k, int) and 1 <= k <= candidate_set.sites):
            raise ApplicationError(K_OUT_OF_RANGE.format(count=candidate_set.sites, k=k))
    elif objective == SitingObjective.SET_COVER:
        if target_share is None:
            raise ApplicationError(str(OBJECTIVE_PARAMETER))
        if not (0 < float(target_share) <= 1):
            raise ApplicationError(TARGET_OUT_OF_RANGE.format(value=target_share))
    else:
        raise ApplicationError(str(OBJECTIVE_PARAMETER))
    if demand_set.total_weight <= 0:
        raise ApplicationError(str(NO_DEMAND))
    progress = progress_of(report, check_cancelled)
    started = time.perf_counter()
    arrays = demand_set.arrays()
    frame = _frame(demand_set)
    candidates = candidate_set.arrays()
    reach_m = straight_radius_m(walk_m) if network is None else walk_m
    stations = _stations(actor, frame, arrays["x"], arrays["y"], reach_m, None)
    station_x, station_y = frame.from_gcj02(np.asarray(stations["lng"]), np.asarray(stations["lat"]))
    _r, (existing, _n) = _reach(
        demand_set, arrays, frame, network, station_x, station_y, walk_m, progress, nearest=False
    )
    site_x, site_y = frame.from_gcj02(candidates["lng"], candidates["lat"])
    reach_m, (candidate_reach, _n) = _reach(
        demand_set, arrays, frame, network, site_x, site_y, walk_m, progress, nearest=False
    )
    problem = siting_engine.siting_problem(arrays["weight"], candidate_reach.by_demand(), existing.reach_count() > 0)
    total = problem.total_weight
    before = total - float(problem.open_weights.sum())
    summary = {"total_weight": total, "covered_before": before, "share_before": before / total, "stations": stations}
    if objective == SitingObjective.MAX_COVER:
        greedy = siting_engine.mclp_greedy(problem, k, progress=progress)
        greedy = siting_engine.mclp_bound(problem, k, greedy)
        summary["greedy"] = _answer(greedy, problem, candidates, total, before)
        if exact:
            answer = siting_engine.mclp_exact(problem, k, time_limit=time_limit, start=greedy, progress=progress)
            summary["exact"] = _answer(answer, problem, candidates, total, before)
    else:
        required = float(target_share) * total - before
        if required <= 0:
            raise ApplicationError(TARGET_ALREADY_MET.format(share=before / total, target=float(target_share)))
        reachable = siting_engine.newly_covered_weight(problem, range(problem.n_candidates))
        if required > reachable * (1 + 1e-12):
            raise ApplicationError(
                TARGET_UNREACHABLE.format(
                    count=problem.n_candidates, share=(before + reachable) / total, target=float(target_share)
                )
            )
        greedy = siting_engine.set_cover_greedy(problem, required, progress=progress)
        greedy = siting_engine.set_cover_bound(problem, required, greedy)
        summary["greedy"] = _answer(greedy, problem, candidates, total, before)
        if exact:
            answer = siting_engine.set_cover_exact(
                problem, required, time_limit=time_limit, start=greedy, progress=progress
            )
            summary["exact"] = _answer(answer, problem, candidates, total, before)
    run = SitingRun(
        unit=demand_set.unit,
        demand_set=demand_set,
        candidate_set=candidate_set,
        network=network,
        mode=ReachMode.STRAIGHT if network is None else ReachMode.NETWORK,
        reach_m=reach_m,
        objective=objective,
        k=k if objective == SitingObjective.MAX_COVER else None,
        target_share=float(target_share) if objective == SitingObjective.SET_COVER else None,
        time_limit=float(time_limit),
        stations=len(stations["id"]),
        summary=summary,
        seconds=time.perf_counter() - started,
    )
    # Each demand point covered before and after the answer the run stands by: the map of the run.
    after = problem.already.copy()
    best = summary.get("exact") or summary["greedy"]
    if best["chosen"]:
        after |= np.asarray(problem.cover[:, best["chosen"]].sum(axis=1)).ravel() > 0
    run.set_arrays(
        chosen_greedy=np.asarray(summary["greedy"]["chosen"], dtype=np.int64),
        covered_before=problem.already,
        covered_after=after,
    )
    run.full_clean(exclude=["data", "digest"])
    run.save()
    return run


def siting_best_answer(run: SitingRun) -> dict:
    """The answer a siting run stands by: the exact one when it was computed, else the greedy one."""
    return run.summary.get("exact") or run.summary["greedy"]


@transaction.atomic
def siting_plan_positions(
    *, actor: Actor, siting_run: SitingRun, unit: Unit | None = None, numbers: list[int] | None = None
) -> list:
    """Turn a siting result into planned positions in one step (issue 18 §5), through the registry's
    own service (its rules and audit entries), all or none; the run records their codes. `numbers`
    (1-based, in the answer's order) picks some of the chosen sites; all of them when None."""
    from yizhan.positions.choices import BuildMode, PositionKind
    from yizhan.positions.services import position_create

    require(actor, Action.UPDATE, SitingRun)
    require_in_scope(actor, siting_run.unit)
    run = SitingRun.objects.select_for_update().get(pk=siting_run.pk)
    if run.planned_codes:
        raise ApplicationError(ALREADY_PLANNED.format(codes=enumeration(run.planned_codes)))
    sites = siting_best_answer(run)["sites"]
    picked = list(enumerate(sites, start=1))
    if numbers is not None:
        for number in numbers:
            if not (isinstance(number, int) and 1 <= number <= len(sites)):
                raise ApplicationError(NOT_A_CHOSEN_SITE.format(number=number), field="sites")
        picked = [(number, site) for number, site in picked if number in set(numbers)]
    if not picked:
        raise ApplicationError(str(NOTHING_CHOSEN))
    unit = Unit.objects.get(pk=(unit or run.unit).pk)
    codes, positions = [], []
    for number, site in picked:
        code = f"SR{run.pk}-{number:03d}"
        construction = PARTNER_CONSTRUCTION.get(site["kind"], "merchant")
        partner = site["kind"] in PARTNER_CONSTRUCTION
        positions.append(
            position_create(
                actor=actor,
                unit=unit,
                code=code,
                kind=PositionKind.STATION,
                official_name=PLANNED_NAME.format(label=site["label"])[:200],
                address=PLANNED_ADDRESS.format(lng=site["lng"], lat=site["lat"]),
                lng=site["lng"],
                lat=site["lat"],
                construction_type=construction,
                build_mode=BuildMode.CO_BUILT if partner else BuildMode.SELF_BUILT,
                co_builder=site["label"][:200] if partner else "",
            )
        )
        codes.append(code)
    run.planned_codes = codes
    run.save()  # its audit entry records the codes
    return positions
