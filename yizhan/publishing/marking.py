"""Marking on map platforms by difference (issue 20 §4).

A clerk marks the stations of a unit's subtree on Amap or Baidu by uploading a batch file. Instead
of the whole registry each time, the difference since the last marking on that platform: what is
operating now compared with the points as last marked (`MapPoint`):
- new: operating, never marked (or marked and closed since);
- moved: more than MOVED_M from the marked point (`distance_m` on the stored GCJ-02 points);
- renamed: the official name differs;
- closed: marked, but no longer operating (suspended, delisted, deleted, or moved to a unit
  outside the subtree).
A station both moved and renamed is one row naming both. The files keep each platform's batch
layout (positions/exports/csv_maps.py: Amap GCJ-02, Baidu BD-09) with one column more, the change.

Recording a marking applies the difference to the marked points and keeps who, when, which
platform and what (`MapMarking`, audited). The download carries the difference's digest; a record
that names it is refused when the difference changed in between (someone moved a station after
the clerk downloaded), so the marked points are exactly what was uploaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record
from yizhan.core.errors import ConflictError
from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.core.models import AuditAction
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require, require_in_scope
from yizhan.orgs.models import Unit
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.exports import csv_maps
from yizhan.positions.exports.common import COORDINATE_DIGITS, hours_text
from yizhan.positions.models import Position
from yizhan.publishing.choices import MapPlatform, MarkingChange
from yizhan.publishing.models import MapMarking, MapPoint

MOVED_M = 20.0
DIFFERENCE_CHANGED = _("导出差异之后又有阵地变化，请重新下载差异文件、上传后再记录")
CLOSED_STATE = {PositionState.SUSPENDED: "暂停服务", PositionState.DELISTED: "已摘牌"}
DELETED_STATE = "已删除"
MOVED_OUT_STATE = "已移出本单位范围"
EXPORT_REPR = "地图标注差异导出（{platform}）{count} 条"
CHANGE_HEADER = {MapPlatform.AMAP: "变更", MapPlatform.BAIDU: "change"}


@dataclass(frozen=True)
class Difference:
    position: Position | None  # None for a closed point whose position is gone or not operating
    point: MapPoint | None
    changes: tuple[str, ...]
    state_label: str = ""

    @property
    def code(self) -> str:
        return self.position.code if self.position is not None else self.point.code


# Two points less than this far apart in both latitude and longitude (degrees) are less than
# MOVED_M apart: 0.00009° is at most 10 m either way, so at most 14.2 m together. Only points
# differing by more in one of them are measured (`distance_m`), so the database filters first.
NEAR_DEGREES = 0.00009


def _operating(unit: Unit):
    return Position.objects.filter(unit__path__startswith=unit.path, state=PositionState.OPERATING)


def _marked(unit: Unit, platform: str):
    return MapPoint.objects.filter(platform=platform, unit_path__startswith=unit.path)


def _changed_candidates(unit: Unit, platform: str):
    """Marked points of operating positions whose name differs or that moved more than the near
    box: a superset of the moved and renamed ones, found by the database."""
    here = _operating(unit).filter(pk=OuterRef("position_id"))
    return (
        _marked(unit, platform)
        .annotate(
            now_lng=Subquery(here.values("lng")[:1]),
            now_lat=Subquery(here.values("lat")[:1]),
            now_name=Subquery(here.values("official_name")[:1]),
        )
        .filter(now_name__isnull=False)
        .filter(
            ~Q(name=F("now_name"))
            | Q(lng__gt=F("now_lng") + NEAR_DEGREES)
            | Q(lng__lt=F("now_lng") - NEAR_DEGREES)
            | Q(lat__gt=F("now_lat") + NEAR_DEGREES)
            | Q(lat__lt=F("now_lat") - NEAR_DEGREES)
        )
    )


def _changes(point: MapPoint, position: Position) -> tuple[str, ...]:
    changes = []
    if distance_m(point.lng, point.lat, position.lng, position.lat) > MOVED_M:
        changes.append(MarkingChange.MOVED)
    if point.name != position.official_name:
        changes.append(MarkingChange.RENAMED)
    return tuple(changes)


def difference(*, unit: Unit, platform: str) -> list[Difference]:
    """The rows to upload to `platform` for the operating positions of `unit`'s subtree, ordered
    by code. The database finds the candidates (never marked, no longer operating here, renamed
    or moved beyond the near box); only those are read and checked."""
    marked_here = _marked(unit, platform).filter(position_id=OuterRef("pk"))
    new = _operating(unit).filter(~Exists(marked_here)).select_related("unit")
    rows = [Difference(position, None, (MarkingChange.NEW,)) for position in new]
    candidates = list(_changed_candidates(unit, platform))
    positions = _operating(unit).select_related("unit").in_bulk([c.position_id for c in candidates])
    for point in candidates:
        position = positions[point.position_id]
        changes = _changes(point, position)
        if changes:
            rows.append(Difference(position, point, changes))
    still = _operating(unit).filter(pk=OuterRef("position_id"))
    gone = list(_marked(unit, platform).filter(~Exists(still)))
    states = dict(Position.objects.filter(pk__in=[m.position_id for m in gone]).values_list("pk", "state"))
    for point in gone:
        state = states.get(point.position_id)
        if state is None:
            label = DELETED_STATE
        elif state == PositionState.OPERATING:
            label = MOVED_OUT_STATE
        else:
            label = CLOSED_STATE.get(state, DELETED_STATE)
        rows.append(Difference(None, point, (MarkingChange.CLOSED,), label))
    return sorted(rows, key=lambda d: d.code)


def out_of_date_count(*, unit: Unit, platform: str) -> int:
    """How many rows the difference has, counted by the database but for the few candidates of
    moved or renamed whose distance is measured: cheap enough for the 工作台."""
    marked_here = _marked(unit, platform).filter(position_id=OuterRef("pk"))
    new = _operating(unit).filter(~Exists(marked_here)).count()
    still = _operating(unit).filter(pk=OuterRef("position_id"))
    gone = _marked(unit, platform).filter(~Exists(still)).count()
    candidates = list(_changed_candidates(unit, platform))
    changed = sum(
        1 for c in candidates if c.name != c.now_name or distance_m(c.lng, c.lat, c.now_lng, c.now_lat) > MOVED_M
    )
    return new + gone + changed


def difference_digest(rows: list[Difference]) -> str:
    text = "\n".join(
        f"{d.code}:{','.join(d.changes)}:{d.position.lng if d.position else ''}:"
        f"{d.position.lat if d.position else ''}:{d.position.official_name if d.position else ''}"
        for d in rows
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _change_label(d: Difference) -> str:
    return "、".join(str(MarkingChange(c).label) for c in d.changes)


def _point(lng: float, lat: float, platform: str) -> tuple[float, float]:
    out = from_gcj02(lng, lat, CRS.GCJ02 if platform == MapPlatform.AMAP else CRS.BD09)
    return round(out[0], COORDINATE_DIGITS), round(out[1], COORDINATE_DIGITS)


def _amap_row(d: Difference) -> list:
    if d.position is not None:
        p = d.position
        lng, lat = _point(p.lng, p.lat, MapPlatform.AMAP)
        kind = str(PositionKind(p.kind).label)
        state = str(PositionState(p.state).label)
        return [
            p.official_name,
            lng,
            lat,
            p.address,
            p.public_phone,
            kind,
            state,
            hours_text(p),
            p.code,
            _change_label(d),
        ]
    m = d.point
    lng, lat = _point(m.lng, m.lat, MapPlatform.AMAP)
    return [m.name, lng, lat, "", "", "", d.state_label, "", m.code, _change_label(d)]


def _baidu_row(d: Difference) -> list:
    coord_type = csv_maps.BAIDU_COORD_TYPE_BD09LL
    if d.position is not None:
        p = d.position
        lng, lat = _point(p.lng, p.lat, MapPlatform.BAIDU)
        kind = str(PositionKind(p.kind).label)
        state = str(PositionState(p.state).label)
        return [
            p.official_name, p.address, lng, lat, coord_type, kind, p.code, p.public_phone, hours_text(p), state,
            _change_label(d),
        ]  # fmt: skip
    m = d.point
    lng, lat = _point(m.lng, m.lat, MapPlatform.BAIDU)
    return [m.name, "", lng, lat, coord_type, "", m.code, "", "", d.state_label, _change_label(d)]


def difference_csv(rows: list[Difference], platform: str) -> bytes:
    """The difference in the platform's batch layout, with the change as the last column."""
    headers = csv_maps.AMAP_HEADERS if platform == MapPlatform.AMAP else csv_maps.BAIDU_HEADERS
    render = _amap_row if platform == MapPlatform.AMAP else _baidu_row
    return csv_maps._csv_bytes([*headers, CHANGE_HEADER[MapPlatform(platform)]], (render(d) for d in rows))


