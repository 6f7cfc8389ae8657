"""Map tile sources (spec §10, issue 4 §5). Each is drawn in its own coordinate system; the server
converts geometries to it, so no tile source ever shows positions hundreds of metres off."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from yizhan.core.geo.crs import CRS


@dataclass(frozen=True)
class TileSource:
    kind: str
    url: str
    crs: str
    attribution: str


# Defaults per kind; YIZHAN_MAP_TILE_URL replaces the URL (e.g. a self-hosted tile server).
TILE_DEFAULTS = {
    "none": ("", CRS.GCJ02, ""),
    "amap": (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        CRS.GCJ02,
        "© 高德地图",
    ),
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", CRS.WGS84, "© OpenStreetMap"),
    "tianditu": (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        CRS.WGS84,
        "© 天地图",
    ),
}


def tile_source() -> TileSource:
    kind = settings.YIZHAN_MAP_TILES if settings.YIZHAN_MAP_TILES in TILE_DEFAULTS else "none"
    url, crs, attribution = TILE_DEFAULTS[kind]
    url = settings.YIZHAN_MAP_TILE_URL or url
    if kind == "tianditu":
        url = url.replace("{key}", settings.YIZHAN_TIANDITU_KEY)
    return TileSource(kind=kind, url=url, crs=crs.value, attribution=attribution)


def tile_image_origins() -> list[str]:
    """Where the maps' tile images come from, as Content-Security-Policy sources for `img-src`: the
    configured tile URL's scheme, host and port. Leaflet fills `{s}` with one of several subdomains
    (webrd01…04 for Amap, t1…t4 for Tianditu), so the host widens to `*.` the domain after the label
    holding `{s}` (a CSP wildcard stands only for leading labels). A relative URL (tiles served by
    this site) and no tile layer need nothing beyond 'self'."""
    parts = urlsplit(tile_source().url)
    if not parts.scheme or not parts.netloc:
        return []
    labels = parts.netloc.split(".")
    with_subdomain = [i for i, label in enumerate(labels) if "{s}" in label]
    if with_subdomain:
        labels = ["*", *labels[with_subdomain[-1] + 1 :]]
    return [f"{parts.scheme}://{'.'.join(labels)}"]
