"""/api/v1/public: the public finder's endpoints (issue 4 §2), no login. Thin: each calls one
selector. Every answer counts against the caller's rate limit and says how long it may be cached."""

from __future__ import annotations

import functools
import json

from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view
from ninja.responses import NinjaJSONEncoder

from yizhan.core.geo.crs import CRS, from_gcj02
from yizhan.core.hours import OpeningStatus
from yizhan.core.params import shown
from yizhan.core.request_info import remote_addr
from yizhan.finder import selectors
from yizhan.finder.index import Filters
from yizhan.finder.places import place_search
from yizhan.finder.ratelimit import rate_limit_hit
from yizhan.finder.schemas import (
    DetailQuery,
    NearbyOut,
    NearbyQuery,
    PlaceQuery,
    PlaceSearchOut,
    PublicErrorOut,
    PublicPositionOut,
)
from yizhan.positions.choices import PositionState
from yizhan.positions.models import Position

router = Router(tags=["public"], auth=None)

PUBLIC_MAX_AGE_S = 30
RATE_LIMITED = _("请求过于频繁，请 {seconds} 秒后再试")
PLACE_NOT_FOUND = _("没有找到“{q}”。请换个说法（驿站名称、拼音首字母、地址或区县）。")
ERRORS = {400: PublicErrorOut, 429: PublicErrorOut}


