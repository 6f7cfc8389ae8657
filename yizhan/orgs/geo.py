"""Boundaries of administrative areas for maps (spec §10): simplified for display and expressed in
the coordinate system of the tile layer they are drawn on."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import shapely
from django.core.cache import cache
from django.db.models import Q
from django.dispatch import receiver
from shapely.geometry import mapping, shape

from yizhan.core.backup import restored
from yizhan.core.geo.crs import CRS, transform_geojson_geometry
from yizhan.orgs.models import Region

# About 30 m at Dalian's latitude: invisible at city zoom, shrinks the city outline ~10×.
DISPLAY_TOLERANCE_DEG = 0.0003


def _display_geometry(boundary: dict, crs: CRS) -> dict:
    simplified = shape(boundary).simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    geometry = mapping(simplified)
    geometry = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}
    return transform_geojson_geometry(geometry, crs)


def _rounded(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], 6), round(coords[1], 6)]
    return [_rounded(c) for c in coords]


BOUNDARIES_VERSION_KEY = "region-boundaries-version"


def boundaries_cache_key(adcode: str, crs: CRS | str) -> str:
    """Cache key of a display FeatureCollection; `region_import` bumps the version, so a re-import
    is visible at once instead of after the cache timeout."""
    return f"region-boundaries:v{boundaries_version()}:{adcode}:{CRS(crs).value}"


_pinned_version: contextvars.ContextVar[str | None] = contextvars.ContextVar("boundaries_version", default=None)


def boundaries_version() -> str:
    """A token that changes whenever boundaries change. Random rather than a counter, so that a
    cleared cache (or a new process) never reuses an old version's entries."""
    return _pinned_version.get() or cache.get_or_set(BOUNDARIES_VERSION_KEY, lambda: uuid.uuid4().hex, None)


@contextmanager
def boundaries_pinned() -> Iterator[None]:
    """Read the boundaries version once for a batch of point lookups (an import) instead of asking
    the cache for every point; boundaries do not change in the middle of one request."""
    with boundaries_pinned_to(boundaries_version()):
        yield


@contextmanager
def boundaries_pinned_to(version: str) -> Iterator[None]:
    """Point lookups under a version read elsewhere (an import's worker process, whose own cache
    may not be the server's)."""
    token = _pinned_version.set(version)
    try:
        yield
    finally:
        _pinned_version.reset(token)


def boundaries_changed() -> None:
    cache.set(BOUNDARIES_VERSION_KEY, uuid.uuid4().hex, None)


@receiver(restored, dispatch_uid="orgs-boundaries-restored")
def boundaries_restored(sender, **kwargs) -> None:
    """A restore replaced the regions: prepared geometries and map layers are rebuilt."""
    boundaries_changed()


def region_feature_collection(*, region: Region | int, crs: CRS | str = CRS.GCJ02) -> dict:
    """The area (role "self") and its direct sub-areas (role "child") as a FeatureCollection.

    The outlines come from one query on the area's id, never from the instance: an instance read
    without its boundary (a list of areas, `defer("boundary")`) would load it one row at a time,
    and an area deleted in between (a restore, a re-import, a test's flush) would raise
    Region.DoesNotExist, a 500 on the public map (/p/boundaries.json). One read is one snapshot: an
    area gone by then has no features."""
    crs = CRS(crs)
    region_id = region if isinstance(region, int) else region.pk
    rows = list(
        Region.objects.filter(Q(pk=region_id) | Q(parent_id=region_id), boundary__isnull=False).only(
            "adcode", "name", "level", "boundary"
        )
    )
    own = [item for item in rows if item.pk == region_id]
    children = sorted((item for item in rows if item.pk != region_id), key=lambda item: item.adcode)
    features = []
    for item, role in [*((item, "self") for item in own), *((child, "child") for child in children)]:
        if not item.boundary:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": item.adcode, "name": item.name, "level": item.level, "role": role},
                "geometry": _display_geometry(item.boundary, crs),
            }
        )
    return {"type": "FeatureCollection", "crs_name": crs.value, "features": features}


# --- Point in polygon -----------------------------------------------------------------------------
# Prepared shapely geometries per region, rebuilt when `boundaries_changed()` bumps the version.
_prepared: dict[int, tuple[str, object]] = {}


