"""A public position as one HSDS 3.0 service record (issue 20 §1), built by the registry's own HSDS
mapping (positions/exports/hsds.py: ids, organization, location in WGS-84, weekly schedules,
public phone) and nested as HSDS's compiled `service` schema nests it: the organization, and the
service at its location with the location inside.

Unlike the file export, the record carries the dated hours exceptions (a feed must follow them,
§2): each is a schedule valid from its first to its last day, "closed" in its notes when the
position is closed all day, else one schedule per interval open that day. Every exception is kept
(past ones too): the record depends on the rows alone, never on today's date, so the copy a
partner keeps equals what the API serves at any moment.
"""

from __future__ import annotations

import hashlib
import json

from yizhan.core.hours import WEEKDAYS
from yizhan.positions.exports import hsds
from yizhan.positions.models import HoursException, Position

EXCEPTION_CLOSED_NOTE = "开放时间例外：全天关闭"
EXCEPTION_OPEN_NOTE = "开放时间例外：当日按此时段开放"


def _exception_schedules(position: Position, service_id: str, exception: HoursException) -> list[dict]:
    base = {
        "service_id": service_id,
        "timezone": hsds.UTC_OFFSET_HOURS,
        "valid_from": exception.start.isoformat(),
        "valid_to": exception.end.isoformat(),
        "dtstart": exception.start.isoformat(),
        "until": exception.end.isoformat(),
        "description": exception.reason,
    }
    key = ("position", position.code, "exception", exception.start.isoformat(), exception.end.isoformat())
    if exception.closed or not exception.intervals:
        return [{"id": hsds._id(*key), **base, "notes": EXCEPTION_CLOSED_NOTE}]
    return [
        {
            "id": hsds._id(*key, opens, closes),
            **base,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(hsds.RRULE_DAYS[d] for d in WEEKDAYS),
            "opens_at": f"{opens}{hsds.UTC_OFFSET}",
            "closes_at": f"{closes}{hsds.UTC_OFFSET}",
            "notes": EXCEPTION_OPEN_NOTE,
        }
        for opens, closes in exception.intervals
    ]


def service_record(position: Position, exceptions: list[HoursException]) -> dict:
    """The fully nested HSDS service of a public position (without `last_modified`, which is the
    time of its publication and added when served)."""
    document = hsds.document([position])
    (service,) = document["services"]
    (location,) = document["locations"]
    (link,) = document["service_at_locations"]
    (organization,) = document["organizations"]
    for exception in sorted(exceptions, key=lambda e: (e.start, e.end, e.pk or 0)):
        service["schedules"].extend(_exception_schedules(position, service["id"], exception))
    service["organization"] = organization
    service["service_at_locations"] = [{**link, "location": location}]
    return service


def service_id_of(position_code: str) -> str:
    return hsds._id("position", position_code, "service")


def search_text(position: Position) -> str:
    return " ".join([position.code, position.official_name, position.short_name, position.address]).lower()


def record_text(record: dict) -> str:
    """The stored and served form of a record: compact JSON, keys in the order built."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def digest(record: dict | None, unit_path: str) -> str:
    text = json.dumps([record, unit_path], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