def public_endpoint(run):
    """Per-client rate limit (429 with Retry-After), then a short public cache lifetime on
    successful answers; errors are not to be stored."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        retry_after = rate_limit_hit(remote_addr(request) or "unknown")
        if retry_after is not None:
            response = JsonResponse({"detail": RATE_LIMITED.format(seconds=retry_after)}, status=429)
            response["Retry-After"] = str(retry_after)
        else:
            response = run(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE_S)
        else:
            patch_cache_control(response, no_store=True)
        return response

    return wrapper


@functools.lru_cache(maxsize=65_536)
def _public_point(lng: float, lat: float, crs: CRS) -> tuple[float, float]:
    """A stored point in the asked system, rounded as published: the inverse to WGS-84 iterates,
    and the same stations come back again and again."""
    out_lng, out_lat = from_gcj02(lng, lat, crs)
    return round(out_lng, 7), round(out_lat, 7)


def _public_fields(position: Position, crs: CRS, opening: OpeningStatus) -> dict:
    lng, lat = _public_point(position.lng, position.lat, crs)
    suspended = position.state == PositionState.SUSPENDED
    return {
        "id": position.pk,
        "code": position.code,
        "name": position.official_name,
        "short_name": position.short_name,
        "kind": position.kind,
        "state": position.state,
        "state_reason": position.state_reason if suspended else None,
        "expected_reopen_on": position.expected_reopen_on if suspended else None,
        "address": position.address,
        "lng": lng,
        "lat": lat,
        "is_open": opening.is_open,
        "closes_at": opening.closes_at,
        "opens_at": opening.opens_at,
        "hours_unknown": opening.unknown,
        "always_open": position.always_open,
        "facilities": position.facilities,
        "abilities": position.abilities,
        "public_phone": position.public_phone,
        "entry_method": position.entry_method,
        "no_app_needed": position.no_app_needed,
        "stars": position.stars,
        "stars_rated_on": position.star_rated_on if position.stars else None,
    }


@router.get(
    "/nearby",
    response={200: NearbyOut, **ERRORS},
    summary="附近的服务阵地",
    description=(
        "按直线距离由近到远列出附近对公众开放的服务阵地（运营中，及灰色显示的暂停服务阵地），可按设施、六能、"
        "类型、服务对象和“此刻开放”筛选。有职工反映“开放时间没开门”或“门锁着进不去”且尚未核实处理的阵地"
        "（reported_closed 非空）默认排在其他阵地之后，也可配置为不列出（YIZHAN_FINDER_REPORTED_CLOSED）。"
        "坐标按 crs 解释和返回（手机 GPS 为 wgs84）。"
        "walk_minutes 是近似值：直线距离 × 绕行系数（默认 1.3）÷ 步行速度（默认 5 km/h），向上取整，"
        "并非按路网计算的步行时间。参数错误返回 400（中文说明），请求过多返回 429（见 Retry-After）。"
    ),
)
@decorate_view(public_endpoint)
def nearby(request, query: Query[NearbyQuery]):
    filters = Filters(
        facilities=tuple(query.facility),
        abilities=tuple(query.ability),
        kind=query.kind or "",
        group=query.group or "",
        include_suspended=query.include_suspended,
    )
    results = selectors.nearby(
        lng=query.lng,
        lat=query.lat,
        crs=query.crs,
        radius_m=query.radius,
        limit=query.limit,
        filters=filters,
        open_now=query.open_now,
    )
    # Written out directly from each position's pre-written public members: ninja's validation of
    # this answer against NearbyOut, and encoding it whole, cost more than the search
    # (bench/finder_http.py); test_api.py checks every answer against NearbyOut instead.
    items = b",".join(b"{" + r.record.json + b"," + _asker_members(r, query.crs) + b"}" for r in results)
    head = json.dumps({"crs": query.crs, "radius": query.radius, "count": len(results)}, cls=NinjaJSONEncoder)
    body = head[:-1].encode() + b',"results":[' + items + b"]}"
    return HttpResponse(body, content_type="application/json")


def _asker_members(result: selectors.NearbyPublic, crs: CRS) -> bytes:
    """The members of a nearby result that depend on the asker: the point in the asked system,
    opening at the time asked, distance and walking time."""
    lng, lat = _public_point(result.record.lng, result.record.lat, crs)
    return b'"lng":%r,"lat":%r,%s,"distance_m":%d,"walk_minutes":%d,"reported_closed":%s' % (
        lng,
        lat,
        _opening_members(result.opening),
        round(result.distance_m),
        result.walk_minutes,
        _reported_member(result.reported),
    )


@functools.lru_cache(maxsize=16)
def _reported_member(kinds: tuple[str, ...]) -> bytes:
    return json.dumps(list(kinds)).encode()


@functools.lru_cache(maxsize=4096)
def _opening_members(opening: OpeningStatus) -> bytes:
    """`"is_open":…,"closes_at":…,"opens_at":…,"hours_unknown":…`: written once per distinct opening
    (the index shares one per schedule and minute)."""
    members = {
        "is_open": opening.is_open,
        "closes_at": opening.closes_at,
        "opens_at": opening.opens_at,
        "hours_unknown": opening.unknown,
    }
    return json.dumps(members, cls=NinjaJSONEncoder, separators=(",", ":"))[1:-1].encode()


@router.get(
    "/search",
    response={200: PlaceSearchOut, 404: PublicErrorOut, **ERRORS},
    summary="按地点查找服务阵地",
    description=(
        "按输入的地点查找对公众开放的服务阵地。地点是区县、开发区等区域时，返回区域边界内的阵地"
        "（scope=area），离您的位置（lat/lng，可选）由近到远，未给出位置时离区域内一点由近到远；"
        "地点是驿站名称、地址或地标时，返回其周围 radius 米内的阵地（scope=radius）。地址和地标经配置的"
        "地址查询服务（高德或天地图）查找；未配置或暂时无法使用时只在本会阵地的名称和地址中查找，并在 notice 中说明。"
        "找不到地点返回 404，参数错误返回 400（中文说明），请求过多返回 429。"
    ),
)
@decorate_view(public_endpoint)
def search(request, query: Query[PlaceQuery]):
    filters = Filters(
        facilities=tuple(query.facility),
        abilities=tuple(query.ability),
        kind=query.kind or "",
        group=query.group or "",
        include_suspended=query.include_suspended,
    )
    near = (query.lng, query.lat, query.crs) if query.lat is not None and query.lng is not None else None
    found = place_search(
        text=query.q, near=near, limit=query.limit, filters=filters, open_now=query.open_now, radii=(query.radius,)
    )
    place = found.place
    if place is None:
        detail = PLACE_NOT_FOUND.format(q=shown(found.lookup.text or query.q))
        if found.notice:
            detail = f"{detail}{found.notice}"
        return Status(404, {"detail": detail, "field": "q"})
    lng, lat = _public_point(place.lng, place.lat, query.crs)
    return {
        "q": found.lookup.text,
        "crs": query.crs,
        "place": {
            "label": place.label,
            "kind": place.kind,
            "lng": lng,
            "lat": lat,
            "adcode": place.adcode or None,
            "address": place.address,
        },
        "scope": "area" if found.in_area else "radius",
        "radius": found.radius_m,
        "notice": found.notice or None,
        "count": len(found.results),
        "results": [_nearby_item(result, query.crs) for result in found.results],
    }


def _nearby_item(result: selectors.NearbyPublic, crs: CRS) -> dict:
    """A nearby result as NearbyItemOut's values (the search's answer goes through its schema)."""
    lng, lat = _public_point(result.record.lng, result.record.lat, crs)
    return {
        **result.record.fields(),
        "lng": lng,
        "lat": lat,
        "is_open": result.opening.is_open,
        "closes_at": result.opening.closes_at,
        "opens_at": result.opening.opens_at,
        "hours_unknown": result.opening.unknown,
        "distance_m": round(result.distance_m),
        "walk_minutes": result.walk_minutes,
        "reported_closed": list(result.reported),
    }


@router.get(
    "/positions/{int:position_id}",
    response={200: PublicPositionOut, 404: PublicErrorOut, **ERRORS},
    summary="服务阵地详情（公众）",
    description="一个对公众开放的服务阵地；规划中、建设中和已摘牌的阵地返回 404。不含管理员姓名和电话。",
)
@decorate_view(public_endpoint)
def position_detail(request, position_id: int, query: Query[DetailQuery]):
    found = selectors.public_position_get(position_id)
    position = found.position
    return {
        **_public_fields(position, query.crs, found.opening),
        "crs": query.crs,
        "weekly_hours": position.weekly_hours,
        "hours_source_text": position.hours_source_text,
        "hours_exceptions": found.exceptions,
        "services": position.services,
        "own_services": position.own_services,
        "served_groups": position.served_groups,
        "verified_on": position.verified_on,
        "opened_on": position.opened_on,
    }
