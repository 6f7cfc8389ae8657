"""Reads of the public finder (issue 4). The public has no actor: these read only what
`Position.objects.public()` holds (operating and suspended positions), and callers show no
personal data from them (no manager name or phone, spec §11)."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import NotFoundError
from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.core.hours import SHANGHAI, OpeningStatus
from yizhan.finder import index
from yizhan.finder.params import DEFAULT_LIMIT, DEFAULT_RADIUS_M, check_limit, check_point, check_radius
from yizhan.finder.walking import walk_minutes
from yizhan.orgs.geo import region_shape
from yizhan.orgs.models import Region, Unit
from yizhan.positions.choices import PositionState
from yizhan.positions.models import HoursException, Position
from yizhan.positions.rules import position_opening

POSITION_NOT_PUBLIC = _("该服务阵地不存在或未对公众开放")

# What the finder does with a position that has an open "closed/locked" problem report (issue 15
# §4; YIZHAN_FINDER_REPORTED_CLOSED): rank it after the others, leave it out, or nothing.
DEMOTE, HIDE, OFF = "demote", "hide", "off"
REPORTED_CLOSED_MODES = (DEMOTE, HIDE, OFF)


def reported_closed_mode() -> str:
    return settings.YIZHAN_FINDER_REPORTED_CLOSED


@dataclass(frozen=True)
class NearbyHit:
    position_id: int
    distance_m: float  # straight line (haversine), from the asked point
    walk_minutes: int  # spec §10 approximation: straight × detour factor at walking speed, rounded up
    opening: OpeningStatus
    reported: tuple[str, ...]  # kinds of its open closed/locked problem reports (ledger.selectors.CLOSED_KINDS)


@dataclass(frozen=True, slots=True)
class PublicRecord:
    """What a nearby answer shows of a position that does not depend on the asker: its stored
    GCJ-02 point, and its other public fields already written as JSON members (no personal data)."""

    lng: float
    lat: float
    json: bytes  # `"id":…,"name":…,…,"stars":…` without braces, UTF-8

    def fields(self) -> dict:
        """The public fields as values (for pages)."""
        return json.loads(b"{" + self.json + b"}")


@dataclass(frozen=True)
class NearbyPublic(NearbyHit):
    record: PublicRecord


def _reported_last(
    search: Callable[[index.Filters, int], list[tuple[int, float]]],
    filters,
    limit: int,
    is_reported: Callable[[int], bool],
):
    """`search(filters, limit)` as YIZHAN_FINDER_REPORTED_CLOSED asks: "hide" leaves out positions
    with an open closed/locked problem report; "demote" ranks them after every other match, nearest
    first: the unreported matches first, and when they are fewer than `limit`, the nearest reported
    ones after them (among the `limit` nearest of all matches lie at least as many reported ones as
    are missing, and they are the nearest reported).

    One search of all matches answers alone when it holds every match (fewer than `limit`) or no
    reported one (its `limit` nearest are then the `limit` nearest unreported): the same answer as
    searching the unreported ones first, in one search instead of two in the usual case."""
    mode = reported_closed_mode()
    found = search(filters, limit)
    if mode == OFF:
        return found
    reported = [hit for hit in found if is_reported(hit[0])]
    if not reported:
        return found
    if len(found) < limit:  # every match is here: split it
        clear = [hit for hit in found if not is_reported(hit[0])]
        return clear if mode == HIDE else clear + reported
    clear = search(dataclasses.replace(filters, unreported_only=True), limit)
    if mode == HIDE or len(clear) == limit:
        return clear
    seen = {pk for pk, _d in clear}
    return clear + [hit for hit in found if hit[0] not in seen][: limit - len(clear)]


def _hits(held: index.PositionIndex, found: list[tuple[int, float]], at: datetime) -> list[NearbyHit]:
    return [
        NearbyHit(pk, distance, walk_minutes(distance), held.opening(pk, at), held.reported(pk))
        for pk, distance in found
    ]


def _nearby_hits(
    *,
    lng: float,
    lat: float,
    crs: CRS | str,
    radius_m: float,
    limit: int,
    filters: index.Filters | None,
    open_now: bool,
    at: datetime | None,
) -> tuple[index.PositionIndex, list[NearbyHit]]:
    check_point(lng, lat)
    check_radius(radius_m)
    check_limit(limit)
    at = at or timezone.now()
    gcj_lng, gcj_lat = to_gcj02(lng, lat, crs)
    held = index.current_index()
    found = _reported_last(
        lambda f, n: held.nearest(gcj_lng, gcj_lat, radius_m=radius_m, limit=n, filters=f, open_now=open_now, at=at),
        filters or index.Filters(),
        limit,
        held.is_reported,
    )
    return held, _hits(held, found, at)


def nearby(
    *,
    lng: float,
    lat: float,
    crs: CRS | str = CRS.WGS84,
    radius_m: float = DEFAULT_RADIUS_M,
    limit: int = DEFAULT_LIMIT,
    filters: index.Filters | None = None,
    open_now: bool = False,
    at: datetime | None = None,
) -> list[NearbyPublic]:
    """The public positions nearest to a point given in `crs` (a phone's GPS is WGS-84; spec §10:
    searched unconverted it lands 300–600 m off), within `radius_m`, matching `filters` and, with
    `open_now`, open at `at` (default now, Asia/Shanghai), nearest first (ties by id; positions with
    an open closed/locked problem report after the others or left out, `_reported_last`), each with its
    public record: read once per position and index version, kept while the position does not
    change, so a repeated search reads no row (the public API's hot path, bench/finder_http.py)."""
    held, hits = _nearby_hits(
        lng=lng, lat=lat, crs=crs, radius_m=radius_m, limit=limit, filters=filters, open_now=open_now, at=at
    )
    records = public_records(held, [hit.position_id for hit in hits])
    return [NearbyPublic(**vars(hit), record=records[hit.position_id]) for hit in hits if hit.position_id in records]


def nearby_in_area(
    *,
    region_id: int,
    lng: float,
    lat: float,
    crs: CRS | str = CRS.WGS84,
    limit: int = DEFAULT_LIMIT,
    filters: index.Filters | None = None,
    open_now: bool = False,
    at: datetime | None = None,
) -> list[NearbyPublic]:
    """The public positions inside an area (a district, a city, a unit's custom area: issue 14 §5)
    nearest to a point given in `crs` first (the worker's location, or a point inside the area), as
    `nearby` answers them but bounded by the area's outline instead of a circle, so a long or bent
    district neither loses its far end nor takes in its neighbour's stations. An area without an
    outline holds nothing."""
    check_point(lng, lat)
    check_limit(limit)
    area = region_shape(region_id)
    if area is None:
        return []
    at = at or timezone.now()
    gcj_lng, gcj_lat = to_gcj02(lng, lat, crs)
    held = index.current_index()
    found = _reported_last(
        lambda f, n: held.inside(area, gcj_lng, gcj_lat, limit=n, filters=f, open_now=open_now, at=at),
        filters or index.Filters(),
        limit,
        held.is_reported,
    )
    hits = _hits(held, found, at)
    records = public_records(held, [hit.position_id for hit in hits])
    return [NearbyPublic(**vars(hit), record=records[hit.position_id]) for hit in hits if hit.position_id in records]


def federation_roots() -> list[Region]:
    """The areas of the federations on this instance (the unit tree's roots), without outlines:
    where a geocoder is asked to look."""
    roots = Unit.objects.get_root_nodes().values_list("region_id", flat=True)
    return list(Region.objects.filter(pk__in=list(roots)).defer("boundary").order_by("adcode"))


# Public records kept per process (see `public_records`): ~0.5 KB each, so the default holds a
# national registry (130,000 positions, bench/finder_http.py) in ~65 MB; beyond it the least
# recently shown leave.
RECORD_MEMO_MAX = 200_000
_RECORD_MEMO = "public-records"
# What a record shows (the API's NearbyItemOut): nothing personal (spec §11).
RECORD_FIELDS = (
    "id", "code", "lng", "lat", "official_name", "short_name", "kind", "state", "state_reason", "expected_reopen_on",
    "address", "always_open", "facilities_text", "abilities_text", "public_phone", "entry_method", "no_app_needed",
    "star_rating", "star_rated_on",
)  # fmt: skip


def public_records(held: index.PositionIndex, pks: list[int]) -> dict[int, PublicRecord]:
    """The public records of `pks` as the index's version holds them (positions no longer public
    are left out), read once per position and version: every write to a position, by any process,
    makes the next index version leave that position's record out (the database's change feed,
    index.current_index), so a record held is what the database holds until then."""
    memo = held.memo(_RECORD_MEMO, RECORD_MEMO_MAX)
    found = memo.get_many(pks)
    missing = [pk for pk in pks if pk not in found]
    if missing:
        sql, fixed = _records_sql(len(missing))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*fixed, *missing])
            loaded = {row[0]: _public_record(row) for row in cursor.fetchall()}
        memo.put_many(loaded)
        found.update(loaded)
    return found


