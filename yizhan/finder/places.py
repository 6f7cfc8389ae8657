"""Where a typed place is, and the stations it asks for (issue 4 §1, issue 14 §5): a worker types a
district, a station's name (or its pinyin initials), an address or a landmark instead of sharing
the phone's location.

In this order:
1. an area by name (西岗区, 西岗, a unit's custom area such as 郑东新区): the search is the stations
   inside its outline, nearest to the worker's location when given, else to a point inside the
   area — not a circle around one point, which in a large or long district gave the neighbour's
   stations and missed its own far end;
2. a public position by name, short name or pinyin initials: the search is around it;
3. an address or landmark (二七广场) through the geocoder the federation configures
   (core/geo/geocoder.py), kept only when it lies in a federation's area: around that point;
4. the addresses of the federation's own positions: around the best match. This is what is left
   when no geocoder is configured or it failed, and the answer says so (`notice`).

Points are GCJ-02; the label says what was found, so the page can tell the worker "西岗区内" or
"二七广场附近" rather than guess silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import shapely
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.core.geo.geocoder import GeocoderUnavailable, geocode
from yizhan.finder import index, selectors
from yizhan.finder.params import MAX_QUERY_LENGTH
from yizhan.orgs.choices import RegionLevel
from yizhan.orgs.geo import boundaries_version, region_shape
from yizhan.orgs.models import Region
from yizhan.positions.models import Position

# Suffixes people leave out when they type an area ("西岗" for 西岗区).
AREA_SUFFIXES = ("特别行政区", "自治州", "自治县", "新区", "市", "区", "县", "旗")
SEARCH_RADII_M = (5_000, 20_000)  # around a point: nearby first; then wider, saying so

REGION, POSITION, GEOCODED, ADDRESS = "region", "position", "geocoded", "address"
OWN_DATA_ONLY = _("{reason}，只在区县、街道和本会驿站的名称、地址中查找。")


@dataclass(frozen=True)
class Place:
    label: str
    lng: float  # GCJ-02: the place, or for an area a point inside it
    lat: float
    kind: str  # REGION (search inside its area), POSITION, GEOCODED or ADDRESS (search around the point)
    region_id: int | None = None
    adcode: str = ""
    address: str = ""  # what the geocoder or the matched position's address says the place is

    @property
    def is_area(self) -> bool:
        return self.region_id is not None


@dataclass(frozen=True)
class PlaceLookup:
    text: str  # the query as searched (spaces collapsed, cut to MAX_QUERY_LENGTH)
    place: Place | None
    notice: str = ""  # why the geocoder did not help, when it was needed


def clean_query(text: str | None) -> str:
    """The typed text as searched: whitespace collapsed, characters that cannot be typed (NUL and
    other controls, which PostgreSQL refuses in a string) left out, at most MAX_QUERY_LENGTH."""
    text = "".join(ch for ch in (text or "") if ch.isprintable() or ch.isspace())
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def place_lookup(text: str | None) -> PlaceLookup:
    """The place `text` names, and, when the geocoder was needed and could not help, why."""
    text = clean_query(text)
    if not text:
        return PlaceLookup(text, None)
    place = _region(text) or _position(text)
    if place is not None:
        return PlaceLookup(text, place)
    notice = ""
    try:
        place = _geocoded(text)
    except GeocoderUnavailable as problem:
        notice = OWN_DATA_ONLY.format(reason=problem.message)
    if place is None:
        place = _position(text, by_address=True)
    return PlaceLookup(text, place, notice)


def find_place(text: str | None) -> Place | None:
    """The place `text` names, or None."""
    return place_lookup(text).place


def _region(text: str) -> Place | None:
    """An area by name, among those with an outline; among several the exact name, then the
    shortest (the most exact) wins."""
    stem = text
    for suffix in AREA_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
            stem = stem[: -len(suffix)]
            break
    candidates = Region.objects.filter(Q(name=text) | Q(name__startswith=stem), boundary__isnull=False)
    region = min(
        candidates.only("pk", "name", "adcode"), key=lambda r: (r.name != text, len(r.name), r.pk), default=None
    )
    if region is None:
        return None
    centre = area_centre(region.pk)
    if centre is None:  # deleted since it was found (a restore, a re-import): no such place now
        return None
    lng, lat = centre
    return Place(label=region.name, lng=lng, lat=lat, kind=REGION, region_id=region.pk, adcode=region.adcode)


_centres: dict[int, tuple[str, tuple[float, float]]] = {}


def area_centre(region_id: int) -> tuple[float, float] | None:
    """A point inside the area (its representative point: inside even for a crescent or an L,
    where the centroid may lie outside), per boundaries version; None for an area without an
    outline (or deleted since its id was read)."""
    version = boundaries_version()
    held = _centres.get(region_id)
    if held is None or held[0] != version:
        area = region_shape(region_id)
        if area is None:
            return None
        point = area.representative_point()
        held = _centres[region_id] = (version, (point.x, point.y))
    return held[1]


def _position(text: str, *, by_address: bool = False) -> Place | None:
    """A public position by name, short name or pinyin initials (or, `by_address`, by address);
    among several the one named, then the shortest name wins."""
    lowered = text.lower()
    if by_address:
        matching = Q(address__icontains=text)
    else:
        matching = (
            Q(official_name__icontains=text) | Q(short_name__icontains=text) | Q(search_initials__contains=lowered)
        )
    matches = (
        Position.objects.public().filter(matching).only("pk", "official_name", "short_name", "lng", "lat", "address")
    )[:50]

    def rank(p: Position) -> tuple:
        if by_address:
            return (len(p.address), p.pk)
        named = text in p.official_name or text in p.short_name
        return (not named, len(p.display_name), p.pk)

    best = min(matches, key=rank, default=None)
    if best is None:
        return None
    if by_address:
        return Place(label=text, lng=best.lng, lat=best.lat, kind=ADDRESS, address=best.address)
    return Place(label=best.display_name, lng=best.lng, lat=best.lat, kind=POSITION, address=best.address)


def _geocoded(text: str) -> Place | None:
    """An address or landmark through the configured geocoder, asked to look in the federation's
    city (the only one, when there is one) and kept only when it falls inside a federation's area:
    a landmark of the same name in another city is no place to search from."""
    roots = selectors.federation_roots()
    hint = roots[0] if len(roots) == 1 and roots[0].level != RegionLevel.CUSTOM else None
    found = geocode(text, city_name=hint.name if hint else "", city_code=hint.adcode if hint else "")
    if found is None:
        return None
    outlines = [area for area in (region_shape(root.pk) for root in roots) if area is not None]
    if outlines and not any(shapely.intersects_xy(area, found.lng, found.lat) for area in outlines):
        return None
    return Place(label=text, lng=found.lng, lat=found.lat, kind=GEOCODED, address=found.label)


@dataclass(frozen=True)
class PlaceSearch:
    """A typed place and the public positions it asks for: inside its area (`in_area`), or within
    `radius_m` of it (widened once when nothing was near, `widened`). Distances are measured from
    `origin` (GCJ-02): the worker's location for an area when it was given, otherwise the place."""

    lookup: PlaceLookup
    results: list[selectors.NearbyPublic] = field(default_factory=list)
    origin: tuple[float, float] | None = None
    in_area: bool = False
    radius_m: int | None = None
    widened: bool = False

    @property
    def place(self) -> Place | None:
        return self.lookup.place

    @property
    def notice(self) -> str:
        return self.lookup.notice


