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

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext
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
    amap = {"to": f"{_coordinate(lng)},{_coordinate(lat)},{name}", "mode": "walk", "src": SOURCE, "callnative": "1"}
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
        amap = {"from": f"{_coordinate(from_lng)},{_coordinate(from_lat)},{start}", **amap}
        baidu = {"origin": f"latlng:{_coordinate(bd_from[1])},{_coordinate(bd_from[0])}|name:{start}", **baidu}
        tencent = {**tencent, "from": start, "fromcoord": f"{_coordinate(from_lat)},{_coordinate(from_lng)}"}
    return [
        MapLink("amap", str(_("高德地图")), "https://uri.amap.com/navigation?" + urlencode(amap)),
        MapLink("baidu", str(_("百度地图")), "https://api.map.baidu.com/direction?" + urlencode(baidu)),
        MapLink("tencent", str(_("腾讯地图")), "https://apis.map.qq.com/uri/v1/routeplan?" + urlencode(tencent)),
    ]
