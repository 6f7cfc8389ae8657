"""The in-process nearest-neighbour index of the public finder (issue 4 §1).

Public positions (operating and suspended; never planned, building or delisted, spec §2) as 3-D
unit vectors in a scipy cKDTree (the chord between unit vectors grows with the great-circle
distance, so the tree's order is the haversine order), with the filter fields packed into one
int64 of bits per position and the opening hours compiled for a cheap "open now" at query time.

Freshness comes from the database (issue 12 §1): triggers on positions, hours exceptions and
problem reports (an open "closed/locked" one is a bit of the row, issue 15 §4) write the changed
position ids to the change feed (core/changes.py) in the writing transaction, whoever
writes — a service's save, a bulk import, a restore, another process, raw SQL. Before it answers,
a process reads where the feed stands (one indexed read); when it moved, the process re-reads only
the positions changed since its index was read and patches the index (in place when the point did
not move, otherwise in a small brute-force overlay), and rebuilds everything when the feed says so
(a truncate or restore, changes pruned or rolled back) or when the changes are too many. Every
process, every worker and every thread sees a committed write at its next query, with or without
Redis; a transaction sees its own writes at once.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import shapely
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from scipy.spatial import cKDTree

from yizhan.core import changes
from yizhan.core.geo.distance import EARTH_RADIUS_M, distance_m
from yizhan.core.hours import SHANGHAI, WEEKDAYS, HoursOverride, OpeningStatus, opening_status
from yizhan.ledger.selectors import CLOSED_KINDS, open_closed_reports
from yizhan.positions.choices import PUBLIC_STATES, Ability, Facility, PositionKind, PositionState, ServedGroup
from yizhan.positions.models import HoursException, Position

# One int64 of bits per position: what it has (all-of filters), its kind (one-hot), its state.
_FIELDS = [Facility.values, Ability.values, ServedGroup.values, PositionKind.values, list(PUBLIC_STATES)]
_STARTS = [sum(len(values) for values in _FIELDS[:i]) for i in range(len(_FIELDS) + 1)]
# Then, from the ledger (issue 15 §4): one bit per kind of open "closed/locked" problem report, and
# one for none of them (what the finder's "hide" asks for, YIZHAN_FINDER_REPORTED_CLOSED).
if _STARTS[-1] + len(CLOSED_KINDS) + 1 > 63:
    raise RuntimeError("the finder's filter fields no longer fit one int64")
FACILITY_BITS, ABILITY_BITS, GROUP_BITS, KIND_BITS, STATE_BITS = (
    {value: 1 << (start + i) for i, value in enumerate(values)} for start, values in zip(_STARTS, _FIELDS, strict=False)
)
REPORTED_BITS = {kind: 1 << (_STARTS[-1] + i) for i, kind in enumerate(CLOSED_KINDS)}
UNREPORTED_BIT = 1 << (_STARTS[-1] + len(CLOSED_KINDS))
OPERATING_BIT = STATE_BITS[PositionState.OPERATING]
SUSPENDED_BIT = STATE_BITS[PositionState.SUSPENDED]

# The first tree query asks for enough neighbours that the filters likely leave the limit (at
# least FIRST_K), grows ×GROWTH while they do not, and past BALL_K takes every point within the
# radius at once.
FIRST_K = 16
OPEN_SHARE_GUESS = 1.25  # 1 ÷ the share of matching positions guessed open now (80 %)
GROWTH = 4
BALL_K = 4096
# Moved or new positions wait in a brute-force overlay until the next rebuild.
OVERLAY_MAX = 2048
# Distances (m) closer than this to the farthest fetched neighbour count as possible ties: the
# tree (chord) and the haversine may order points that close differently.
TIE_MARGIN_M = 1e-3

NOT_OPERATING = OpeningStatus(False, None, None)  # suspended: closed, with no time to show

# The change feed's topic of the positions whose index rows or public records may have changed
# (finder/apps.py registers the tables that write it).
TOPIC = "finder.position"
# A process more changed positions behind than this rebuilds instead of patching.
MAX_PATCH_ENTRIES = 200


@dataclass(frozen=True)
class Filters:
    """What the finder filters on (all optional): facilities and abilities all-of, one kind, one
    served group, and whether suspended positions (shown greyed, spec §2) are included."""

    facilities: tuple[str, ...] = ()
    abilities: tuple[str, ...] = ()
    kind: str = ""
    group: str = ""
    include_suspended: bool = True
    unreported_only: bool = False  # leave out positions with an open closed/locked problem report


def _bits(values: Iterable[str], table: dict[str, int]) -> int:
    bits = 0
    for value in values:
        bits |= table.get(value, 0)
    return bits


@functools.lru_cache(maxsize=1024)
def _required_bits(filters: Filters, open_now: bool) -> tuple[int, int]:
    """(bits a match must all have, bits of which it must have one: its allowed states)."""
    unknown = [
        value
        for values, table in (
            (filters.facilities, FACILITY_BITS),
            (filters.abilities, ABILITY_BITS),
            ((filters.group,) if filters.group else (), GROUP_BITS),
            ((filters.kind,) if filters.kind else (), KIND_BITS),
        )
        for value in values
        if value not in table
    ]
    if unknown:
        raise ValueError(f"unknown filter values: {unknown}")
    need = _bits(filters.facilities, FACILITY_BITS) | _bits(filters.abilities, ABILITY_BITS)
    if filters.group:
        need |= GROUP_BITS[filters.group]
    if filters.kind:
        need |= KIND_BITS[filters.kind]
    if filters.unreported_only:
        need |= UNREPORTED_BIT
    # Only an operating position can be open (hours.opening_status).
    states = OPERATING_BIT if open_now or not filters.include_suspended else OPERATING_BIT | SUSPENDED_BIT
    return need, states


# --- Opening hours, compiled ----------------------------------------------------------------------


def _minute(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _spans(intervals) -> tuple[tuple[int, int], ...]:
    """Minute spans [start, end) of one day; an end at or before the start runs past midnight."""
    spans = []
    for start_text, end_text in intervals:
        start, end = _minute(start_text), _minute(end_text)
        spans.append((start, end if end > start else end + 1440))
    return tuple(spans)


@dataclass(frozen=True, eq=False)
class CompiledHours:
    """A position's hours, ready for "open now" at any moment without parsing: per weekday its
    spans and the ends of the previous day's spans that run past midnight. Dated exceptions that
    touch the asked day (or the day before, for overnight spans) take the exact path,
    `hours.opening_status`, which the fast path agrees with everywhere else."""

    always_open: bool
    schedule: dict
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    spill: tuple[tuple[int, ...], ...]
    exceptions: tuple[HoursOverride, ...]

    @classmethod
    def compile(cls, always_open: bool, schedule: dict, exceptions: tuple[HoursOverride, ...]) -> CompiledHours:
        weekly = tuple(_spans(schedule.get(day, [])) for day in WEEKDAYS)
        spill = tuple(tuple(end - 1440 for _start, end in weekly[(d - 1) % 7] if end > 1440) for d in range(7))
        return cls(always_open, schedule, weekly, spill, exceptions)

    def is_open(self, at: datetime, day: date, weekday: int, minute: float) -> bool:
        """Open at `at`, whose Asia/Shanghai date, weekday and minute of the day are given."""
        if self.exceptions:
            yesterday = day - timedelta(days=1)
            if any(e.start <= day and e.end >= yesterday for e in self.exceptions):
                status = opening_status(
                    at=at,
                    schedule=self.schedule,
                    exceptions=list(self.exceptions),
                    always_open=self.always_open,
                    operating=True,
                )
                return status.is_open
        if self.always_open:
            return True
        for start, end in self.weekly[weekday]:
            if start <= minute < end:
                return True
        return any(minute < end for end in self.spill[weekday])


class _HoursInterner:
    """Positions without exceptions that share their hours share one compiled object (a national
    registry has a handful of distinct schedules), which keeps the index small and lets one query
    decide "open now" once per schedule."""

    def __init__(self):
        self._shared: dict[tuple[bool, str], CompiledHours] = {}

    def get(self, always_open: bool, schedule_text: str, exceptions: tuple[HoursOverride, ...]) -> CompiledHours:
        if exceptions:
            return CompiledHours.compile(always_open, json.loads(schedule_text), exceptions)
        key = (always_open, schedule_text)
        compiled = self._shared.get(key)
        if compiled is None:
            compiled = self._shared[key] = CompiledHours.compile(always_open, json.loads(schedule_text), ())
        return compiled


class _Clock:
    """The asked moment in Asia/Shanghai, and "open now" decided once per compiled hours."""

    def __init__(self, at: datetime):
        self.at = at
        local = at.astimezone(SHANGHAI)
        self.day = local.date()
        self.weekday = local.weekday()
        self.minute = local.hour * 60 + local.minute + local.second / 60
        self._seen: dict[int, bool] = {}

    def is_open(self, hours: CompiledHours) -> bool:
        known = self._seen.get(id(hours))
        if known is None:
            known = self._seen[id(hours)] = hours.is_open(self.at, self.day, self.weekday, self.minute)
        return known


# --- Rows and segments ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    lng: float
    lat: float
    attrs: int
    hours: CompiledHours


def _load_rows(position_ids: list[int] | None) -> list[_Row]:
    """Public positions (all of them, or those of `position_ids` that are public) as index rows.

    The JSON lists and schedules are read as text and decoded once per distinct text: a registry
    repeats a few thousand combinations over its rows, and decoding every row's four JSON
    columns was most of a rebuild's time."""
    positions = Position.objects.public()
    exceptions = HoursException.objects.filter(position__state__in=PUBLIC_STATES)
    if position_ids is not None:
        positions = positions.filter(pk__in=position_ids)
        exceptions = exceptions.filter(position_id__in=position_ids)
    reported = {pk: _bits(kinds, REPORTED_BITS) for pk, kinds in open_closed_reports(position_ids=position_ids).items()}
    by_position: dict[int, list[HoursOverride]] = {}
    for position_id, start, end, closed, intervals in exceptions.values_list(
        "position_id", "start", "end", "closed", "intervals"
    ).order_by("start", "pk"):
        by_position.setdefault(position_id, []).append(HoursOverride(start, end, closed, intervals))
    as_text = {f"{name}_text": Cast(name, TextField()) for name in ("facilities", "abilities", "served_groups")}
    as_text["weekly_hours_text"] = Cast("weekly_hours", TextField())
    # Per column: its text → its bits (columns repeat far more than whole rows do).
    memo: tuple[dict[str | None, int], ...] = ({}, {}, {})
    tables = (FACILITY_BITS, ABILITY_BITS, GROUP_BITS)
    interner = _HoursInterner()
    rows = []
    for pk, lng, lat, kind, state, *lists, always_open, weekly in (
        positions.annotate(**as_text)
        .values_list(
            "pk",
            "lng",
            "lat",
            "kind",
            "state",
            "facilities_text",
            "abilities_text",
            "served_groups_text",
            "always_open",
            "weekly_hours_text",
        )
        .order_by("pk")
    ):
        attrs = KIND_BITS.get(kind, 0) | STATE_BITS[state] | (reported.get(pk) or UNREPORTED_BIT)
        for text, known, table in zip(lists, memo, tables, strict=True):
            bits = known.get(text)
            if bits is None:
                bits = known[text] = _bits(json.loads(text) if text else (), table)
            attrs |= bits
        hours = interner.get(always_open, weekly or "{}", tuple(by_position.get(pk, ())))
        rows.append(_Row(pk, lng, lat, attrs, hours))
    return rows


