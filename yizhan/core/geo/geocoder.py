"""Addresses and landmarks as points, through the web geocoder a federation configures (issue 14 §5).

`YIZHAN_GEOCODER` names the service: `amap` (Amap's web service 地理编码, answers in GCJ-02) or
`tianditu` (Tianditu's 地理编码, answers in CGCS2000, which is WGS-84 to within a metre and is
converted to GCJ-02 like a GPS point, spec §10), or `none` (the default: a government intranet
often has no way out). Its key is `YIZHAN_GEOCODER_KEY` (for Tianditu the map's
`YIZHAN_TIANDITU_KEY` serves when it is empty); `YIZHAN_GEOCODER_URL` replaces the service's
address (a proxy on an intranet).

The service is outside our control, so every way it can fail — no answer within
`YIZHAN_GEOCODER_TIMEOUT_SECONDS`, a refused key, a quota spent, an answer that is not JSON — is a
`GeocoderUnavailable` with a Chinese message, never an exception a page turns into a 500. After a
failure the service is left alone for `YIZHAN_GEOCODER_RETRY_SECONDS`, so a service that hangs
does not cost every search its timeout. Answers (found or not) are kept in the cache for
`YIZHAN_GEOCODER_CACHE_SECONDS`: workers type the same landmarks over and over, and every call
counts against the key's daily quota.

The kernel knows no domain app: callers give the city hint and decide whether a point lies in
their area (`finder.places`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from yizhan.core.geo.crs import CRS, to_gcj02

AMAP = "amap"
TIANDITU = "tianditu"
NONE = "none"
SERVICES = (AMAP, TIANDITU, NONE)
DEFAULT_URLS = {
    AMAP: "https://restapi.amap.com/v3/geocode/geo",
    TIANDITU: "https://api.tianditu.gov.cn/geocoder",
}
# A geocoder that cannot place a text falls back to the centre of the city, province or country
# (the cluster of rows at one point that issue 14 §4 found in a real registry): such an answer
# says nothing about where the worker wants to go.
TOO_COARSE = frozenset({"国家", "省", "市", "省级", "市级", "城市", "未知"})
ANSWER_MAX_BYTES = 1 << 20
CACHE_PREFIX = "geocoder:v1"
RETRY_KEY = f"{CACHE_PREFIX}:resting"
logger = logging.getLogger(__name__)

NOT_CONFIGURED = _("未配置地址查询服务（离线模式）")
TIMED_OUT = _("地址查询服务在 {seconds:g} 秒内没有应答")
FAILED = _("地址查询服务暂时无法使用（{reason}）")
RESTING = _("地址查询服务刚才无法使用，稍后再试")
BAD_ANSWER = _("应答无法识别")
UNREACHABLE = _("无法连接")


class GeocoderUnavailable(Exception):
    """The geocoder could not be asked or did not answer usefully. `message` says why, in Chinese."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Geocoded:
    lng: float  # GCJ-02
    lat: float
    label: str  # the address as the service understood it
    level: str  # the service's match level (门牌号, 兴趣点, 道路…)


def geocoder_service() -> str:
    """The configured service, or `none` when it is off or has no key."""
    service = settings.YIZHAN_GEOCODER
    if service == NONE or not _key(service):
        return NONE
    return service


def _key(service: str) -> str:
    if service == TIANDITU:
        return settings.YIZHAN_GEOCODER_KEY or settings.YIZHAN_TIANDITU_KEY
    return settings.YIZHAN_GEOCODER_KEY


def geocode(text: str, *, city_name: str = "", city_code: str = "") -> Geocoded | None:
    """Where `text` (an address or a landmark) is, in GCJ-02, or None when the service knows no
    place for it (or only a city's or province's centre). `city_name` and `city_code` (adcode) say
    which city to look in. GeocoderUnavailable when no service is configured or it failed."""
    service = geocoder_service()
    if service == NONE:
        raise GeocoderUnavailable(NOT_CONFIGURED)
    digest = hashlib.sha256(f"{city_code}\n{city_name}\n{text}".encode()).hexdigest()
    key = f"{CACHE_PREFIX}:{service}:{digest}"
    held = cache.get(key)
    if held is not None:
        return Geocoded(*held) if held else None
    if cache.get(RETRY_KEY):
        raise GeocoderUnavailable(RESTING)
    try:
        found = _ask(service, text, city_name=city_name, city_code=city_code)
    except GeocoderUnavailable as problem:
        # For whoever runs the server (the page shows the short reason); never the URL: it holds the key.
        logger.warning("geocoder %s unavailable: %s", service, problem.__cause__ or problem.message)
        cache.set(RETRY_KEY, True, settings.YIZHAN_GEOCODER_RETRY_SECONDS)
        raise
    held = (found.lng, found.lat, found.label, found.level) if found else ()
    cache.set(key, held, settings.YIZHAN_GEOCODER_CACHE_SECONDS)
    return found