def marking_difference(*, actor: Actor, unit: Unit, platform: str) -> list[Difference]:
    """The difference of a unit in the actor's reach (to show it)."""
    require(actor, Action.VIEW, MapMarking)
    require_in_scope(actor, unit)
    return difference(unit=unit, platform=MapPlatform(platform))


@dataclass(frozen=True)
class DifferenceFile:
    content: bytes
    filename: str
    rows: int
    digest: str


@transaction.atomic
def marking_difference_export(*, actor: Actor, unit: Unit, platform: str) -> DifferenceFile:
    """The difference as the platform's batch file, with one EXPORT audit entry."""
    require(actor, Action.EXPORT, MapMarking)
    require_in_scope(actor, unit)
    platform = MapPlatform(platform)
    rows = difference(unit=unit, platform=platform)
    digest = difference_digest(rows)
    audit_record(
        action=AuditAction.EXPORT,
        object_type=MapMarking._meta.label_lower,
        object_repr=EXPORT_REPR.format(platform=platform.label, count=len(rows)),
        unit_path=unit.path,
        unit_name=unit.name,
        after={"platform": platform, "unit": unit.code, "rows": len(rows), "digest": digest},
    )
    stamp = timezone.localdate().isoformat()
    return DifferenceFile(
        content=difference_csv(rows, platform),
        filename=f"map-difference-{platform}-{unit.code}-{stamp}.csv",
        rows=len(rows),
        digest=digest,
    )


