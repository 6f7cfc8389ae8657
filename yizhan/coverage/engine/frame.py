"""The metric frame every coverage computation works in (spec §10).

Positions, boundaries and loaded demand are stored in GCJ-02, which is not a geodetic system: its
offset from WGS-84 (up to ~600 m in Chinese cities) would bend distances if projected as if it
were WGS-84. So points go GCJ-02 → WGS-84 first (the fixed-point inverse of spec §10, ~0.2 mm after
3 rounds) and then into a local azimuthal equidistant projection centred on the area (pyproj,
WGS-84 ellipsoid): distances from the centre are true, and elsewhere the scale error grows as
(d/R)²/6 — about 1 cm per km at 50 km from the centre, far below a grid cell. OpenStreetMap
networks are WGS-84 already and skip the first step.

The array versions of the GCJ-02 formulas below are the scalar ones of `yizhan.core.geo.crs` written
with numpy (same constants, same steps; tests compare them to 1e-9 degrees).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from pyproj import Transformer

from yizhan.core.geo.crs import CRS, EE, A

# Centres are rounded so that a frame named in a stored record is rebuilt exactly.
CENTRE_DECIMALS = 6


def _in_china(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lng > 73.66) & (lng < 135.05) & (lat > 3.86) & (lat < 53.55)


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02_arrays(lng, lat) -> tuple[np.ndarray, np.ndarray]:
    """`crs.wgs84_to_gcj02` for arrays."""
    lng = np.asarray(lng, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * np.pi)
    dlng = (dlng * 180.0) / (A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = _in_china(lng, lat)
    return np.where(inside, lng + dlng, lng), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84_arrays(lng, lat, rounds: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """`crs.gcj02_to_wgs84` for arrays: w ← w − (f(w) − g), three rounds (spec §10)."""
    lng = np.asarray(lng, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    w_lng, w_lat = lng.copy(), lat.copy()
    for _ in range(rounds):
        f_lng, f_lat = wgs84_to_gcj02_arrays(w_lng, w_lat)
        w_lng -= f_lng - lng
        w_lat -= f_lat - lat
    inside = _in_china(lng, lat)
    return np.where(inside, w_lng, lng), np.where(inside, w_lat, lat)


@dataclass(frozen=True)
class MetricFrame:
    """A local azimuthal equidistant projection centred on (lng0, lat0), WGS-84 degrees; x east
    and y north in metres."""

    lng0: float
    lat0: float

    @classmethod
    def around(cls, lng, lat, crs: str = CRS.GCJ02) -> MetricFrame:
        """The frame centred on the middle of the bounding box of these points."""
        lng = np.asarray(lng, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        if CRS(crs) is CRS.GCJ02:
            lng, lat = gcj02_to_wgs84_arrays(lng, lat)
        centre_lng = (float(lng.min()) + float(lng.max())) / 2
        centre_lat = (float(lat.min()) + float(lat.max())) / 2
        return cls(round(centre_lng, CENTRE_DECIMALS), round(centre_lat, CENTRE_DECIMALS))

    @cached_property
    def _forward(self) -> Transformer:
        proj = f"+proj=aeqd +lat_0={self.lat0!r} +lon_0={self.lng0!r} +datum=WGS84 +units=m +no_defs +type=crs"
        return Transformer.from_crs("EPSG:4326", proj, always_xy=True)

    def from_wgs84(self, lng, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._forward.transform(np.asarray(lng, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def from_gcj02(self, lng, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.from_wgs84(*gcj02_to_wgs84_arrays(lng, lat))

    def to_wgs84(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        lng, lat = self._forward.transform(
            np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), direction="INVERSE"
        )
        return np.asarray(lng, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def to_gcj02(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return wgs84_to_gcj02_arrays(*self.to_wgs84(x, y))

    def geometry_from_gcj02(self, geometry):
        """A shapely geometry given in GCJ-02 degrees, in this frame's metres."""
        import shapely

        def convert(coords: np.ndarray) -> np.ndarray:
            x, y = self.from_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geometry, convert)