def _public_record(values: tuple) -> PublicRecord:
    """A record from a row of RECORD_FIELDS as the database driver gives it (JSON as text; SQLite
    gives booleans as 0/1 and dates as text)."""
    row = dict(zip(RECORD_FIELDS, values, strict=True))
    suspended = row["state"] == PositionState.SUSPENDED
    fields = {
        "id": row["id"],
        "code": row["code"],
        "name": row["official_name"],
        "short_name": row["short_name"],
        "kind": row["kind"],
        "state": row["state"],
        "state_reason": row["state_reason"] if suspended else None,
        "expected_reopen_on": str(row["expected_reopen_on"]) if suspended and row["expected_reopen_on"] else None,
        "address": row["address"],
        "always_open": bool(row["always_open"]),
        "facilities": json.loads(row["facilities_text"]) if row["facilities_text"] else [],
        "abilities": json.loads(row["abilities_text"]) if row["abilities_text"] else [],
        "public_phone": row["public_phone"],
        "entry_method": row["entry_method"],
        "no_app_needed": bool(row["no_app_needed"]),
        "stars": int(row["star_rating"]) if row["star_rating"] else None,
        # The date the stars were rated (spec §4: the finder shows the current stars and their date).
        "stars_rated_on": str(row["star_rated_on"]) if row["star_rating"] and row["star_rated_on"] else None,
    }
    members = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))[1:-1]
    return PublicRecord(row["lng"], row["lat"], members.encode())