@transaction.atomic
def map_marking_record(*, actor: Actor, unit: Unit, platform: str, expected_digest: str = "") -> MapMarking:
    """Record that the difference was uploaded to `platform`: the marked points follow it, and the
    marking (who, when, what) is kept and audited. With `expected_digest` (the downloaded file's),
    refused when the difference is no longer that one."""
    require(actor, Action.CREATE, MapMarking)
    require_in_scope(actor, unit)
    platform = MapPlatform(platform)
    # One marking of a subtree at a time: the unit's row is the lock.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    rows = difference(unit=unit, platform=platform)
    if expected_digest and expected_digest != difference_digest(rows):
        raise ConflictError(DIFFERENCE_CHANGED)
    counts: dict[str, int] = {}
    for d in rows:
        for change in d.changes:
            counts[change] = counts.get(change, 0) + 1
    marking = MapMarking(
        unit=unit,
        platform=platform,
        marked_by=actor.user.username,
        rows=len(rows),
        counts=counts,
        codes=[d.code for d in rows],
    )
    marking.save()
    closed = [d.point.position_id for d in rows if d.position is None]
    MapPoint.objects.filter(platform=platform, position_id__in=closed).delete()
    for d in rows:
        if d.position is None:
            continue
        p = d.position
        MapPoint.objects.update_or_create(
            platform=platform,
            position_id=p.pk,
            defaults={
                "code": p.code,
                "name": p.official_name,
                "lng": p.lng,
                "lat": p.lat,
                "unit_path": p.unit.path,
                "marking": marking,
            },
        )
    return marking
