"""Reads of the public finder (issue 4). The public has no actor: these read only what
`Position.objects.public()` holds (operating and suspended positions), and callers show no
personal data from them (no manager name or phone, spec §11)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import NotFoundError
from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.finder import index
from yizhan.finder.params import DEFAULT_LIMIT, DEFAULT_RADIUS_M, check_limit, check_point, check_radius
from yizhan.finder.walking import walk_minutes
from yizhan.positions.hours import SHANGHAI, OpeningStatus
from yizhan.positions.models import HoursException, Position
from yizhan.positions.selectors import position_opening

POSITION_NOT_PUBLIC = _("该服务阵地不存在或未对公众开放")


@dataclass(frozen=True)
class NearbyResult:
    position: Position
    distance_m: float  # straight line (haversine), from the asked point
    walk_minutes: int  # spec §10 approximation: straight × detour factor at walking speed, rounded up
    opening: OpeningStatus


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
) -> list[NearbyResult]:
    """The public positions nearest to a point given in `crs` (a phone's GPS is WGS-84; spec §10:
    searched unconverted it lands 300–600 m off), within `radius_m`, matching `filters` and, with
    `open_now`, open at `at` (default now, Asia/Shanghai), nearest first (ties by id)."""
    check_point(lng, lat)
    check_radius(radius_m)
    check_limit(limit)
    filters = filters or index.Filters()
    at = at or timezone.now()
    gcj_lng, gcj_lat = to_gcj02(lng, lat, crs)
    held = index.current_index()
    hits = held.nearest(gcj_lng, gcj_lat, radius_m=radius_m, limit=limit, filters=filters, open_now=open_now, at=at)
    positions = _public_rows(held, [pk for pk, _d in hits])
    results = []
    for pk, distance in hits:
        position = positions.get(pk)
        if position is None:  # deleted since this version (positions are never deleted in service)
            continue
        results.append(NearbyResult(position, distance, walk_minutes(distance), held.opening(pk, at)))
    return results


# Loaded positions kept per index version (see `_public_rows`); beyond this many the least recently
# shown leave.
ROW_MEMO_MAX = 20_000
# What a nearby result shows (the API's NearbyItemOut, the public list): nothing personal, and ~2.9 KB
# a position against ~7 KB for a whole row (tracemalloc over 10,000): a full memo is ~57 MB a process.
NEARBY_FIELDS = (
    "id", "code", "kind", "official_name", "short_name", "state", "state_reason", "expected_reopen_on",
    "address", "lng", "lat", "always_open", "facilities", "abilities", "public_phone", "entry_method",
    "no_app_needed", "star_rating",
)  # fmt: skip
_ROW_MEMO = "nearby-rows"
_memo_lock = threading.Lock()


def _public_rows(held: index.PositionIndex, pks: list[int]) -> dict[int, Position]:
    """The positions of `pks` as the index's version holds them, read once per version: every
    write to a position makes a new index version (positions_changed), so a position loaded at
    this version is what the database holds until then. Results are read, never changed, by
    callers. Several server processes must share the cache (REDIS_URL) to see each other's writes,
    as for the index itself."""
    memo: OrderedDict[int, Position] = held.memo.setdefault(_ROW_MEMO, OrderedDict())
    with _memo_lock:  # a threaded server shares the memo; the work inside is a few dict operations
        found = {}
        for pk in pks:
            position = memo.get(pk)
            if position is not None:
                memo.move_to_end(pk)  # least recently shown positions leave first
                found[pk] = position
    missing = [pk for pk in pks if pk not in found]
    if missing:
        sql, fixed = _rows_sql(len(missing))
        loaded = {p.pk: p for p in Position.objects.raw(sql, [*fixed, *missing])}
        found.update(loaded)
        with _memo_lock:
            memo.update(loaded)
            while len(memo) > ROW_MEMO_MAX:
                memo.popitem(last=False)
    return {pk: found[pk] for pk in pks if pk in found}


@functools.lru_cache(maxsize=64)
def _rows_sql(n: int) -> tuple[str, tuple]:
    """`Position.objects.public().filter(pk__in=<n keys>)` compiled once per n, as (SQL, the
    parameters before the keys): on the public API's hot path Django's query compiler cost more than
    the query itself (bench/finder_http.py). The keys are the last n parameters."""
    rows = Position.objects.public().only(*NEARBY_FIELDS).filter(pk__in=range(-n, 0))
    sql, params = rows.query.sql_with_params()
    if list(params[len(params) - n :]) != list(range(-n, 0)):
        raise RuntimeError("the public rows query no longer ends with its keys")
    return sql, tuple(params[: len(params) - n])


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