def _ask(service: str, text: str, *, city_name: str, city_code: str) -> Geocoded | None:
    base = settings.YIZHAN_GEOCODER_URL or DEFAULT_URLS[service]
    if service == AMAP:
        query = {"key": _key(service), "address": text, "output": "JSON"}
        if city_code or city_name:
            query["city"] = city_code or city_name
        return _amap(_get_json(f"{base}?{urllib.parse.urlencode(query)}"))
    keyword = text if city_name in text else city_name + text  # Tianditu takes no city of its own
    query = {"ds": json.dumps({"keyWord": keyword}, ensure_ascii=False), "tk": _key(service)}
    return _tianditu(_get_json(f"{base}?{urllib.parse.urlencode(query)}"))


def _get_json(url: str) -> dict:
    timeout = settings.YIZHAN_GEOCODER_TIMEOUT_SECONDS
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):  # never file: or ftp:
        raise GeocoderUnavailable(FAILED.format(reason="YIZHAN_GEOCODER_URL"))
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "yizhan"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (http or https, checked above)
            body = answer.read(ANSWER_MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise GeocoderUnavailable(FAILED.format(reason=f"HTTP {error.code}")) from error
    except TimeoutError as error:
        raise GeocoderUnavailable(TIMED_OUT.format(seconds=timeout)) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise GeocoderUnavailable(TIMED_OUT.format(seconds=timeout)) from error
        raise GeocoderUnavailable(FAILED.format(reason=UNREACHABLE)) from error
    except OSError as error:  # a connection reset while reading
        raise GeocoderUnavailable(FAILED.format(reason=UNREACHABLE)) from error
    if len(body) > ANSWER_MAX_BYTES:
        raise GeocoderUnavailable(FAILED.format(reason=BAD_ANSWER))
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise GeocoderUnavailable(FAILED.format(reason=BAD_ANSWER)) from error
    if not isinstance(payload, dict):
        raise GeocoderUnavailable(FAILED.format(reason=BAD_ANSWER))
    return payload


def _point(lng, lat) -> tuple[float, float]:
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError) as error:
        raise GeocoderUnavailable(FAILED.format(reason=BAD_ANSWER)) from error
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise GeocoderUnavailable(FAILED.format(reason=BAD_ANSWER))
    return lng, lat


def _text(value) -> str:
    # Amap writes an empty field as [] rather than "".
    return value if isinstance(value, str) else ""


def _amap(payload: dict) -> Geocoded | None:
    """Amap's 地理编码 answer: status "1" and `geocodes` (location "lng,lat" in GCJ-02), or status
    "0" with the reason in `info` (INVALID_USER_KEY, DAILY_QUERY_OVER_LIMIT…)."""
    if str(payload.get("status")) != "1":
        raise GeocoderUnavailable(FAILED.format(reason=_text(payload.get("info"))[:80] or BAD_ANSWER))
    geocodes = payload.get("geocodes") or []
    if not isinstance(geocodes, list):
        raise GeocoderUnavailable(FAILED.format(reason=BAD_ANSWER))
    for item in geocodes:
        if not isinstance(item, dict) or _text(item.get("level")) in TOO_COARSE:
            continue
        location = _text(item.get("location"))
        if "," not in location:
            continue
        lng, lat = _point(*location.split(",", 1))
        return Geocoded(lng, lat, _text(item.get("formatted_address")), _text(item.get("level")))
    return None


def _tianditu(payload: dict) -> Geocoded | None:
    """Tianditu's 地理编码 answer: status "0" and `location` {lon, lat, level} in CGCS2000; "1" and
    "404" are refusals (a bad key, a spent quota) with the reason in `msg`, except 无结果."""
    status = str(payload.get("status"))
    location = payload.get("location")
    if status != "0":
        message = _text(payload.get("msg"))
        if "无结果" in message:  # searched, nothing found: not a failure of the service
            return None
        raise GeocoderUnavailable(FAILED.format(reason=message[:80] or BAD_ANSWER))
    if not isinstance(location, dict) or _text(location.get("level")) in TOO_COARSE:
        return None
    lng, lat = _point(location.get("lon"), location.get("lat"))
    gcj_lng, gcj_lat = to_gcj02(lng, lat, CRS.WGS84)  # CGCS2000 ≈ WGS-84 (spec §10)
    return Geocoded(gcj_lng, gcj_lat, _text(location.get("keyWord")), _text(location.get("level")))
