"""What every public export format says about a position (spec §2, §10, §11).

Public formats carry the position's public contact phone only: the manager's own name and mobile are
published only with recorded consent (spec §11, PIPL art. 25), which the registry does not record yet,
so they are left out here entirely.
"""

from __future__ import annotations

import re

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.hours import WEEKDAY_LABELS, WEEKDAYS, schedule_text
from yizhan.positions.choices import EntryMethod, Facility, PositionKind, PositionState
from yizhan.positions.models import Position

# Seven decimals of a degree are about 1 cm: finer digits would only pretend to a precision the
# source (a map picker) never had (RFC 7946 §11.2).
COORDINATE_DIGITS = 7

ALWAYS_OPEN_TEXT = "24 小时开放"
EVERY_DAY_TEXT = "每天"
_DAY = "|".join(WEEKDAYS)
_DAY_RANGE = re.compile(rf"\b({_DAY})-({_DAY})\b")
_ONE_DAY = re.compile(rf"\b({_DAY})\b")


def point_in(position: Position, crs: CRS | str) -> tuple[float, float]:
    """The position's (lng, lat), converted from canonical GCJ-02 to `crs` and rounded."""
    lng, lat = from_gcj02(position.lng, position.lat, crs)
    return round(lng, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)


def hours_text(position: Position) -> str:
    """The weekly opening hours in Chinese: "24 小时开放", "每天 06:00-22:00" or
    "周一至周五 06:00-20:00；周六,周日 08:00-18:00"."""
    if position.always_open:
        return ALWAYS_OPEN_TEXT
    text = schedule_text(position.weekly_hours or {})
    if not text:
        return ""
    if not _ONE_DAY.search(text):
        return f"{EVERY_DAY_TEXT} {text}"
    text = _DAY_RANGE.sub(lambda m: f"{WEEKDAY_LABELS[m[1]]}至{WEEKDAY_LABELS[m[2]]}", text)
    return _ONE_DAY.sub(lambda m: WEEKDAY_LABELS[m[1]], text).replace("; ", "；")


def facility_labels(position: Position) -> list[str]:
    return [str(Facility(value).label) for value in position.facilities or [] if value in Facility.values]


def public_properties(position: Position) -> dict:
    """The attributes a public map may show, with Chinese labels beside the coded values."""
    return {
        "code": position.code,
        "name": position.official_name,
        "short_name": position.short_name,
        "kind": position.kind,
        "kind_label": str(PositionKind(position.kind).label),
        "state": position.state,
        "state_label": str(PositionState(position.state).label),
        "state_reason": position.state_reason if position.state == PositionState.SUSPENDED else "",
        "unit": position.unit.name,
        "region": position.region.name,
        "address": position.address,
        "hours": hours_text(position),
        "always_open": position.always_open,
        "facilities": facility_labels(position),
        "public_phone": position.public_phone,
        "entry_method": str(EntryMethod(position.entry_method).label),
        "no_app_needed": position.no_app_needed,
        "verified_on": position.verified_on.isoformat() if position.verified_on else "",
        "stars": position.stars,
    }