def _unit_vectors(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lng), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord(radius_m: float) -> float:
    """The chord between unit vectors `radius_m` apart on the sphere, padded so that points the
    haversine puts exactly on the radius are never left out by rounding."""
    angle = min(radius_m / EARTH_RADIUS_M, math.pi)
    return 2 * math.sin(angle / 2) * (1 + 1e-9) + 1e-12


def _haversine_m(lng: float, lat: float, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """`distance_m` from one point to many, vectorised (the same formula)."""
    p1, p2 = math.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lngs - lng) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _arc_m(chord: float) -> float:
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2))


class _Segment:
    """Positions by slot: their rows (read one by one on the hot path, cheaper than numpy on a few
    dozen candidates), and as arrays the ids, attribute bits and unit vectors (for whole-segment
    work), with a tree for the main segment, brute force for the overlay."""

    def __init__(self, rows: list[_Row], *, with_tree: bool):
        self.rows = rows
        self.ids = np.fromiter((r.id for r in rows), dtype=np.int64, count=len(rows))
        self.id_list = self.ids.tolist()  # bisect on a list: a tenth of numpy's searchsorted for one id
        self.attrs = np.fromiter((r.attrs for r in rows), dtype=np.int64, count=len(rows))
        self.lng = np.fromiter((r.lng for r in rows), dtype=np.float64, count=len(rows))
        self.lat = np.fromiter((r.lat for r in rows), dtype=np.float64, count=len(rows))
        self.xyz = _unit_vectors(self.lng, self.lat) if rows else np.empty((0, 3))
        self.tree = cKDTree(self.xyz) if with_tree and rows else None

    def __len__(self) -> int:
        return len(self.rows)

    def copy_for_patch(self) -> _Segment:
        """A copy whose rows may change in place (the tree and coordinates are shared)."""
        clone = object.__new__(_Segment)
        clone.__dict__.update(self.__dict__)
        clone.rows = list(self.rows)
        clone.attrs = self.attrs.copy()
        return clone

    def replace(self, slot: int, row: _Row) -> None:
        self.rows[slot] = row
        self.attrs[slot] = row.attrs

    def slot_of(self, position_id: int) -> int | None:
        ids = self.id_list  # in ascending order
        slot = bisect.bisect_left(ids, position_id)
        return slot if slot < len(ids) and ids[slot] == position_id else None

    def matching_nearest_first(self, slots: np.ndarray, query: _Query) -> tuple[list[int], list[float]]:
        """Of many `slots` (a ball, the overlay), those whose bits match, ordered by their chord to
        the query point, with those chords (squared differences, not 2 − 2·dot: exactly 0 for the
        same point, as in the tree)."""
        attrs = self.attrs[slots]
        slots = slots[((attrs & query.need) == query.need) & ((attrs & query.states) != 0)]
        chords = np.sqrt(((self.xyz[slots] - np.array(query.xyz)) ** 2).sum(axis=1))
        within = chords <= query.chord
        slots, chords = slots[within], chords[within]
        order = np.argsort(chords, kind="stable")
        return slots[order].tolist(), chords[order].tolist()

    def accept(self, slots: list[int], chords: list[float], query: _Query, limit: int) -> list[tuple[float, int]]:
        """The first `limit` matches by (distance, id) among `slots`, given nearest first with their
        chords: bits, haversine, radius and "open now" one by one, until the rest are too far to
        enter."""
        rows, need, states, clock = self.rows, query.need, query.states, query.clock
        accepted: list[tuple[float, int]] = []
        # Beyond this chord nothing can enter any more: the radius, then the limit-th distance so far.
        bound = _chord(query.radius_m + TIE_MARGIN_M)
        for slot, chord in zip(slots, chords, strict=True):
            if chord > bound:
                break
            row = rows[slot]
            if (row.attrs & need) != need or not (row.attrs & states):
                continue
            d = distance_m(query.lng, query.lat, row.lng, row.lat)
            if d > query.radius_m or (clock is not None and not clock.is_open(row.hours)):
                continue
            accepted.append((d, row.id))
            if len(accepted) >= limit:
                accepted.sort()
                del accepted[limit:]
                bound = _chord(accepted[-1][0] + TIE_MARGIN_M)
        accepted.sort()
        return accepted


