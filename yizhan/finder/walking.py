"""The walking model of spec §10, until a street network is loaded: walking distance = straight
line × detour factor (default 1.3), at a walking speed (default 5 km/h). It is an approximation:
on a real network it overstates reach (spec §10: 66 % covered by circles ÷ 1.3 where the network
reached 52 %), and every answer that shows it says so."""

import math

from django.conf import settings


def walk_distance_m(straight_m: float) -> float:
    """Walking metres for a straight-line distance (spec §10: × YIZHAN_WALK_DETOUR_FACTOR)."""
    return straight_m * settings.YIZHAN_WALK_DETOUR_FACTOR


def walk_minutes(straight_m: float) -> int:
    """Whole minutes of walking, rounded up (spec §10: at YIZHAN_WALK_SPEED_KMH)."""
    metres_per_minute = settings.YIZHAN_WALK_SPEED_KMH * 1000 / 60
    # Rounded to the micro-minute first, so 15.000000000001 from float arithmetic stays 15.
    return math.ceil(round(walk_distance_m(straight_m) / metres_per_minute, 6))