@functools.lru_cache(maxsize=64)
def _records_sql(n: int) -> tuple[str, tuple]:
    """The query of `n` public records compiled once per n, as (SQL, the parameters before the
    keys): on the public API's hot path Django's query compiler cost more than the query itself
    (bench/finder_http.py). The keys are the last n parameters."""
    rows = (
        Position.objects.public()
        .annotate(facilities_text=Cast("facilities", TextField()), abilities_text=Cast("abilities", TextField()))
        .filter(pk__in=range(-n, 0))
        .values_list(*RECORD_FIELDS)
    )
    sql, params = rows.query.sql_with_params()
    if list(params[len(params) - n :]) != list(range(-n, 0)):
        raise RuntimeError("the public records query no longer ends with its keys")
    return sql, tuple(params[: len(params) - n])


def public_position_pk(code: str) -> int | None:
    """The id of the public position with this code (spec §2: operating or suspended), or None."""
    return Position.objects.public().filter(code=code).values_list("pk", flat=True).first()


def public_points(*, west: float, south: float, east: float, north: float, limit: int) -> list[tuple]:
    """(code, official name, short name, state, lng, lat) of at most `limit` public positions in
    a GCJ-02 box, for the map's clustered layer."""
    rows = Position.objects.public().filter(lng__range=(west, east), lat__range=(south, north))
    return list(rows.values_list("code", "official_name", "short_name", "state", "lng", "lat")[:limit])


def federation_areas() -> QuerySet[Region]:
    """The administrative areas of the federations on this instance (the unit tree's roots) that
    have a boundary: what the public map outlines even without a tile server."""
    roots = Unit.objects.get_root_nodes().values_list("region_id", flat=True)
    return Region.objects.filter(pk__in=list(roots), boundary__isnull=False).defer("boundary")


@dataclass(frozen=True)
class PublicPosition:
    position: Position
    opening: OpeningStatus
    exceptions: list[HoursException]  # today's and later ones, by date


def public_position_get(pk: int, at: datetime | None = None) -> PublicPosition:
    """One public position with its opening at `at` (default now) and its coming hours
    exceptions, or NotFoundError (404) for planned, building and delisted ones, the same answer
    as for an id that does not exist."""
    position = Position.objects.public().prefetch_related("hours_exceptions").filter(pk=pk).first()
    if position is None:
        raise NotFoundError(str(POSITION_NOT_PUBLIC))
    at = at or timezone.now()
    today = at.astimezone(SHANGHAI).date()
    coming = sorted((e for e in position.hours_exceptions.all() if e.end >= today), key=lambda e: (e.start, e.pk))
    return PublicPosition(position, position_opening(position, at), coming)