@dataclass
class _Query:
    lng: float
    lat: float
    xyz: tuple[float, float, float]
    radius_m: float
    chord: float
    need: int
    states: int
    clock: _Clock | None


class PositionMemo:
    """What a reader derived from positions, by position id, valid for an index version: every
    change to a position makes a new version, and `without` leaves out the positions that changed.
    Holds at most `max_size` entries; the least recently used leave first. Safe to share between
    the threads of a threaded server."""

    def __init__(self, max_size: int, entries: OrderedDict | None = None):
        self.max_size = max_size
        self._entries: OrderedDict = entries if entries is not None else OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, position_ids: Iterable[int]) -> dict:
        """The held entries of `position_ids` (those missing are left out), marked as used."""
        found = {}
        with self._lock:
            entries = self._entries
            for pk in position_ids:
                value = entries.get(pk)
                if value is not None:
                    entries.move_to_end(pk)
                    found[pk] = value
        return found

    def put_many(self, values: dict) -> None:
        with self._lock:
            self._entries.update(values)
            while len(self._entries) > self.max_size:
                self._entries.popitem(last=False)

    def without(self, position_ids: Iterable[int]) -> PositionMemo:
        """A copy without `position_ids` (for the next index version)."""
        with self._lock:
            entries = OrderedDict(self._entries)
        for pk in position_ids:
            entries.pop(pk, None)
        return PositionMemo(self.max_size, entries)


