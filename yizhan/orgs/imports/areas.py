"""The outline of a custom area (issue 14 §2) from what a person gives: a GeoJSON upload (a
geometry, a Feature or a FeatureCollection of polygons, merged), a polygon drawn on the staff map, or
the areas it is made of (merged). Always a Polygon or MultiPolygon in GCJ-02, valid, not empty."""

from __future__ import annotations

import json

import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from shapely.validation import make_valid

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.orgs.imports.regions import _check_coordinates

AREA_NOT_JSON = _("区域边界不是有效的 GeoJSON：{error}")
AREA_NOT_POLYGON = _("区域边界应为面（Polygon 或 MultiPolygon），而不是 {gtype}")
AREA_BAD_COORDINATES = _("区域边界的坐标有误：{problem}")
AREA_EMPTY = _("区域边界为空")
AREA_BAD_CRS = _("未知的坐标系：{crs}")
# A drawn or uploaded area smaller than this (about 10 m × 10 m) is a slip, not a zone.
MIN_AREA_DEG2 = 1e-8
AREA_TOO_SMALL = _("区域太小，请检查边界")

POLYGON_TYPES = {"Polygon", "MultiPolygon"}


def _geometries(data) -> list[dict]:
    """The geometries of a GeoJSON geometry, Feature or FeatureCollection."""
    if not isinstance(data, dict):
        raise ApplicationError(AREA_NOT_POLYGON.format(gtype=type(data).__name__), field="geometry")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise ApplicationError(str(AREA_EMPTY), field="geometry")
        return [g for feature in features for g in _geometries(feature)]
    if kind == "Feature":
        return _geometries(data.get("geometry"))
    if kind == "GeometryCollection":
        return [g for part in data.get("geometries") or [] for g in _geometries(part)]
    if kind not in POLYGON_TYPES:
        raise ApplicationError(AREA_NOT_POLYGON.format(gtype=kind), field="geometry")
    return [data]


def _to_gcj02(coords, crs: CRS):
    if coords and isinstance(coords[0], (int, float)):
        return list(to_gcj02(float(coords[0]), float(coords[1]), crs))
    return [_to_gcj02(part, crs) for part in coords]


def area_geometry_read(data: dict | str | bytes, *, crs: str = CRS.GCJ02) -> shapely.Geometry:
    """A custom area's outline from GeoJSON (text or already read), in `crs` (GCJ-02 unless the map
    it was drawn on or the file uses WGS-84 or BD-09): converted to GCJ-02, repaired if invalid,
    merged into one (Multi)Polygon. ApplicationError on the `geometry` field otherwise."""
    if crs not in CRS._value2member_map_:
        raise ApplicationError(AREA_BAD_CRS.format(crs=crs), field="crs")
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ApplicationError(AREA_NOT_JSON.format(error=error), field="geometry") from error
    shapes = []
    for geometry in _geometries(data):
        problems: list[str] = []
        _check_coordinates(geometry.get("coordinates"), problems)
        if problems:
            raise ApplicationError(AREA_BAD_COORDINATES.format(problem=problems[0]), field="geometry")
        converted = {"type": geometry["type"], "coordinates": _to_gcj02(geometry["coordinates"], CRS(crs))}
        try:
            shapes.append(shape(converted))
        except (ValueError, TypeError, IndexError, AttributeError) as error:
            raise ApplicationError(AREA_BAD_COORDINATES.format(problem=error), field="geometry") from error
    return area_geometry_union(shapes)


def area_geometry_union(shapes: list) -> shapely.Geometry:
    """Polygons merged into one valid (Multi)Polygon; ApplicationError when nothing is left."""
    repaired = [make_valid(s) if not s.is_valid else s for s in shapes if not s.is_empty]
    merged = unary_union(repaired) if repaired else None
    if merged is not None and merged.geom_type == "GeometryCollection":
        merged = unary_union([g for g in merged.geoms if g.geom_type in POLYGON_TYPES])
    if merged is None or merged.is_empty or merged.geom_type not in POLYGON_TYPES:
        raise ApplicationError(str(AREA_EMPTY), field="geometry")
    if merged.area < MIN_AREA_DEG2:
        raise ApplicationError(str(AREA_TOO_SMALL), field="geometry")
    return merged


def geometry_json(geometry: shapely.Geometry) -> dict:
    """The outline as stored on a Region: GeoJSON with lists (not tuples), 6 decimals (~0.1 m)."""
    shapely_rounded = shapely.set_precision(geometry, 1e-6)
    return json.loads(json.dumps(mapping(shapely_rounded)))
