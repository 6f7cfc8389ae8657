"""What every public export format says about a position (spec §2, §10, §11).

Public formats carry the position's public contact phone only: the manager's own name and mobile are
published only with recorded consent (spec §11, PIPL art. 25), which the registry does not record yet,
so they are left out here entirely.
"""

from __future__ import annotations

import functools
import re

from django.utils import translation

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


@functools.lru_cache(maxsize=64)
def _labels(enum, language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in enum.choices}


def label_of(enum, value) -> str | None:
    """The label of a choice in the active language, None for a value the choices do not hold.
    The labels are cached per language: `enum.values` and gettext cost some 0.1 ms a call, which
    every exported position paid several times (bench/publishing_feed.py)."""
    return _labels(enum, translation.get_language()).get(value)


def label(enum, value) -> str:
    """The label of a choice in the active language (ValueError for a value the choices do not hold)."""
    found = label_of(enum, value)
    if found is None:
        raise ValueError(f"{value!r} is not a valid {enum.__qualname__}")
    return found


def labels_of(enum, values) -> list[str]:
    """The labels of the known values among `values`, in their order."""
    table = _labels(enum, translation.get_language())
    return [table[v] for v in values or [] if v in table]


def facility_labels(position: Position) -> list[str]:
    return labels_of(Facility, position.facilities)


def public_properties(position: Position) -> dict:
    """The attributes a public map may show, with Chinese labels beside the coded values."""
    return {
        "code": position.code,
        "name": position.official_name,
        "short_name": position.short_name,
        "kind": position.kind,
        "kind_label": label(PositionKind, position.kind),
        "state": position.state,
        "state_label": label(PositionState, position.state),
        "state_reason": position.state_reason if position.state == PositionState.SUSPENDED else "",
        "unit": position.unit.name,
        "region": position.region.name,
        "address": position.address,
        "hours": hours_text(position),
        "always_open": position.always_open,
        "facilities": facility_labels(position),
        "public_phone": position.public_phone,
        "entry_method": label(EntryMethod, position.entry_method),
        "no_app_needed": position.no_app_needed,
        "verified_on": position.verified_on.isoformat() if position.verified_on else "",
        "stars": position.stars,
    }
