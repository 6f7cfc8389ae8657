"""Distances on the Earth's surface, for the finder, the registry's checks and coverage (spec §10)."""

from __future__ import annotations

import math

# The mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6371008.8


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
