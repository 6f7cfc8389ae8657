"""Where a typed place is (issue 4 §1): a worker types a station's name (or its pinyin initials),
an address, or a district instead of sharing the phone's location.

There is no geocoder on a government intranet, so a place is found among what the system knows:
administrative areas by name (西岗区, 西岗), then public positions by name, short name, pinyin
initials or address. The answer is a point in GCJ-02 and a label saying what was found, so the
page can tell the worker "附近：西岗区" rather than guess silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from shapely.geometry import shape

from yizhan.orgs.models import Region
from yizhan.positions.models import Position

# Suffixes people leave out when they type an area ("西岗" for 西岗区).
AREA_SUFFIXES = ("特别行政区", "自治州", "自治县", "新区", "市", "区", "县", "旗")
MAX_QUERY_LENGTH = 60


@dataclass(frozen=True)
class Place:
    label: str
    lng: float  # GCJ-02
    lat: float
    kind: str  # "region" or "position"


def find_place(text: str) -> Place | None:
    """The place `text` names, or None. Areas first (a district is what people type most), then
    positions; among several matches the shortest name wins (the most exact)."""
    text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    if not text:
        return None
    return _region(text) or _position(text)


def _region(text: str) -> Place | None:
    stem = text
    for suffix in AREA_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
            stem = stem[: -len(suffix)]
            break
    candidates = Region.objects.filter(Q(name=text) | Q(name__startswith=stem), boundary__isnull=False)
    region = min(candidates.only("pk", "name"), key=lambda r: (r.name != text, len(r.name), r.pk), default=None)
    if region is None:
        return None
    boundary = Region.objects.values_list("boundary", flat=True).get(pk=region.pk)
    point = shape(boundary).representative_point()  # inside the area, even for a crescent
    return Place(label=region.name, lng=point.x, lat=point.y, kind="region")


def _position(text: str) -> Place | None:
    lowered = text.lower()
    matches = (
        Position.objects.public()
        .filter(
            Q(official_name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(search_initials__contains=lowered)
            | Q(address__icontains=text)
        )
        .only("pk", "official_name", "short_name", "lng", "lat", "address")[:50]
    )

    def rank(p: Position) -> tuple:
        named = text in p.official_name or text in p.short_name
        return (not named, len(p.display_name), p.pk)

    best = min(matches, key=rank, default=None)
    if best is None:
        return None
    return Place(label=best.display_name, lng=best.lng, lat=best.lat, kind="position")
