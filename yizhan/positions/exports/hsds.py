"""Open Referral HSDS 3.0 JSON of positions (issue 3 §6).

Mapping:
- organization — each union unit that owns an exported position;
- location — the position's place (physical), latitude/longitude in WGS-84 as HSDS expects, with
  its address (no postal code is recorded: `postal_code` is empty) and the code as external id;
- service — the position as a service of its unit, with status from the lifecycle, its weekly
  schedules and its public phone;
- service_at_location — the link between the two (one per position);
- schedule — weekly RRULE parts from `weekly_hours`: days with the same interval share one entry
  (freq WEEKLY, byday "MO,TU,…", opens_at/closes_at with the +08:00 offset HSDS asks for); "24 h" is
  one entry for every day 00:00–23:59. An interval ending at or before its start runs past
  midnight (spec §2) and is written as is, with a note.

Identifiers are UUIDs (the schema's `format: uuid`) derived from the position code and unit code
with uuid5, so re-exporting gives the same ids and consumers can update instead of duplicating.
Dated exceptions (holidays, temporary closures) are not exported: HSDS 3.0 schedules describe
regular hours only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable

from yizhan.core.geo.crs import CRS
from yizhan.core.hours import WEEKDAYS
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.positions.choices import PositionState, ServedGroup, Service
from yizhan.positions.exports.common import facility_labels, hours_text, label_of, labels_of, point_in
from yizhan.positions.models import Position

HSDS_VERSION = "3.0"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/openreferral/specification#yizhan")
UTC_OFFSET = "+08:00"  # Asia/Shanghai has no daylight saving time
UTC_OFFSET_HOURS = 8
RRULE_DAYS = dict(zip(WEEKDAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
OVERNIGHT_NOTE = "结束时间早于开始时间的时段跨过午夜，至次日结束"
EXTERNAL_ID_TYPE = "yizhan position code"

SERVICE_STATUS = {
    PositionState.PLANNED: "inactive",
    PositionState.BUILDING: "inactive",
    PositionState.OPERATING: "active",
    PositionState.SUSPENDED: "temporarily closed",
    PositionState.DELISTED: "defunct",
}


_NAMESPACE_BYTES = ID_NAMESPACE.bytes


def _id(*parts: str) -> str:
    """uuid5(ID_NAMESPACE, "a:b:…") as text, written out directly: `uuid.UUID` objects cost more
    than the hash, and an export makes six ids per position."""
    raw = bytearray(hashlib.sha1(_NAMESPACE_BYTES + ":".join(parts).encode()).digest()[:16])  # noqa: S324 (RFC 4122 name-based id, not security)
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _organization(unit) -> dict:
    return {
        "id": _id("unit", unit.code),
        "name": unit.name,
        "description": f"{unit.name}（{label_of(UnitType, unit.type) or unit.type}）",
    }


def _area_names(region) -> dict:
    """City and province names above the position's area, as HSDS address fields."""
    names = {"region": "", "city": "", "state_province": ""}
    area = region
    while area is not None:
        if area.level == RegionLevel.DISTRICT:
            names["region"] = area.name
        elif area.level == RegionLevel.CITY:
            names["city"] = area.name
        elif area.level == RegionLevel.PROVINCE:
            names["state_province"] = area.name
        area = area.parent
    return names


def _location(position: Position, location_id: str, organization_id: str) -> dict:
    lng, lat = point_in(position, CRS.WGS84)
    areas = _area_names(position.region)
    return {
        "id": location_id,
        "location_type": "physical",
        "organization_id": organization_id,
        "name": position.official_name,
        "alternate_name": position.short_name,
        "description": position.address,
        "latitude": lat,
        "longitude": lng,
        "external_identifier": position.code,
        "external_identifier_type": EXTERNAL_ID_TYPE,
        "addresses": [
            {
                "id": _id("position", position.code, "address"),
                "location_id": location_id,
                "address_1": position.address,
                "city": areas["city"] or areas["region"],
                "region": areas["region"],
                "state_province": areas["state_province"],
                "postal_code": "",
                "country": "CN",
                "address_type": "physical",
            }
        ],
    }


def _schedule(position: Position, service_id: str, days: list[str], opens: str, closes: str) -> dict:
    entry = {
        "id": _id("position", position.code, "schedule", ",".join(days), opens, closes),
        "service_id": service_id,
        "timezone": UTC_OFFSET_HOURS,
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": ",".join(RRULE_DAYS[d] for d in days),
        "opens_at": f"{opens}{UTC_OFFSET}",
        "closes_at": f"{closes}{UTC_OFFSET}",
        "description": hours_text(position),
    }
    if closes <= opens:
        entry["notes"] = OVERNIGHT_NOTE
    return entry


def schedules_for(position: Position, service_id: str) -> list[dict]:
    """The weekly hours as HSDS schedules, one per distinct interval, with the days it applies to."""
    if position.always_open:
        return [_schedule(position, service_id, list(WEEKDAYS), "00:00", "23:59")]
    days_by_interval: dict[tuple[str, str], list[str]] = {}
    for day in WEEKDAYS:
        for opens, closes in (position.weekly_hours or {}).get(day, []):
            days_by_interval.setdefault((opens, closes), []).append(day)
    return [
        _schedule(position, service_id, days, opens, closes)
        for (opens, closes), days in sorted(days_by_interval.items())
    ]


def _service(position: Position, service_id: str, organization_id: str) -> dict:
    services = labels_of(Service, position.services) + [str(s) for s in position.own_services or []]
    parts = [
        f"服务内容：{'、'.join(services)}" if services else "",
        f"服务对象：{'、'.join(labels_of(ServedGroup, position.served_groups))}" if position.served_groups else "",
        f"设施：{'、'.join(facility_labels(position))}" if position.facilities else "",
    ]
    service = {
        "id": service_id,
        "organization_id": organization_id,
        "name": position.official_name,
        "alternate_name": position.short_name,
        "description": "；".join(p for p in parts if p) or position.get_kind_display(),
        "status": SERVICE_STATUS[position.state],
        "schedules": schedules_for(position, service_id),
        "phones": [],
    }
    if position.state == PositionState.SUSPENDED and position.state_reason:
        service["alert"] = position.state_reason
    if position.public_phone:
        service["phones"].append(
            {
                "id": _id("position", position.code, "phone"),
                "service_id": service_id,
                "number": position.public_phone,
                "type": "voice",
            }
        )
    return service


def document(positions: Iterable[Position]) -> dict:
    """The export: one array per HSDS object type; services embed their schedules and phones as
    the HSDS 3.0 compiled `service` schema does."""
    organizations: dict[str, dict] = {}
    locations, services, links = [], [], []
    for position in positions:
        organization = organizations.get(position.unit.code) or _organization(position.unit)
        organizations[position.unit.code] = organization
        location_id = _id("position", position.code, "location")
        service_id = _id("position", position.code, "service")
        locations.append(_location(position, location_id, organization["id"]))
        services.append(_service(position, service_id, organization["id"]))
        links.append(
            {
                "id": _id("position", position.code, "service_at_location"),
                "service_id": service_id,
                "location_id": location_id,
            }
        )
    return {
        "hsds_version": HSDS_VERSION,
        "organizations": list(organizations.values()),
        "locations": locations,
        "services": services,
        "service_at_locations": links,
    }


def render(positions: Iterable[Position]) -> bytes:
    return json.dumps(document(positions), ensure_ascii=False, indent=1).encode("utf-8")
