""" "Navigate" links to the map apps (issue 4 §3), each in the coordinate system its provider reads:
Amap and Tencent take GCJ-02 (our canonical system), Baidu takes BD-09.

Formats follow each provider's published URI API (web URLs that open the app when it is
installed, and the provider's web map otherwise):
- Amap: https://uri.amap.com/marker?position=LNG,LAT&name=…&src=…&coordinate=gaode&callnative=1
- Baidu: https://api.map.baidu.com/marker?location=LAT,LNG&title=…&content=…&output=html&coord_type=bd09ll&src=…
- Tencent: https://apis.map.qq.com/uri/v1/marker?marker=coord:LAT,LNG;title:…;addr:…&referer=…
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

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


def navigation_links(*, name: str, address: str, lng: float, lat: float) -> list[MapLink]:
    """Links that show the GCJ-02 point (lng, lat) named `name` in Amap, Baidu and Tencent Maps."""
    bd_lng, bd_lat = from_gcj02(lng, lat, CRS.BD09)
    amap = "https://uri.amap.com/marker?" + urlencode(
        {
            "position": f"{_coordinate(lng)},{_coordinate(lat)}",
            "name": name,
            "src": SOURCE,
            "coordinate": "gaode",
            "callnative": "1",
        }
    )
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{_coordinate(bd_lat)},{_coordinate(bd_lng)}",
            "title": name,
            "content": address,
            "output": "html",
            "coord_type": "bd09ll",
            "src": f"webapp.{SOURCE}.finder",
        }
    )
    # Tencent's marker parameter is a ;-separated list of key:value pairs: escape the values only.
    marker = f"coord:{_coordinate(lat)},{_coordinate(lng)};title:{_safe(name)};addr:{_safe(address)}"
    tencent = f"https://apis.map.qq.com/uri/v1/marker?marker={marker}&referer={SOURCE}"
    return [
        MapLink("amap", str(_("高德地图")), amap),
        MapLink("baidu", str(_("百度地图")), baidu),
        MapLink("tencent", str(_("腾讯地图")), tencent),
    ]


def _safe(text: str) -> str:
    return quote(text.replace(";", " ").replace(":", " "), safe="")
