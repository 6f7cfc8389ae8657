"""Exports of coverage reports and siting results (issue 18 §4, §5): xlsx, GeoJSON (GCJ-02 or the
system asked for) and a PDF whose map is drawn as vectors with reportlab (district boundaries,
uncovered demand, stations and their circles)."""

from __future__ import annotations

import io
import json

import numpy as np
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from shapely.geometry import shape

from yizhan.core.exports import safe_cell
from yizhan.core.geo.crs import CRS, from_gcj02, transform_geojson_geometry
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require, require_in_scope
from yizhan.coverage.choices import PartnerKind, ReachMode
from yizhan.coverage.engine.frame import MetricFrame
from yizhan.coverage.models import CoverageRun, SitingRun
from yizhan.coverage.services import demand_points_gcj02, siting_best_answer
from yizhan.orgs.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"
PDF = "application/pdf"
FONT = "STSong-Light"
BAD_FORMAT = _("导出格式应为 xlsx、geojson 或 pdf")
APPROXIMATE = "直线距离 × 绕行系数，为近似值（路网实测覆盖通常更低）"
# Where a siting answer's proved bound comes from (engine.siting.SitingAnswer.bound_by).
BOUND_SOURCES = {
    "greedy": "贪心的次模性界",
    "lagrangian": "线性松弛（拉格朗日）界",
    "lp": "线性松弛界（HiGHS）",
    "highs": "HiGHS 分支定界的对偶界",
    "optimal": "已无可覆盖的需求",
}
# Uncovered cells are drawn on the PDF's map binned into at most this many squares per side.
PDF_RASTER = 160


