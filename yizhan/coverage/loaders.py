"""Reading demand and candidate sites from a unit's files (issue 18 §2, §5): xlsx, CSV or GeoJSON.

Tables need a longitude and a latitude column; demand may have a weight column (default 1 per
row), candidates a name and a kind. Headers are recognised in Chinese or English (经度/lng,
纬度/lat, 权重/人数/weight, 名称/name, 类型/kind). GeoJSON features are points (weight from the
`weight` property) or polygons — a population per area — whose weight is spread evenly over the
grid cells inside them. Coordinates are converted to GCJ-02 from the system the unit names.
Everything is refused with the row (or feature) and the reason when any row is wrong: a partial
demand set would silently understate the need.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.crs import CRS, to_gcj02

UNKNOWN_FORMAT = _("无法识别文件“{name}”：请上传 .xlsx、.csv 或 .geojson 文件")
NOT_READABLE = _("文件“{name}”无法读取（{kind} 格式有误）")
NO_COLUMNS = _("表头中缺少经度和纬度列（经度/lng、纬度/lat）")
BAD_ROW = _("第 {row} 行：{reason}")
BAD_FEATURE = _("第 {index} 个要素：{reason}")
BAD_NUMBER = _("“{column}”不是数字：{value}")
OUT_OF_RANGE = _("坐标超出范围（经度 -180～180，纬度 -90～90）")
BAD_WEIGHT = _("权重应为不小于 0 的有限数字：{value}")
BAD_GEOMETRY = _("只支持点（Point）和面（Polygon、MultiPolygon）")
EMPTY = _("文件中没有数据行")
BAD_CRS = _("坐标系“{crs}”无效，应为 gcj02、wgs84 或 bd09")
TOO_MANY_ERRORS = _("（另有 {count} 处错误未列出）")

HEADERS = {
    "lng": {"经度", "lng", "lon", "longitude", "x"},
    "lat": {"纬度", "lat", "latitude", "y"},
    "weight": {"权重", "人数", "weight", "population", "count"},
    "name": {"名称", "name", "label"},
    "kind": {"类型", "kind", "type"},
}
SHOWN_ERRORS = 10


@dataclass
class LoadedRows:
    """GCJ-02 points with weights (1 when none given), names and kinds; `polygons` holds GeoJSON
    areas (shapely, GCJ-02) with their weights, to be spread over cells by the caller."""

    lng: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    row: list[str] = field(default_factory=list)  # where each point came from, for messages
    polygons: list[tuple[object, float, str]] = field(default_factory=list)


def _number(value, column: str) -> float:
    if isinstance(value, bool):
        raise ValueError(BAD_NUMBER.format(column=column, value=value))
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except (TypeError, ValueError):
        raise ValueError(BAD_NUMBER.format(column=column, value=value)) from None
    if not math.isfinite(number):
        raise ValueError(BAD_NUMBER.format(column=column, value=value))
    return number


def _weight(value) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    try:
        weight = _number(value, "weight")
    except ValueError:
        raise ValueError(BAD_WEIGHT.format(value=value)) from None
    if weight < 0:
        raise ValueError(BAD_WEIGHT.format(value=value))
    return weight


def _point(lng, lat, crs: CRS) -> tuple[float, float]:
    lng, lat = _number(lng, "经度"), _number(lat, "纬度")
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValueError(str(OUT_OF_RANGE))
    return to_gcj02(lng, lat, crs)


def refuse_rows(errors: list[str]) -> None:
    """Refuse the whole file when any row is wrong, naming the first few and counting the rest."""
    if errors:
        shown = "；".join(errors[:SHOWN_ERRORS])
        if len(errors) > SHOWN_ERRORS:
            shown += str(TOO_MANY_ERRORS.format(count=len(errors) - SHOWN_ERRORS))
        raise ApplicationError(shown, extra={"errors": errors})


# check(name, kind) → the reasons a row's name and kind are wrong (the caller's own rules).
RowCheck = Callable[[str, str], list[str]]


def load_rows(file_name: str, content: bytes, *, crs: str = CRS.GCJ02, check: RowCheck | None = None) -> LoadedRows:
    """The points (and areas) of a file, by its extension; ApplicationError naming every bad row
    with all of its reasons (coordinates, weight, and what `check` finds in its name and kind)."""
    if crs not in CRS._value2member_map_:
        raise ApplicationError(BAD_CRS.format(crs=crs))
    lower = file_name.lower()
    if lower.endswith((".geojson", ".json")):
        rows = _geojson(file_name, content, CRS(crs), check)
    elif lower.endswith(".csv"):
        rows = _table(_csv_rows(file_name, content), CRS(crs), check)
    elif lower.endswith(".xlsx"):
        rows = _table(_xlsx_rows(file_name, content), CRS(crs), check)
    else:
        raise ApplicationError(UNKNOWN_FORMAT.format(name=file_name))
    if not rows.lng and not rows.polygons:
        raise ApplicationError(str(EMPTY))
    return rows


def _csv_rows(file_name: str, content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApplicationError(NOT_READABLE.format(name=file_name, kind="CSV"))
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(file_name: str, content: bytes) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            archive.getinfo("[Content_Types].xml")
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except Exception:  # zipfile and calamine raise their own kinds for a damaged file
        raise ApplicationError(NOT_READABLE.format(name=file_name, kind="xlsx")) from None


def _table(rows: list[list], crs: CRS, check: RowCheck | None) -> LoadedRows:
    if not rows:
        raise ApplicationError(str(EMPTY))
    header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    columns = {}
    for key, names in HEADERS.items():
        for index, text in enumerate(header):
            if text in names and key not in columns:
                columns[key] = index
    if "lng" not in columns or "lat" not in columns:
        raise ApplicationError(str(NO_COLUMNS))
    loaded, errors = LoadedRows(), []

    def cell(row, key):
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    for number, row in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in row if v is not None):
            continue
        name = str(cell(row, "name") or "").strip()[:100]
        kind = str(cell(row, "kind") or "").strip()[:30]
        reasons = []
        try:
            lng, lat = _point(cell(row, "lng"), cell(row, "lat"), crs)
        except ValueError as error:
            reasons.append(str(error))
        try:
            weight = _weight(cell(row, "weight"))
        except ValueError as error:
            reasons.append(str(error))
        reasons += check(name, kind) if check else []
        if reasons:
            errors.append(str(BAD_ROW.format(row=number, reason="；".join(reasons))))
            continue
        loaded.lng.append(lng)
        loaded.lat.append(lat)
        loaded.weight.append(weight)
        loaded.name.append(name)
        loaded.kind.append(kind)
        loaded.row.append(str(BAD_ROW.format(row=number, reason="")).rstrip("："))
    refuse_rows(errors)
    return loaded


def _geojson(file_name: str, content: bytes, crs: CRS, check: RowCheck | None) -> LoadedRows:
    from shapely.geometry import shape

    from yizhan.core.geo.crs import transform_geojson_geometry

    try:
        data = json.loads(content.decode("utf-8-sig"))
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
    except (ValueError, AttributeError, KeyError, TypeError):
        raise ApplicationError(NOT_READABLE.format(name=file_name, kind="GeoJSON")) from None
    loaded, errors = LoadedRows(), []
    for index, feature in enumerate(features, start=1):
        try:
            geometry = feature.get("geometry") or {}
            properties = feature.get("properties") or {}
            weight = _weight(properties.get("weight", properties.get("population")))
            name = str(properties.get("name") or properties.get("名称") or "").strip()[:100]
            kind = str(properties.get("kind") or properties.get("类型") or "").strip()[:30]
            gtype = geometry.get("type")
            if gtype == "Point":
                lng, lat = _point(*geometry["coordinates"][:2], crs)
                reasons = check(name, kind) if check else []
                if reasons:
                    raise ValueError("；".join(reasons))
                loaded.lng.append(lng)
                loaded.lat.append(lat)
                loaded.weight.append(weight)
                loaded.name.append(name)
                loaded.kind.append(kind)
                loaded.row.append(str(BAD_FEATURE.format(index=index, reason="")).rstrip("："))
            elif gtype in ("Polygon", "MultiPolygon"):
                polygon = shape(_to_gcj02_geometry(geometry, crs, transform_geojson_geometry))
                if polygon.is_empty or not polygon.is_valid:
                    raise ValueError(str(BAD_GEOMETRY))
                lng0, lat0, lng1, lat1 = polygon.bounds
                if not (-180 <= lng0 <= lng1 <= 180 and -90 <= lat0 <= lat1 <= 90):
                    raise ValueError(str(OUT_OF_RANGE))
                loaded.polygons.append((polygon, weight, name))
            else:
                raise ValueError(str(BAD_GEOMETRY))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
            errors.append(str(BAD_FEATURE.format(index=index, reason=error)))
    refuse_rows(errors)
    return loaded


def _to_gcj02_geometry(geometry: dict, crs: CRS, transform) -> dict:
    if crs is CRS.GCJ02:
        return geometry

    def convert(coords):
        if coords and isinstance(coords[0], (int, float)):
            return list(to_gcj02(coords[0], coords[1], crs))
        return [convert(c) for c in coords]

    return {"type": geometry["type"], "coordinates": convert(geometry["coordinates"])}


def as_arrays(rows: LoadedRows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.asarray(rows.lng, dtype=np.float64),
        np.asarray(rows.lat, dtype=np.float64),
        np.asarray(rows.weight, dtype=np.float64),
    )
