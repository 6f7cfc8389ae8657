"""Chinese map coordinate systems (spec §10): WGS-84 (GPS, Tianditu/CGCS2000), GCJ-02 (Amap,
Tencent, the canonical store) and BD-09 (Baidu). All functions take and return (lng, lat).

Written here rather than taken from a package because the published Python packages either lack
the iterative inverse (one-step GCJ→WGS is up to ~4.7 m off) or are unmaintained; the constants are
the ones spec §10 fixes, and tests pin the reference vectors of independent implementations.
"""

from __future__ import annotations

import math
from enum import StrEnum

A = 6378245.0  # Krasovsky 1940 semi-major axis
EE = 0.00669342162296594323  # Krasovsky eccentricity squared
X_PI = math.pi * 3000.0 / 180.0


class CRS(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def out_of_china(lng: float, lat: float) -> bool:
    """The GCJ-02 offset applies only inside this rough box (the convention all implementations share)."""
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, rounds: int = 3) -> tuple[float, float]:
    """Inverse by fixed-point iteration w ← w − (f(w) − g): ~0.2 mm after 3 rounds (spec §10)."""
    if out_of_china(lng, lat):
        return lng, lat
    w_lng, w_lat = lng, lat
    for _ in range(rounds):
        f_lng, f_lat = wgs84_to_gcj02(w_lng, w_lat)
        w_lng -= f_lng - lng
        w_lat -= f_lat - lat
    return w_lng, w_lat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def to_gcj02(lng: float, lat: float, source: CRS | str) -> tuple[float, float]:
    """A point given in `source` as canonical GCJ-02."""
    source = CRS(source)
    if source is CRS.WGS84:
        return wgs84_to_gcj02(lng, lat)
    if source is CRS.BD09:
        return bd09_to_gcj02(lng, lat)
    return lng, lat


def from_gcj02(lng: float, lat: float, target: CRS | str) -> tuple[float, float]:
    """A canonical GCJ-02 point expressed in `target`."""
    target = CRS(target)
    if target is CRS.WGS84:
        return gcj02_to_wgs84(lng, lat)
    if target is CRS.BD09:
        return gcj02_to_bd09(lng, lat)
    return lng, lat


def transform_geojson_geometry(geometry: dict, target: CRS | str) -> dict:
    """A GeoJSON geometry stored in GCJ-02, with every coordinate expressed in `target`."""
    target = CRS(target)
    if target is CRS.GCJ02:
        return geometry

    def convert(coords):
        if coords and isinstance(coords[0], (int, float)):
            return list(from_gcj02(coords[0], coords[1], target))
        return [convert(c) for c in coords]

    return {"type": geometry["type"], "coordinates": convert(geometry["coordinates"])}