class PositionIndex:
    """The index of one process at one version: a main segment with a tree and an overlay."""

    def __init__(self, main: _Segment, overlay: dict[int, _Row] | None = None):
        self.main = main
        self.overlay_rows = overlay or {}
        self.overlay = _Segment(list(self.overlay_rows.values()), with_tree=False)
        self._shares: dict[tuple[int, int], float] = {}
        self._openings: tuple[datetime | None, dict[CompiledHours, OpeningStatus]] = (None, {})
        # What readers derive from positions (selectors keep public records here), by name: a
        # patched index carries each over without the positions that changed, a rebuilt one
        # starts empty.
        self.memos: dict[str, PositionMemo] = {}

    @classmethod
    def build(cls) -> PositionIndex:
        return cls(_Segment(_load_rows(None), with_tree=True))

    def __len__(self) -> int:
        return int(np.count_nonzero(self.main.attrs & (OPERATING_BIT | SUSPENDED_BIT))) + len(self.overlay)

    def patched(self, rows: list[_Row], position_ids: Iterable[int]) -> PositionIndex:
        """A new index where `position_ids` are as in `rows` (those missing are no longer public)."""
        by_id = {row.id: row for row in rows}
        main = self.main.copy_for_patch()
        overlay = dict(self.overlay_rows)
        for pk in position_ids:
            row = by_id.get(pk)
            overlay.pop(pk, None)
            slot = main.slot_of(pk)
            if slot is not None:
                held = main.rows[slot]
                if row is not None and (row.lng, row.lat) == (held.lng, held.lat):
                    main.replace(slot, row)
                    continue
                main.replace(slot, dataclasses.replace(held, attrs=0))  # gone from this slot: no state bit matches
            if row is not None:
                overlay[pk] = row
        index = PositionIndex(main, overlay)
        index.memos = {name: memo.without(position_ids) for name, memo in self.memos.items()}
        return index

    def memo(self, name: str, max_size: int) -> PositionMemo:
        """The memo called `name` of this index (made on first use), holding at most `max_size`."""
        memo = self.memos.get(name)
        if memo is None:
            memo = self.memos.setdefault(name, PositionMemo(max_size))
        return memo

    def row(self, position_id: int) -> _Row | None:
        """The index row of a public position (None when it is not public at this version)."""
        row = self.overlay_rows.get(position_id)
        if row is not None:
            return row
        slot = self.main.slot_of(position_id)
        if slot is None:
            return None
        row = self.main.rows[slot]
        return row if row.attrs & (OPERATING_BIT | SUSPENDED_BIT) else None

    def is_reported(self, position_id: int) -> bool:
        """Whether a public position has an open closed/locked problem report at this version."""
        row = self.row(position_id)
        return row is not None and not row.attrs & UNREPORTED_BIT

    def reported(self, position_id: int) -> tuple[str, ...]:
        """The kinds of open closed/locked problem reports of a public position at this version."""
        row = self.row(position_id)
        if row is None or row.attrs & UNREPORTED_BIT:
            return ()
        return tuple(kind for kind, bit in REPORTED_BITS.items() if row.attrs & bit)

    def opening(self, position_id: int, at: datetime) -> OpeningStatus | None:
        """Open at `at`, closing or opening when (spec §2), from the hours and exceptions this index
        compiled: the same answer as `positions.rules.position_opening` on the stored row.

        Worked out once per compiled hours and minute: hours begin and end on whole minutes, so
        every second of a minute has the same answer, and positions sharing their hours share it."""
        row = self.row(position_id)
        if row is None:
            return None
        if not row.attrs & OPERATING_BIT:
            return NOT_OPERATING
        minute = at.replace(second=0, microsecond=0)
        held_minute, known = self._openings
        if held_minute != minute:
            known = {}
            self._openings = (minute, known)
        status = known.get(row.hours)
        if status is None:
            hours = row.hours
            status = known[hours] = opening_status(
                at=at,
                schedule=hours.schedule,
                exceptions=list(hours.exceptions),
                always_open=hours.always_open,
                operating=True,
            )
        return status

    def nearest(
        self,
        lng: float,
        lat: float,
        *,
        radius_m: float,
        limit: int,
        filters: Filters | None = None,
        open_now: bool = False,
        at: datetime | None = None,
    ) -> list[tuple[int, float]]:
        """The `limit` public positions nearest to the GCJ-02 point within `radius_m` that match
        `filters` (and are open at `at` when `open_now`), as (id, haversine metres) by distance
        then id. Filtering never loses results: the search widens until enough match or every
        position within the radius has been seen."""
        if limit <= 0 or radius_m < 0:
            return []
        need, states = _required_bits(filters or Filters(), open_now)
        lam, phi = math.radians(lng), math.radians(lat)
        query = _Query(
            lng=lng,
            lat=lat,
            xyz=(math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)),
            radius_m=radius_m,
            chord=_chord(radius_m),
            need=need,
            states=states,
            clock=_Clock(at or timezone.now()) if open_now else None,
        )
        found = self._search_main(query, limit)
        if len(self.overlay):
            found += self._search_overlay(query, limit)
            found.sort()
        return [(pk, d) for d, pk in found[:limit]]

    def inside(
        self,
        area,
        lng: float,
        lat: float,
        *,
        limit: int,
        filters: Filters | None = None,
        open_now: bool = False,
        at: datetime | None = None,
    ) -> list[tuple[int, float]]:
        """The `limit` public positions inside `area` (a shapely geometry in GCJ-02, its edge
        included: an area search, issue 14 §5) that match `filters` (and are open at `at` when
        `open_now`), nearest to the GCJ-02 point first, as (id, haversine metres) by distance then
        id. No radius: the area is the bound, however far from round it is.

        The area's bounding box and the filter bits narrow the positions with numpy, shapely tests
        the rest against the area in one call, and only the nearest few are checked one by one."""
        if limit <= 0:
            return []
        need, states = _required_bits(filters or Filters(), open_now)
        min_lng, min_lat, max_lng, max_lat = area.bounds
        candidates: list[tuple[np.ndarray, list[_Row]]] = []
        for segment in (self.main, self.overlay):
            if not len(segment):
                continue
            attrs = segment.attrs
            in_box = (
                ((attrs & need) == need)
                & ((attrs & states) != 0)
                & (segment.lng >= min_lng)
                & (segment.lng <= max_lng)
                & (segment.lat >= min_lat)
                & (segment.lat <= max_lat)
            )
            slots = np.flatnonzero(in_box)
            if len(slots):
                slots = slots[shapely.intersects_xy(area, segment.lng[slots], segment.lat[slots])]
            if len(slots):
                distances = _haversine_m(lng, lat, segment.lng[slots], segment.lat[slots])
                candidates.append((distances, [segment.rows[slot] for slot in slots.tolist()]))
        if not candidates:
            return []
        distances = np.concatenate([d for d, _rows in candidates])
        rows = [row for _d, segment_rows in candidates for row in segment_rows]
        clock = _Clock(at or timezone.now()) if open_now else None
        accepted: list[tuple[float, int]] = []
        bound = math.inf
        for i in np.argsort(distances, kind="stable").tolist():
            if distances[i] > bound:
                break
            row = rows[i]
            if clock is not None and not clock.is_open(row.hours):
                continue
            accepted.append((distance_m(lng, lat, row.lng, row.lat), row.id))
            if len(accepted) == limit:
                # Beyond the limit-th only an equal distance (numpy's and math's haversine may
                # differ in the last bits) could still enter, with a lower id.
                bound = max(d for d, _pk in accepted) + TIE_MARGIN_M
        accepted.sort()
        return [(pk, d) for d, pk in accepted[:limit]]

    def _first_k(self, query: _Query, limit: int) -> int:
        """Enough neighbours that the filters will likely leave `limit`: from the share of
        positions whose bits match (counted once per filter and version) and, for "open now", a
        guess of the share open (a guess too high costs a second, larger tree query)."""
        key = (query.need, query.states)
        share = self._shares.get(key)
        if share is None:
            attrs = self.main.attrs
            matching = np.count_nonzero(((attrs & query.need) == query.need) & ((attrs & query.states) != 0))
            share = max(matching / max(len(attrs), 1), 1e-6)
            if len(self._shares) > 4096:  # filters come from the public: keep the memo bounded
                self._shares.clear()
            self._shares[key] = share
        expected = limit / share * (OPEN_SHARE_GUESS if query.clock is not None else 1)
        return max(FIRST_K, math.ceil(expected * 1.25) + 4)

    def _search_main(self, query: _Query, limit: int) -> list[tuple[float, int]]:
        segment = self.main
        n = len(segment)
        if segment.tree is None:
            return []
        k = min(n, self._first_k(query, limit))
        while True:
            if k > BALL_K:
                ball = np.asarray(segment.tree.query_ball_point(query.xyz, query.chord), dtype=np.intp)
                return segment.accept(*segment.matching_nearest_first(ball, query), query, limit)
            # k ≥ 2 keeps the answer a sequence (k > n pads with slot n at an infinite chord).
            chords, slots = segment.tree.query(query.xyz, k=max(k, 2), distance_upper_bound=query.chord)
            slots, chords = slots.tolist(), chords.tolist()
            complete = k >= n or slots[-1] == n  # every point within the radius was returned
            if slots[-1] == n:
                cut = slots.index(n)
                slots, chords = slots[:cut], chords[:cut]
            accepted = segment.accept(slots, chords, query, limit)
            if complete:
                return accepted
            # Points not fetched lie at least as far as the k-th: the answer is final when the
            # last accepted one is clearly nearer (equal distances could hide a lower id).
            if len(accepted) == limit and accepted[-1][0] < _arc_m(chords[-1]) - TIE_MARGIN_M:
                return accepted
            k = min(n, k * GROWTH)

    def _search_overlay(self, query: _Query, limit: int) -> list[tuple[float, int]]:
        segment = self.overlay
        return segment.accept(*segment.matching_nearest_first(np.arange(len(segment)), query), query, limit)