def _prepared_boundary(region_id: int, version: str):
    """The area's boundary as a prepared geometry, always read from the database (never from an
    in-memory instance that may be partial), cached per boundaries version. An area deleted since
    its id was read (a restore, a flush) has no boundary: None, never Region.DoesNotExist."""
    cached = _prepared.get(region_id)
    if cached is None or cached[0] != version:
        boundary = Region.objects.filter(pk=region_id).values_list("boundary", flat=True).first()
        geometry = shape(boundary) if boundary else None
        if geometry is not None:
            shapely.prepare(geometry)
        cached = (version, geometry)
        _prepared[region_id] = cached
    return cached[1]


def region_shape(region: Region | int):
    """The area's boundary (an instance or its id) as a prepared shapely geometry in GCJ-02, or None
    without one: the same geometry the inside-its-area check uses, for callers that test many
    points at once (the finder's area search)."""
    region_id = region if isinstance(region, int) else region.pk
    return _prepared_boundary(region_id, boundaries_version())


def region_contains(region: Region | int, lng: float, lat: float) -> bool | None:
    """Whether the area (an instance or its id) holds the GCJ-02 point, its edge included; None when
    it has no boundary. For a point, "intersects" is "covers"; the coordinate form needs no Point
    object (a tenth of the time, which an import of 100,000 rows notices)."""
    region_id = region if isinstance(region, int) else region.pk
    version = boundaries_version()
    answer = _answers.get((version, region_id, lng, lat))
    if answer is not None:
        return answer
    geometry = _prepared_boundary(region_id, version)
    if geometry is None:
        return None
    return bool(shapely.intersects_xy(geometry, lng, lat))


# Answers of `region_contains` worked out ahead for many points at once (`points_ahead`): shapely
# tests a whole array of points against an area in one call, ~30x cheaper per point than one call
# each. Keyed by the exact point and the boundaries version; what was not asked ahead is answered
# as before. Bounded: an import asks ahead for a few hundred rows at a time.
_answers: dict[tuple[str, int, float, float], bool] = {}
_ANSWERS_LIMIT = 20_000


def points_ahead(points: list[tuple[float, float, int | None]]) -> None:
    """Work out ahead what `region_at` and `region_contains` will be asked about these GCJ-02 points:
    each point against every district whose bounding box holds it, and against the area given
    with it (its unit's area; None for none)."""
    import numpy as np

    version = boundaries_version()
    if len(_answers) > _ANSWERS_LIMIT:
        _answers.clear()
    asked: dict[int, list[tuple[float, float]]] = {}
    for lng, lat, region_id in points:
        if region_id is not None:
            asked.setdefault(region_id, []).append((lng, lat))
    boxes = _bounding_boxes("district")
    if boxes:
        lngs = np.array([p[0] for p in points], dtype=float)
        lats = np.array([p[1] for p in points], dtype=float)
        for min_lng, min_lat, max_lng, max_lat, region in boxes:
            inside = (lngs >= min_lng) & (lngs <= max_lng) & (lats >= min_lat) & (lats <= max_lat)
            asked.setdefault(region.pk, []).extend(zip(lngs[inside].tolist(), lats[inside].tolist(), strict=True))
    for region_id, where in asked.items():
        geometry = _prepared_boundary(region_id, version)
        if geometry is None or not where:
            continue
        xs, ys = zip(*where, strict=True)
        for (lng, lat), answer in zip(where, shapely.intersects_xy(geometry, xs, ys).tolist(), strict=True):
            _answers[(version, region_id, lng, lat)] = answer


_boxes: dict[str, tuple[str, list[tuple[float, float, float, float, Region]]]] = {}


def _bounding_boxes(level: str) -> list[tuple[float, float, float, float, Region]]:
    """Every area of `level` with its bounding box, read once per boundaries version (a few hundred
    rows at most), so finding the area of a point needs no query."""
    version = boundaries_version()
    cached = _boxes.get(level)
    if cached is None or cached[0] != version:
        rows = Region.objects.defer("boundary").filter(level=level, min_lng__isnull=False).order_by("adcode")
        cached = (version, [(r.min_lng, r.min_lat, r.max_lng, r.max_lat, r) for r in rows])
        _boxes[level] = cached
    return cached[1]


def region_at(lng: float, lat: float, level: str = "district") -> Region | None:
    """The area of `level` whose boundary holds the GCJ-02 point (bounding boxes first)."""
    for min_lng, min_lat, max_lng, max_lat, region in _bounding_boxes(level):
        if min_lng <= lng <= max_lng and min_lat <= lat <= max_lat and region_contains(region, lng, lat):
            return region
    return None
