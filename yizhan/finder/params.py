"""The public finder's parameters (issue 4 §2): defaults, limits, and parsing of raw query values
with a clear Chinese message naming the parameter (never a 500, never pydantic's English).

A parameter given empty (`kind=`) is read two ways. The JSON API (`strict`) refuses it, naming the
parameter and its values: a client that sends `kind=` has lost a value somewhere, and answering as
if no filter had been asked would hide that (issue 13). The server-rendered pages read it as
absent, since their GET forms send every field and an empty one means "all". `choice` is that rule
for one enumerated value (`core.params`), which the staff API uses as well.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError
from yizhan.core.geo.crs import CRS
from yizhan.core.params import choice, refuse_empty, shown, single
from yizhan.positions.choices import Ability, Facility, PositionKind, ServedGroup

DEFAULT_RADIUS_M = 5000  # a generous walk; the map asks for more when zoomed out
MAX_RADIUS_M = 50_000  # a city; beyond that "nearby" means nothing to a walker
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_QUERY_LENGTH = 60  # a place's name or address as typed on a phone

PARAM_REQUIRED = _("缺少参数 {name}")
PARAM_NOT_A_NUMBER = _("参数 {name} 应为数字，收到“{value}”")
PARAM_NOT_AN_INTEGER = _("参数 {name} 应为整数，收到“{value}”")
PARAM_NOT_A_BOOLEAN = _("参数 {name} 应为 true 或 false，收到“{value}”")
LAT_OUT_OF_RANGE = _("纬度 lat 应在 -90 到 90 之间")
LNG_OUT_OF_RANGE = _("经度 lng 应在 -180 到 180 之间")
CRS_UNKNOWN = _("未知的坐标系“{value}”，可选：wgs84（GPS、天地图）、gcj02（高德、腾讯）、bd09（百度）")
RADIUS_OUT_OF_RANGE = _("搜索半径 radius 应大于 0 米且不超过 {max} 米")
LIMIT_OUT_OF_RANGE = _("返回数量 limit 应在 1 到 {max} 之间")
QUERY_TOO_LONG = _("地点 q 不能超过 {max} 个字")

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
CHOICES = {
    "facility": Facility.values,
    "ability": Ability.values,
    "kind": PositionKind.values,
    "group": ServedGroup.values,
}
CRS_CHOICES = [CRS.WGS84.value, CRS.GCJ02.value, CRS.BD09.value]
BOOLEAN_CHOICES = ["true", "false"]


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number(raw, name: str) -> float:
    raw = single(raw)
    if _blank(raw):
        raise ApplicationError(PARAM_REQUIRED.format(name=name), field=name)
    if isinstance(raw, bool):
        raise ApplicationError(PARAM_NOT_A_NUMBER.format(name=name, value=shown(raw)), field=name)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ApplicationError(PARAM_NOT_A_NUMBER.format(name=name, value=shown(raw)), field=name)
    if not math.isfinite(value):
        raise ApplicationError(PARAM_NOT_A_NUMBER.format(name=name, value=shown(raw)), field=name)
    return value


def _integer(raw, name: str, default: int, *, strict: bool = False) -> int:
    raw = single(raw)
    if _blank(raw):
        if strict and raw is not None:
            refuse_empty(name)
        return default
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ApplicationError(PARAM_NOT_AN_INTEGER.format(name=name, value=shown(raw)), field=name)


def _boolean(raw, name: str, default: bool, *, strict: bool = False) -> bool:
    raw = single(raw)
    if _blank(raw):
        if strict and raw is not None:
            refuse_empty(name, BOOLEAN_CHOICES)
        return default
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ApplicationError(PARAM_NOT_A_BOOLEAN.format(name=name, value=shown(raw)), field=name)


def _choices(raw, name: str, *, strict: bool = False) -> list[str]:
    values = raw if isinstance(raw, (list, tuple)) else ([] if raw is None else [raw])
    clean: list[str] = []
    for value in values:
        if not strict and not str(value).strip():
            continue
        value = choice(value, name, CHOICES[name])
        if value not in clean:
            clean.append(value)
    return clean


def parse_crs(raw, default: CRS = CRS.WGS84, *, strict: bool = False) -> CRS:
    raw = single(raw)
    if _blank(raw):
        if strict and raw is not None:
            refuse_empty("crs", CRS_CHOICES)
        return default
    try:
        return CRS(str(raw).strip().lower())
    except ValueError:
        raise ApplicationError(CRS_UNKNOWN.format(value=shown(raw)), field="crs")


def check_point(lng: float, lat: float) -> None:
    if not -90 <= lat <= 90:
        raise ApplicationError(str(LAT_OUT_OF_RANGE), field="lat")
    if not -180 <= lng <= 180:
        raise ApplicationError(str(LNG_OUT_OF_RANGE), field="lng")


def check_radius(radius_m: float) -> None:
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise ApplicationError(RADIUS_OUT_OF_RANGE.format(max=MAX_RADIUS_M), field="radius")


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ApplicationError(LIMIT_OUT_OF_RANGE.format(max=MAX_LIMIT), field="limit")


def parse_nearby_params(raw: Mapping, *, strict: bool = False) -> dict:
    """The nearby query's raw values (strings, lists for repeated parameters) as typed values,
    or ApplicationError naming the first bad parameter. `strict` (the JSON API) refuses a
    parameter given empty; otherwise (the pages) it is taken as absent."""
    lat = _number(raw.get("lat"), "lat")
    lng = _number(raw.get("lng"), "lng")
    check_point(lng, lat)
    return {"lat": lat, "lng": lng, **_search_params(raw, strict=strict)}


def parse_place_params(raw: Mapping, *, strict: bool = False) -> dict:
    """The place search's raw values (issue 14 §5): the typed place `q` (required, at most
    MAX_QUERY_LENGTH characters), the worker's location `lat`/`lng` (optional, both or neither),
    and the nearby query's other parameters, or ApplicationError naming the first bad one."""
    q = single(raw.get("q"))
    if _blank(q):
        raise ApplicationError(PARAM_REQUIRED.format(name="q"), field="q")
    q = " ".join(str(q).split())
    if len(q) > MAX_QUERY_LENGTH:
        raise ApplicationError(QUERY_TOO_LONG.format(max=MAX_QUERY_LENGTH), field="q")
    lat_raw, lng_raw = single(raw.get("lat")), single(raw.get("lng"))
    lat = lng = None
    if not (_blank(lat_raw) and _blank(lng_raw)) or (strict and (lat_raw is not None or lng_raw is not None)):
        lat = _number(lat_raw, "lat")
        lng = _number(lng_raw, "lng")
        check_point(lng, lat)
    return {"q": q, "lat": lat, "lng": lng, **_search_params(raw, strict=strict)}


def _search_params(raw: Mapping, *, strict: bool) -> dict:
    """What the nearby and place searches share: the system of the points, radius, limit, filters."""
    radius_raw = single(raw.get("radius"))
    if _blank(radius_raw):
        if strict and radius_raw is not None:
            refuse_empty("radius")
        radius = DEFAULT_RADIUS_M
    else:
        radius = _number(radius_raw, "radius")
    check_radius(radius)
    limit = _integer(raw.get("limit"), "limit", DEFAULT_LIMIT, strict=strict)
    check_limit(limit)
    kind = _choices(raw.get("kind"), "kind", strict=strict)
    group = _choices(raw.get("group"), "group", strict=strict)
    return {
        "crs": parse_crs(raw.get("crs"), strict=strict),
        "radius": radius,
        "limit": limit,
        "facility": _choices(raw.get("facility"), "facility", strict=strict),
        "ability": _choices(raw.get("ability"), "ability", strict=strict),
        "kind": kind[-1] if kind else None,
        "group": group[-1] if group else None,
        "open_now": _boolean(raw.get("open_now"), "open_now", False, strict=strict),
        "include_suspended": _boolean(raw.get("include_suspended"), "include_suspended", True, strict=strict),
    }