# --- Freshness: the database's change feed --------------------------------------------------------


@dataclass(frozen=True)
class _State:
    index: PositionIndex
    mark: changes.Mark  # where the change feed stood when the index was read


_lock = threading.Lock()
_state: _State | None = None  # the process's index of committed rows (read outside transactions)
_local = threading.local()  # .state: the index an open transaction of this thread sees


def current_index() -> PositionIndex:
    """This process's index, up to date with every committed write to positions and their hours
    exceptions, whoever made it: one read of the change feed (core/changes.py) when nothing
    changed, the changed positions re-read when a few did, a rebuild otherwise.

    Inside a transaction the index also holds that transaction's own writes, and is kept for this
    thread only (never shown to other threads, thrown away if the transaction rolls back)."""
    global _state
    connection = changes.connection_of_thread()
    mark = changes.latest(connection)
    if connection.in_atomic_block:
        return _in_transaction(mark)
    if getattr(_local, "state", None) is not None:
        _local.state = None
    state = _state
    if state is not None and state.mark == mark:
        return state.index
    with _lock:
        state = _state
        if state is None or state.mark != mark:
            # Labelled with `mark` even when another thread has meanwhile read a later one: the
            # changes in between are applied again by the next request, which is harmless.
            state = _state = _State(_advanced(state), mark)
        return state.index


