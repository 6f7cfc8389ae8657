""" "Navigate" links to the map apps (issue 4 §3, issue 21 §4): walking directions to the position,
each in the coordinate system its provider reads: Amap and Tencent take GCJ-02 (our canonical
system), Baidu takes BD-09.

Formats follow each provider's published URI API for route planning (web URLs that open the app
when it is installed, and the provider's web map otherwise); the start is the rider's point when
the finder knows it, else the provider's own "current location":
- Amap (lbs.amap.com/api/uri-api/guide/travel/route): https://uri.amap.com/navigation?from=LNG,LAT,NAME
  &to=LNG,LAT,NAME&mode=walk&src=…&callnative=1 — no `from`: the phone's position.
- Baidu (lbsyun.baidu.com, URI API direction): https://api.map.baidu.com/direction?origin=latlng:LAT,LNG|name:…
  &destination=latlng:LAT,LNG|name:…&mode=walking&coord_type=bd09ll&output=html&src=…
- Tencent (lbs.qq.com/webApi/uriV1/uriGuide/uriWebRoute): https://apis.map.qq.com/uri/v1/routeplan?type=walk
  &from=…&fromcoord=LAT,LNG&to=NAME&tocoord=LAT,LNG&referer=… — without `from`/`fromcoord` the phone's
  position.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from yizhan.core.geo.crs import CRS, from_gcj02

SOURCE = "yizhan"  # the app name the providers ask callers to identify themselves with


@dataclass(frozen=True)
class MapLink:
    provider: str
    label: str
    url: str


def _coordinate(value: float) -> str:
    return f"{value:.6f}"


def _plain(text: str) -> str:
    """A name inside the providers' `,` `|` `;` `:`-separated values, without those separators."""
    for separator in ",|;:":
        text = text.replace(separator, " ")
    return " ".join(text.split())


def navigation_links(
    *, name: str, address: str, lng: float, lat: float, origin: tuple[float, float] | None = None
) -> list[MapLink]:
    """Links that open walking directions in Amap, Baidu and Tencent Maps to the GCJ-02 point
    (lng, lat) named `name`, from `origin` (a GCJ-02 (lng, lat), the rider's point) when given."""
    name = _plain(name)
    start = _plain(gettext("我的位置"))
    bd_lng, bd_lat = from_gcj02(lng, lat, CRS.BD09)
    baidu = {
        "destination": f"latlng:{_coordinate(bd_lat)},{_coordinate(bd_lng)}|name:{name}|addr:{_plain(address)}",
        "mode": "walking",
        "coord_type": "bd09ll",
        "output": "html",
        "src": f"webapp.{SOURCE}.finder",
    }
    tencent = {"type": "walk", "to": name, "tocoord": f"{_coordinate(lat)},{_coordinate(lng)}", "referer": SOURCE}
    if origin is not None:
        from_lng, from_lat = origin
        bd_from = from_gcj02(from_lng, from_lat, CRS.BD09)
        baidu = {"origin": f"latlng:{_coordinate(bd_from[1])},{_coordinate(bd_from[0])}|name:{start}", **baidu}
        tencent = {**tencent, "from": start, "fromcoord": f"{_coordinate(from_lat)},{_coordinate(from_lng)}"}
    return [
        _amap(name, lng, lat, origin),
        MapLink("baidu", str(_("百度地图")), "https://api.map.baidu.com/direction?" + urlencode(baidu)),
        MapLink("tencent", str(_("腾讯地图")), "https://apis.map.qq.com/uri/v1/routeplan?" + urlencode(tencent)),
    ]


def walking_link(*, name: str, lng: float, lat: float, origin: tuple[float, float] | None = None) -> MapLink:
    """The first of `navigation_links` (Amap) alone, as a result card offers it."""
    return _amap(name, lng, lat, origin)


AMAP_WALK = "https://uri.amap.com/navigation?"


def amap_walk_to(*, name: str, lng: float, lat: float) -> str:
    """The destination part of Amap's walking link (`walking_link`'s URL is AMAP_WALK, then
    `amap_walk_from(…)` + "&" when the start is known, then this): a results page keeps it per
    station and writes the rider's part once."""
    to = quote_plus(f"{_coordinate(lng)},{_coordinate(lat)},{_plain(name)}")
    return f"to={to}&mode=walk&src={SOURCE}&callnative=1"


def amap_walk_from(origin: tuple[float, float]) -> str:
    """The start part of Amap's walking link: the rider's GCJ-02 (lng, lat), named "my location"."""
    start = _plain(gettext("我的位置"))
    return f"from={quote_plus(f'{_coordinate(origin[0])},{_coordinate(origin[1])},{start}')}"


def _amap(name: str, lng: float, lat: float, origin: tuple[float, float] | None) -> MapLink:
    """Amap's link, as `urlencode` writes its parameters (from, to, mode, src, callnative), built
    directly."""
    query = amap_walk_to(name=name, lng=lng, lat=lat)
    if origin is not None:
        query = f"{amap_walk_from(origin)}&{query}"
    return MapLink("amap", _amap_label(get_language()), AMAP_WALK + query)


@functools.lru_cache(maxsize=16)
def _amap_label(language: str) -> str:
    return str(_("高德地图"))