def place_search(
    *,
    text: str | None,
    near: tuple[float, float, CRS | str] | None = None,
    limit: int,
    filters: index.Filters | None = None,
    open_now: bool = False,
    radii: tuple[int, ...] = SEARCH_RADII_M,
    at: datetime | None = None,
) -> PlaceSearch:
    """The public positions the typed place asks for (issue 14 §5): for an area, those inside it,
    nearest to `near` (the worker's location, lng, lat and its system) when given, else to a point
    inside the area; for any other place, the nearest within the first of `radii` that finds one.
    Nothing is searched when no place is found."""
    lookup = place_lookup(text)
    place = lookup.place
    if place is None:
        return PlaceSearch(lookup)
    if place.is_area:
        origin = to_gcj02(*near) if near is not None else (place.lng, place.lat)
        results = selectors.nearby_in_area(
            region_id=place.region_id, lng=origin[0], lat=origin[1], crs=CRS.GCJ02, limit=limit,
            filters=filters, open_now=open_now, at=at,
        )  # fmt: skip
        return PlaceSearch(lookup, results, origin, in_area=True)
    results: list[selectors.NearbyPublic] = []
    for radius in radii:
        results = selectors.nearby(
            lng=place.lng, lat=place.lat, crs=CRS.GCJ02, radius_m=radius, limit=limit,
            filters=filters, open_now=open_now, at=at,
        )  # fmt: skip
        if results:
            break
    widened = bool(results) and radius != radii[0]
    return PlaceSearch(lookup, results, (place.lng, place.lat), radius_m=radius, widened=widened)
