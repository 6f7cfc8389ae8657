"""GeoJSON (RFC 7946) of positions: a FeatureCollection of Points in WGS-84, [lng, lat] order.

RFC 7946 §4 fixes WGS-84 and drops the `crs` member, so the stored GCJ-02 points are converted with
`crs.from_gcj02` (spec §10); publishing GCJ-02 under a GeoJSON label would put every station
300–600 m off on any standard map.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from yizhan.core.geo.crs import CRS
from yizhan.positions.exports.common import point_in, public_properties
from yizhan.positions.models import Position


def feature_collection(positions: Iterable[Position]) -> dict:
    features = []
    for position in positions:
        lng, lat = point_in(position, CRS.WGS84)
        features.append(
            {
                "type": "Feature",
                "id": position.code,
                "geometry": {"type": "Point", "coordinates": [lng, lat]},
                "properties": public_properties(position),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def render(positions: Iterable[Position]) -> bytes:
    return json.dumps(feature_collection(positions), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