def _workbook(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _mode_label(run) -> str:
    return str(ReachMode(run.mode).label)


def _point(lng: float, lat: float, crs: CRS) -> list[float]:
    x, y = from_gcj02(lng, lat, crs)
    return [round(x, 7), round(y, 7)]


# -------------------------------------------------------------------------------------- coverage


def coverage_xlsx(run: CoverageRun) -> bytes:
    s = run.summary
    overview = [
        ["需求数据", run.demand_set.name],
        ["可达方式", _mode_label(run) + ("（近似）" if s["approximate"] else "")],
        ["可达距离（米）", round(run.reach_m, 1)],
        ["按此时开放计算", run.open_at.isoformat() if run.open_at else "不限（全部运营站点）"],
        ["计入站点数", run.stations],
        ["需求总权重", s["total_weight"]],
        ["已覆盖权重", s["covered_weight"]],
        ["覆盖率", round(run.share, 6)],
        ["需求点数", s["points"]],
        ["已覆盖点数", s["covered_points"]],
    ]
    if s["approximate"]:
        overview.append(["说明", APPROXIMATE])
    districts = [
        [d["adcode"], d["name"], d["weight"], d["covered_weight"], round(d["share"], 6)] for d in s["districts"]
    ]
    st = s["stations"]
    catchments = [
        [
            st["code"][i],
            st["name"][i],
            st["lng"][i],
            st["lat"][i],
            c["weight"],
            c["points"],
            c["exclusive_weight"],
            round(c["overlap_share"], 6),
            st["code"][c["partner"]] if c["partner"] >= 0 else "",
            c["partner_weight"],
            "是" if i in set(s["overlapping"]) else "",
        ]
        for i, c in enumerate(s["catchments"])
    ]
    dist = s["distribution"]
    bins = [[f"{a:.0f}–{b:.0f}", w] for a, b, w in zip(dist["edges"], dist["edges"][1:], dist["weights"], strict=False)]
    bins.append([f"> {dist['edges'][-1]:.0f} 或无站点", dist["beyond"]])
    lng, lat = demand_points_gcj02(run.demand_set)
    arrays = run.arrays()
    weight = run.demand_set.arrays()["weight"]
    uncovered = np.flatnonzero(~arrays["covered"])
    cells = [
        [int(i), round(float(lng[i]), 7), round(float(lat[i]), 7), float(weight[i]), _finite(arrays["nearest"][i])]
        for i in uncovered
    ]
    return _workbook(
        [
            ("概况", ["项目", "值"], overview),
            ("分区覆盖", ["区划代码", "名称", "需求权重", "已覆盖权重", "覆盖率"], districts),
            (
                "站点服务范围",
                [
                    "阵地编号",
                    "名称",
                    "经度",
                    "纬度",
                    "服务需求权重",
                    "服务点数",
                    "独有权重",
                    "重叠比例",
                    "重叠最多的站点",
                    "与其共享权重",
                    "建议调整",
                ],
                catchments,
            ),
            ("最近站点距离分布", ["距离（米）", "需求权重"], bins),
            ("未覆盖需求", ["序号", "经度（GCJ-02）", "纬度（GCJ-02）", "权重", "最近站点距离（米）"], cells),
        ]
    )


def _finite(value) -> float | str:
    return round(float(value), 1) if np.isfinite(value) else ""


def coverage_geojson(run: CoverageRun, crs: str = CRS.GCJ02, *, for_map: bool = False) -> bytes:
    """Uncovered demand (cells as squares for a grid, else points) and the stations with their
    catchment figures. The export has every cell; the page's map (`for_map`) draws more than
    MAP_MAX_CELLS of them binned, as the siting map does."""
    crs = CRS(crs)
    demand = run.demand_set
    arrays = run.arrays()
    data = demand.arrays()
    uncovered = np.flatnonzero(~arrays["covered"])
    if for_map and len(uncovered) > MAP_MAX_CELLS:
        features = _binned_features(demand, data, uncovered, "uncovered")
    else:
        features = _demand_features(demand, data, uncovered, lambda i: _properties(i, data, arrays), crs)
    s = run.summary
    st = s["stations"]
    overlapping = set(s["overlapping"])
    for i, c in enumerate(s["catchments"]):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": _point(st["lng"][i], st["lat"][i], crs)},
                "properties": {
                    "layer": "station",
                    "code": st["code"][i],
                    "name": st["name"][i],
                    "reach_m": run.reach_m,
                    "catchment_weight": c["weight"],
                    "exclusive_weight": c["exclusive_weight"],
                    "overlap_share": c["overlap_share"],
                    "candidate_to_move": i in overlapping,
                },
            }
        )
    collection = {
        "type": "FeatureCollection",
        "crs_name": crs.value,
        "properties": {
            "mode": run.mode,
            "approximate": s["approximate"],
            "share": run.share,
            "reach_m": run.reach_m,
            "open_at": run.open_at.isoformat() if run.open_at else None,
        },
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def _demand_features(demand, data: dict, indices: np.ndarray, properties, crs: CRS) -> list[dict]:
    """Features of the demand points `indices`: squares of the grid's cells, or points."""
    frame = MetricFrame(demand.frame_lng, demand.frame_lat)
    x, y = data["x"][indices], data["y"][indices]
    features = []
    if demand.cell_m:
        half = demand.cell_m / 2
        corners = [
            frame.to_gcj02(x + dx, y + dy) for dx, dy in ((-half, -half), (half, -half), (half, half), (-half, half))
        ]
        for n, i in enumerate(indices):
            ring = [_point(c[0][n], c[1][n], crs) for c in corners]
            geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
            features.append({"type": "Feature", "geometry": geometry, "properties": properties(i)})
    else:
        lng, lat = frame.to_gcj02(x, y)
        for n, i in enumerate(indices):
            geometry = {"type": "Point", "coordinates": _point(lng[n], lat[n], crs)}
            features.append({"type": "Feature", "geometry": geometry, "properties": properties(i)})
    return features


def _properties(i: int, data: dict, arrays: dict) -> dict:
    nearest = arrays["nearest"][i]
    return {
        "layer": "uncovered",
        "index": int(i),
        "weight": float(data["weight"][i]),
        "nearest_m": round(float(nearest), 1) if np.isfinite(nearest) else None,
    }


def coverage_pdf(run: CoverageRun) -> bytes:
    """One landscape page: the figures on the left, the map on the right (vectors)."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    page_w, page_h = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(page_w, page_h))
    c.setTitle(f"覆盖分析 {run.demand_set.name}")
    s = run.summary
    c.setFont(FONT, 16)
    c.drawString(30, page_h - 40, f"覆盖分析：{run.demand_set.name}")
    c.setFont(FONT, 10)
    lines = [
        f"可达方式：{_mode_label(run)}，{run.reach_m:.0f} 米",
        f"开放时间：{run.open_at:%Y-%m-%d %H:%M}" if run.open_at else "开放时间：不限（全部运营站点）",
        f"计入站点：{run.stations} 个",
        f"覆盖率：{run.share:.1%}（{s['covered_weight']:.0f} / {s['total_weight']:.0f}）",
        f"建议调整（重叠 ≥ {s['overlap_share']:.0%}）：{len(s['overlapping'])} 个",
        "",
        "分区覆盖率：",
        *[f"  {d['name']}：{d['share']:.1%}" for d in s["districts"]],
    ]
    if s["approximate"]:
        lines += ["", "注：" + APPROXIMATE[:20], "  " + APPROXIMATE[20:]]
    y = page_h - 70
    for line in lines:
        c.drawString(30, y, line)
        y -= 15
    _draw_map(c, run, (250, 30, page_w - 270, page_h - 60))
    c.showPage()
    c.save()
    return buffer.getvalue()


def _draw_map(c, run: CoverageRun, box: tuple[float, float, float, float]) -> None:
    demand = run.demand_set
    frame = MetricFrame(demand.frame_lng, demand.frame_lat)
    data = demand.arrays()
    arrays = run.arrays()
    x, y = data["x"], data["y"]
    min_x, max_x, min_y, max_y = float(x.min()), float(x.max()), float(y.min()), float(y.max())
    left, bottom, width, height = box
    scale = min(width / max(max_x - min_x, 1.0), height / max(max_y - min_y, 1.0))

    def to_page(px, py):
        return left + (np.asarray(px) - min_x) * scale, bottom + (np.asarray(py) - min_y) * scale

    c.setStrokeColor(colors.grey)
    c.rect(left, bottom, width, height)
    # Uncovered demand, binned: a square per raster cell holding any, darker with more weight.
    uncovered = ~arrays["covered"]
    if uncovered.any():
        size = max(max_x - min_x, max_y - min_y) / PDF_RASTER
        ix = np.floor((x[uncovered] - min_x) / size).astype(np.int64)
        iy = np.floor((y[uncovered] - min_y) / size).astype(np.int64)
        keys, inverse = np.unique(ix * (PDF_RASTER + 1) + iy, return_inverse=True)
        weight = np.bincount(inverse, weights=data["weight"][uncovered])
        top = float(weight.max()) or 1.0
        for key, w in zip(keys, weight, strict=True):
            gx, gy = divmod(int(key), PDF_RASTER + 1)
            px, py = to_page(min_x + gx * size, min_y + gy * size)
            shade = 0.85 - 0.55 * (w / top)
            c.setFillColorRGB(1.0, shade, shade)
            c.rect(float(px), float(py), size * scale, size * scale, stroke=0, fill=1)
    # District boundaries.
    c.setStrokeColor(colors.darkblue)
    c.setLineWidth(0.5)
    for region in Region.objects.filter(adcode__in=[d["adcode"] for d in demand.districts]).exclude(boundary=None):
        geometry = frame.geometry_from_gcj02(shape(region.boundary).simplify(0.0005))
        for polygon in getattr(geometry, "geoms", [geometry]):
            for ring in [polygon.exterior, *polygon.interiors]:
                px, py = to_page(*np.asarray(ring.coords).T)
                path = c.beginPath()
                path.moveTo(float(px[0]), float(py[0]))
                for a, b in zip(px[1:], py[1:], strict=True):
                    path.lineTo(float(a), float(b))
                c.drawPath(path, stroke=1, fill=0)
    # Stations: circles of reach (straight line), dots coloured red when heavily overlapping.
    s = run.summary
    st = s["stations"]
    if st["id"]:
        sx, sy = frame.from_gcj02(np.asarray(st["lng"]), np.asarray(st["lat"]))
        px, py = to_page(sx, sy)
        overlapping = set(s["overlapping"])
        c.setLineWidth(0.3)
        for i in range(len(px)):
            if run.mode == ReachMode.STRAIGHT:
                c.setStrokeColor(colors.green)
                c.circle(float(px[i]), float(py[i]), run.reach_m * scale, stroke=1, fill=0)
            c.setFillColor(colors.red if i in overlapping else colors.darkgreen)
            c.circle(float(px[i]), float(py[i]), 1.5, stroke=0, fill=1)
    c.setFont(FONT, 8)
    c.setFillColor(colors.black)
    c.drawString(
        left + 4, bottom + 4, "红色方块：未覆盖需求（颜色越深权重越大）  绿点：站点  红点：建议调整  蓝线：区界"
    )


# ---------------------------------------------------------------------------------------- siting


def siting_xlsx(run: SitingRun) -> bytes:
    s = run.summary
    overview = [
        ["需求数据", run.demand_set.name],
        ["候选点", run.candidate_set.name],
        ["目标", str(run.get_objective_display())],
        ["k", run.k or ""],
        ["目标覆盖率", run.target_share or ""],
        ["可达方式", _mode_label(run)],
        ["可达距离（米）", round(run.reach_m, 1)],
        ["现有站点数", run.stations],
        ["现状覆盖率", round(s["share_before"], 6)],
    ]
    for key, title in (("greedy", "贪心"), ("exact", "精确")):
        answer = s.get(key)
        if answer:
            overview += [
                [f"{title}：选点数", len(answer["chosen"])],
                [f"{title}：新增覆盖权重", answer["covered_weight"]],
                [f"{title}：覆盖率", round(answer["share_after"], 6)],
                [f"{title}：证明的界", answer["bound"]],
                [f"{title}：界的来源", BOUND_SOURCES.get(answer.get("bound_by", ""), answer.get("bound_by", ""))],
                [f"{title}：最优性差距", round(answer["gap"], 6)],
                [f"{title}：状态", answer["status"]],
            ]
    answer = siting_best_answer(run)
    sites = [[n, a["label"], a["kind"], a["lng"], a["lat"]] for n, a in enumerate(answer["sites"], start=1)]
    return _workbook(
        [
            ("概况", ["项目", "值"], overview),
            ("选中站址", ["序号", "名称", "类型", "经度（GCJ-02）", "纬度（GCJ-02）"], sites),
        ]
    )


def siting_geojson(run: SitingRun, crs: str = CRS.GCJ02) -> bytes:
    crs = CRS(crs)
    answer = siting_best_answer(run)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": _point(a["lng"], a["lat"], crs)},
            "properties": {"rank": n, "label": a["label"], "kind": a["kind"], "method": answer["method"]},
        }
        for n, a in enumerate(answer["sites"], start=1)
    ]
    collection = {
        "type": "FeatureCollection",
        "crs_name": crs.value,
        "properties": {"objective": run.objective, "gap": answer["gap"], "status": answer["status"]},
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


# A map (coverage or siting) draws at most this many demand cells per layer; more (a whole city's grid) are drawn
# as squares of MAP_BINS per side of the layer's extent, each with the weight and the cells
# it holds, so the page stays light.
MAP_MAX_CELLS = 20_000
MAP_BINS = 120


def _binned_features(demand, data: dict, indices: np.ndarray, layer: str) -> list[dict]:
    frame = MetricFrame(demand.frame_lng, demand.frame_lat)
    x, y, w = data["x"][indices], data["y"][indices], data["weight"][indices]
    size = max(float(demand.cell_m or 0), (max(np.ptp(x), np.ptp(y)) or 1.0) / MAP_BINS)
    ix, iy = np.floor((x - x.min()) / size).astype(np.int64), np.floor((y - y.min()) / size).astype(np.int64)
    keys, where = np.unique(ix * (MAP_BINS + 2) + iy, return_inverse=True)
    weight, cells = np.bincount(where, weights=w), np.bincount(where)
    bx = x.min() + (keys // (MAP_BINS + 2)) * size
    by = y.min() + (keys % (MAP_BINS + 2)) * size
    corners = [frame.to_gcj02(bx + dx, by + dy) for dx, dy in ((0, 0), (size, 0), (size, size), (0, size))]
    features = []
    for n in range(len(keys)):
        ring = [[float(c[0][n]), float(c[1][n])] for c in corners]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {"layer": layer, "weight": float(weight[n]), "cells": int(cells[n]), "binned_m": size},
            }
        )
    return features


def siting_map_geojson(run: SitingRun) -> bytes:
    """The siting result on the map (issue 18 §5), GCJ-02: the demand the new sites cover
    ("newly_covered") and what stays uncovered ("uncovered"), the chosen sites with the coverage
    each adds and their reach, the existing stations counted; a layer of more than
    MAP_MAX_CELLS cells is drawn binned. Runs stored before the covered flags were kept show
    the sites and stations only."""
    answer = siting_best_answer(run)
    arrays = run.arrays()
    features = []
    if "covered_after" in arrays:
        demand = run.demand_set
        data = demand.arrays()
        before, after = arrays["covered_before"], arrays["covered_after"]

        def properties(layer):
            return lambda i: {"layer": layer, "index": int(i), "weight": float(data["weight"][i])}

        for layer, mask in (("newly_covered", after & ~before), ("uncovered", ~after)):
            indices = np.flatnonzero(mask)
            if len(indices) > MAP_MAX_CELLS:
                features += _binned_features(demand, data, indices, layer)
            else:
                features += _demand_features(demand, data, indices, properties(layer), CRS.GCJ02)
    gains = answer.get("gains") or []
    for n, site in enumerate(answer["sites"], start=1):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site["lng"], site["lat"]]},
                "properties": {
                    "layer": "site",
                    "number": n,
                    "label": site["label"],
                    "kind": site["kind"],
                    "gain": gains[n - 1] if n - 1 < len(gains) else None,
                    "reach_m": run.reach_m,
                },
            }
        )
    stations = run.summary.get("stations") or {}
    for i, code in enumerate(stations.get("code", [])):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stations["lng"][i], stations["lat"][i]]},
                "properties": {"layer": "station", "code": code, "name": stations["name"][i]},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "crs_name": CRS.GCJ02.value,
        "properties": {
            "objective": run.objective,
            "share_before": run.summary.get("share_before"),
            "share_after": answer.get("share_after"),
            "mode": run.mode,
            "reach_m": run.reach_m,
        },
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


# ------------------------------------------------------------------------------ the entry points


def coverage_run_export(*, actor: Actor, run: CoverageRun, fmt: str, crs: str = CRS.GCJ02) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a coverage report export."""
    require(actor, Action.EXPORT, CoverageRun)
    require_in_scope(actor, run.unit)
    name = f"覆盖分析-{run.pk}"
    if fmt == "xlsx":
        return coverage_xlsx(run), XLSX, f"{name}.xlsx"
    if fmt == "geojson":
        return coverage_geojson(run, crs), GEOJSON, f"{name}.geojson"
    if fmt == "pdf":
        return coverage_pdf(run), PDF, f"{name}.pdf"
    from yizhan.core.errors import ApplicationError

    raise ApplicationError(str(BAD_FORMAT))


def siting_run_export(*, actor: Actor, run: SitingRun, fmt: str, crs: str = CRS.GCJ02) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a siting result export."""
    require(actor, Action.EXPORT, SitingRun)
    require_in_scope(actor, run.unit)
    name = f"选址分析-{run.pk}"
    if fmt == "xlsx":
        return siting_xlsx(run), XLSX, f"{name}.xlsx"
    if fmt == "geojson":
        return siting_geojson(run, crs), GEOJSON, f"{name}.geojson"
    from yizhan.core.errors import ApplicationError

    raise ApplicationError(str(BAD_FORMAT))


__all__ = ["coverage_run_export", "siting_run_export", "transform_geojson_geometry"]


# ----------------------------------------------------------------------- the candidates' template

TEMPLATE_HEADERS = ("名称", "类型", "经度", "纬度")
TEMPLATE_EXAMPLES = (
    ("工商银行西岗支行", "银行网点", 121.6285, 38.9160),
    ("中国石化香炉礁加油站", "加油站", 121.6097, 38.9472),
)
TEMPLATE_NOTES = (
    "每行一个候选点；整个文件全部通过校验才会导入，任何一行有错都不写入，并列出每一行的错误。",
    "名称：候选点或共建单位网点的名称（共建单位网点必填，生成规划阵地时记作共建单位）。",
    "类型：共建单位网点的类型，可留空；须为下列之一：{kinds}。",
    "经度、纬度：十进制度数，坐标系在上传页面选择（默认 GCJ-02，即高德、腾讯地图坐标）。",
    "候选点须在本单位辖区内。也可上传 CSV（同样的表头）或 GeoJSON（点要素，属性 name、kind）。",
)


def candidate_template() -> bytes:
    """The xlsx template of a candidate set (issue 18 §5): headers, two example rows, notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "候选点"
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in TEMPLATE_EXAMPLES:
        sheet.append(row)
    for column, width in zip("ABCD", (28, 16, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    notes = workbook.create_sheet("说明")
    kinds = "、".join(str(kind.label) for kind in PartnerKind)
    for line in TEMPLATE_NOTES:
        notes.append([line.format(kinds=kinds)])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
