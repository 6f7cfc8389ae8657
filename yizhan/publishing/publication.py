"""Keeping the published rows current with the registry (issue 20 §2).

The kernel's change feed (core/changes.py) tells which positions were written since a mark, by
anyone (services, imports, restores, raw SQL); it is pruned and carries no content, so partners do
not read it directly. `refresh()` reads it and republishes the positions it names: each position's
public record is built again and compared with the published one by digest; only a real
difference (or leaving or joining the public registry) takes the next feed number. Numbers are
given under the head's row lock inside one transaction, so they commit in order and never skip: a
reader that sees number n has seen every number below it. A poll with nothing new costs one read
of the kernel feed and one of the head (`latest()` equal to the mark held: nothing to do).

When the kernel feed cannot say what changed (the first refresh, a truncate or restore, more than
MAX_INCREMENTAL positions, a pruned mark) every position is compared: still only real differences
take numbers, so partners see no spurious changes. A unit's write (renamed, moved in the tree)
republishes the positions of its subtree.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from yizhan.core import changes
from yizhan.core.bulk import bulk_insert
from yizhan.orgs.models import Region, Unit
from yizhan.positions.models import HoursException, Position
from yizhan.publishing import records
from yizhan.publishing.models import PublicationHead, PublishedPosition

TOPIC = "publishing.position"  # positions and their hours exceptions, keyed by position id
UNIT_TOPIC = "publishing.unit"  # units, keyed by unit id
MAX_INCREMENTAL = 5_000
CHUNK = 2_000


# The head this thread last saw committed, with the kernel mark it was published up to. A mark
# names one state of the feed for good (SQLite's carries a random stamp per change, PostgreSQL's
# the feed's epoch, both new after a rollback, a restore or a re-created feed), and the head is
# written only by `refresh()` when the mark moves: while `changes.latest()` answers the held mark,
# the held head is the committed one, and a poll with nothing new skips reading it (issue 20's
# 304 in ≤ 2 ms, bench/publishing_feed.py). An empty feed's mark (0, …) names no state: not held.
_held = threading.local()


def _new_epoch() -> str:
    return secrets.token_hex(4)


def head() -> PublicationHead:
    """The head as committed (created on first use)."""
    found = PublicationHead.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PublicationHead.objects.create(pk=1, epoch=_new_epoch())
    except IntegrityError:
        return PublicationHead.objects.get(pk=1)


def refresh() -> PublicationHead:
    """Bring the published rows up to date and return the head; cheap when nothing changed."""
    connection = changes.connection_of_thread()
    if connection.in_atomic_block:  # its own uncommitted writes: nothing is held or reused
        return _refresh(tuple(changes.latest()))
    latest = tuple(changes.latest())
    held = getattr(_held, "head", None)
    if held is not None and held[0] == latest:
        return held[1]
    current = _refresh(latest)
    if latest[0] and tuple(current.mark) == latest:
        _held.head = (latest, current)
    return current


def _refresh(latest: tuple) -> PublicationHead:
    current = head()
    if current.mark and tuple(current.mark) == latest:
        return current
    with transaction.atomic():
        current = PublicationHead.objects.select_for_update().get(pk=1)
        mark = tuple(changes.latest())
        if current.mark and tuple(current.mark) == mark:
            return current
        ids = _changed_positions(tuple(current.mark)) if current.mark else None
        if _publish(current, ids):
            current.modified_at = timezone.now()
        current.mark = list(mark)
        current.save()
    return current


def _changed_positions(mark: tuple) -> set[int] | None:
    keys = changes.since(mark, TOPIC, limit=MAX_INCREMENTAL)
    units = changes.since(mark, UNIT_TOPIC, limit=MAX_INCREMENTAL)
    if keys is None or units is None:
        return None
    if units:
        paths = list(Unit.objects.filter(pk__in=units).values_list("path", flat=True))
        if paths:
            below = Q()
            for path in paths:
                below |= Q(unit__path__startswith=path)
            keys |= set(Position.objects.filter(below).values_list("pk", flat=True))
        # A deleted unit's positions are deleted with it or moved: their own rows say so.
    if len(keys) > MAX_INCREMENTAL:
        return None
    return keys


def _positions(ids: Iterable[int] | None) -> Iterator[tuple[Position, list[HoursException]]]:
    """The public positions (all, or those of `ids`) in order of id, each with its hours
    exceptions, read CHUNK at a time. Units and areas are few (hundreds) and shared by thousands
    of positions: each is read once and attached to its positions, instead of joined into every
    row and built again for each (the first publication of 186,000 positions spent most of its
    time there, bench/publishing_feed.py)."""
    queryset = Position.objects.public().order_by("pk")
    units: dict[int, Unit] = {}
    regions: dict[int, Region] = {}
    unit_field, region_field = Position._meta.get_field("unit"), Position._meta.get_field("region")
    wanted = sorted(ids) if ids is not None else None
    last, start = 0, 0
    while True:
        if wanted is None:
            chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
        else:
            chunk = list(queryset.filter(pk__in=wanted[start : start + CHUNK])) if start < len(wanted) else []
            start += CHUNK
        if not chunk:
            if wanted is None or start >= len(wanted):
                return
            continue
        last = chunk[-1].pk
        units.update(Unit.objects.in_bulk({p.unit_id for p in chunk} - units.keys()))
        missing = {p.region_id for p in chunk} - regions.keys()
        regions.update(
            Region.objects.select_related("parent__parent")
            .defer("boundary", "parent__boundary", "parent__parent__boundary")
            .in_bulk(missing)
        )
        exceptions: dict[int, list[HoursException]] = {}
        for exception in HoursException.objects.filter(position_id__in=[p.pk for p in chunk]).order_by(
            "position_id", "start", "pk"
        ):
            exceptions.setdefault(exception.position_id, []).append(exception)
        for position in chunk:
            unit_field.set_cached_value(position, units[position.unit_id])
            region_field.set_cached_value(position, regions[position.region_id])
            yield position, exceptions.get(position.pk, [])


def _former(before: tuple | None, now_at: int, former_at: int, value: str) -> str:
    """The value a row was published under before this one, kept until it changes again."""
    if before is None:
        return ""
    if before[now_at] != value:
        return before[now_at]
    return before[former_at]


def _publish(current: PublicationHead, ids: set[int] | None) -> bool:
    """Compare the positions `ids` (None: all) with their published rows and number the
    differences; True when any was numbered."""
    held = PublishedPosition.objects.all() if ids is None else PublishedPosition.objects.filter(position_id__in=ids)
    # position id → (digest, public, unit path, service id, former unit path, former service id)
    known = {
        row[0]: row[1:]
        for row in held.values_list(
            "position_id", "digest", "public", "unit_path", "service_id", "former_unit_path", "former_service_id"
        )
    }
    now = timezone.now()
    batch: list[PublishedPosition] = []
    seen: set[int] = set()
    written = 0
    for position, exceptions in _positions(ids):
        seen.add(position.pk)
        record = records.service_record(position, exceptions)
        digest = records.digest(record, position.unit.path)
        before = known.get(position.pk)
        if before is not None and before[0] == digest and before[1]:
            continue
        batch.append(
            PublishedPosition(
                position_id=position.pk,
                service_id=record["id"],
                organization_id=record["organization_id"],
                public=True,
                unit_path=position.unit.path,
                former_unit_path=_former(before, 2, 4, position.unit.path),
                former_service_id=_former(before, 3, 5, record["id"]),
                name=record["name"],
                status=record["status"],
                search_text=records.search_text(position),
                digest=digest,
                record=records.record_text(record),
                lng=position.lng,
                lat=position.lat,
                modified_at=now,
            )
        )
        if len(batch) >= CHUNK:
            written += _write(current, batch, known)
            batch = []
    gone = sorted(pk for pk, held_row in known.items() if held_row[1] and pk not in seen)
    for i in range(0, len(gone), CHUNK):
        tombstones = list(PublishedPosition.objects.filter(position_id__in=gone[i : i + CHUNK]))
        for row in tombstones:
            row.public, row.record = False, ""
            row.digest = records.digest(None, row.unit_path)
            row.modified_at = now
        batch.extend(tombstones)
    written += _write(current, batch, known)
    return written > 0


def _write(current: PublicationHead, rows: list[PublishedPosition], known: dict) -> int:
    """Number `rows` (new rows of positions, in order of position) after the head's number and
    store them. Written CHUNK at a time as they are built, so the first publication of 186,000
    positions holds one chunk of records in memory, not all of them."""
    for row in rows:
        current.seq += 1
        row.seq = current.seq
    # Rows that change are replaced (deleted and inserted again, in this transaction): one INSERT
    # per batch instead of UPDATEs with a CASE per column, several times faster for thousands;
    # written by core.bulk (executemany on SQLite, COPY on PostgreSQL): bulk_create spent more
    # compiling its statements than storing the rows.
    replaced = [row for row in rows if row.position_id in known]
    if replaced:
        PublishedPosition.objects.filter(position_id__in=[r.position_id for r in replaced]).delete()
        for row in replaced:
            row.pk = None
    bulk_insert(rows)
    return len(rows)