def _in_transaction(mark: changes.Mark) -> PositionIndex:
    """The index this thread's open transaction sees: from the one it last saw (when the feed
    still holds its mark) or the process's, patched with what changed since, itself included."""
    private = getattr(_local, "state", None)
    if private is not None and private.mark == mark:
        return private.index
    index = None
    for base in (private, _state):
        if base is not None and (index := _patched(base)) is not None:
            break
    _local.state = _State(PositionIndex.build() if index is None else index, mark)
    return _local.state.index


def _advanced(base: _State | None) -> PositionIndex:
    """`base`'s index brought up to date (rows read now: a change after the mark just read may
    be read too and is applied again by a later request, which is harmless)."""
    index = _patched(base) if base is not None else None
    return PositionIndex.build() if index is None else index


def _patched(base: _State) -> PositionIndex | None:
    """`base`'s index with the positions changed since its mark re-read, or None when that is not
    possible or not worth it (the feed says start over, too many changed, the overlay grew larger
    than its limit or than the main segment's public positions)."""
    changed = changes.since(base.mark, TOPIC, limit=MAX_PATCH_ENTRIES)
    if changed is None:
        return None
    if not changed:
        return base.index
    ids = sorted(changed)
    index = base.index.patched(_load_rows(ids), ids)
    overlay = len(index.overlay)
    if overlay > OVERLAY_MAX or overlay > len(index) - overlay:
        return None
    return index


def nearest(
    lng: float,
    lat: float,
    *,
    radius_m: float,
    limit: int,
    filters: Filters | None = None,
    open_now: bool = False,
    at: datetime | None = None,
) -> list[tuple[int, float]]:
    """`PositionIndex.nearest` on this process's up-to-date index (GCJ-02 point)."""
    return current_index().nearest(lng, lat, radius_m=radius_m, limit=limit, filters=filters, open_now=open_now, at=at)
