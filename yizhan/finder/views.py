"""The public finder's pages (issue 4): no login, mobile first, Chinese. Thin: each view parses the
request, calls the finder's selectors (or the feedback service) and renders.

The search page works without JavaScript (a GET form: a typed place, filters); with JavaScript the
"use my location" button fills in the phone's WGS-84 position and the map draws the results.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape as html_escape
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import check_for_language, get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext as gettext
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yizhan.core import changes
from yizhan.core.errors import ApplicationError
from yizhan.core.geo.crs import CRS, from_gcj02, to_gcj02
from yizhan.core.geo.distance import distance_m
from yizhan.core.geo.tiles import tile_source
from yizhan.core.hours import SHANGHAI, WEEKDAY_NAMES, WEEKDAYS
from yizhan.core.request_info import remote_addr
from yizhan.finder import selectors
from yizhan.finder.index import Filters
from yizhan.finder.links import AMAP_WALK, amap_walk_from, amap_walk_to, navigation_links
from yizhan.finder.pagecache import PAGES, SLOT_CONTEXT, fill, fill_slots, slot
from yizhan.finder.params import parse_nearby_params
from yizhan.finder.places import place_lookup
from yizhan.finder.walking import walk_minutes
from yizhan.ledger.selectors import CLOSED_KINDS
from yizhan.orgs.geo import region_feature_collection
from yizhan.positions.choices import Ability, Facility, PositionKind, PositionState, ServedGroup, Service, StarRating
from yizhan.positions.rules import suspension_overdue

SEARCH_RADII_M = (5_000, 20_000)  # nearby first; then wider, saying so
# The nearest RESULT_CAP are ranked and sorted as a whole (so a page never repeats or skips one),
# shown PAGE_SIZE a page: short pages keep the phone's page small.
RESULT_CAP = 50
PAGE_SIZE = 10
CARD_NEEDS = 3  # what a card shows of what a station offers; the station page shows all
# By default the open ones first, nearest first (issue 21 §2: the first screen shows the nearest open
# station); "distance" is the plain nearest first. Past-due suspensions come last in every order.
SORTS = {"open": _lazy("营业中的在前"), "distance": _lazy("离我最近"), "stars": _lazy("星级高的在前")}
DEFAULT_SORT = "open"
MAP_POINTS_LIMIT = 5_000
# What a worker most often needs, offered as filters (issue 4 §2); the rest stays on the position page.
NEED_ABILITIES = (Ability.HEAT_FOOD, Ability.DRINK, Ability.TOILET, Ability.REST, Ability.WARM_UP, Ability.COOL_DOWN)
NEED_FACILITIES = (Facility.CHARGING, Facility.WIFI, Facility.FAN_OR_AC, Facility.REFRIGERATOR, Facility.LOCKERS)
# Small pictograms beside the text labels (never the only signal).
ICONS = {
    "heat_food": "🍱", "drink": "💧", "toilet": "🚻", "rest": "🪑", "warm_up": "🔥", "cool_down": "❄️",
    "charging": "🔌", "wifi": "📶", "fan_or_ac": "🌀", "refrigerator": "🧊", "lockers": "🔐",
    "drinking_water": "💧", "microwave": "🍱", "tables_chairs": "🪑", "medicine_kit": "🩹",
    "power_outlets": "🔌", "water_and_power": "🚰", "repair_toolbox": "🧰", "television": "📺", "reading": "📰",
}  # fmt: skip


@functools.lru_cache(maxsize=64)
def _names(enum, language: str) -> dict[str, str]:
    """`enum`'s labels in `language` by value, translated once."""
    return {value: str(label) for value, label in enum.choices}


def _labels(values, enum) -> list[dict]:
    names = _names(enum, get_language())
    return [{"value": v, "label": names.get(v, v), "icon": ICONS.get(v, "")} for v in values]


def _opening_text(opening, state: str, *, overdue: bool = False) -> str:
    if overdue:
        return _("恢复日期已过，状态待确认")  # issue 21 §5: neither open nor closed for sure
    if state == PositionState.SUSPENDED:
        return _("暂停服务")
    if opening.unknown:
        return _("开放时间待核实")  # issue 14 §4: hours not known are never shown as closed
    if opening.is_open:
        if opening.closes_at is None:
            return _("营业中 · 24 小时")
        return _("营业中 · %(time)s 关门") % {"time": opening.closes_at.astimezone(SHANGHAI).strftime("%H:%M")}
    if opening.opens_at is None:
        return _("已关闭")
    local = opening.opens_at.astimezone(SHANGHAI)
    today = timezone.now().astimezone(SHANGHAI).date()
    if local.date() == today:
        when = local.strftime("%H:%M")
    elif local.date() == today + timedelta(days=1):
        when = _("明天 %(time)s") % {"time": local.strftime("%H:%M")}
    else:
        when = f"{WEEKDAY_NAMES[WEEKDAYS[local.weekday()]]} {local.strftime('%H:%M')}"
    return _("已关闭 · %(when)s 开门") % {"when": when}


def _stars(kind: str, stars: int | None) -> dict | None:
    """A station's stars as symbols and words (never by symbol alone); None for centres, which are
    not star-rated."""
    if kind != PositionKind.STATION:
        return None
    if not stars:
        return {"symbols": "", "label": _("未评星")}
    return {"symbols": "★" * stars, "label": _names(StarRating, get_language())[str(stars)]}


@functools.lru_cache(maxsize=8192)
def _fields(record: selectors.PublicRecord) -> dict:
    """A public record's fields, parsed once per record (a record changes with its position): do
    not change the dict."""
    return record.fields()


CODE = "CODE"  # in a station page's URL, where a card's code goes
URL_SAFE = "!$&'()*+,;=/~:@"  # what django.urls.reverse leaves unquoted in a path


@functools.lru_cache(maxsize=256)
def _card_words(language: str) -> dict[str, str]:
    """The fixed words of a result card in `language` (translated once, as the template did)."""
    return {
        "walk": gettext("步行约 %(m)s 分钟 · %(d)s 米"),
        "overdue": gettext("原定 %(d)s 恢复，尚未确认，出发前请先打电话"),
        "reason": gettext("暂停原因："),
        "no_reason": escape(gettext("未说明")),
        "reopen": gettext("，预计 %(d)s 恢复"),
        "reported": gettext("有职工反映："),
        "reported_end": gettext("（待核实），出发前请先打电话"),
        "offers": gettext("提供"),
        "go": gettext("步行导航"),
        "rated": gettext("%(d)s 评定"),
        "call": gettext("打电话"),
    }


@functools.lru_cache(maxsize=256)
def _more_needs(language: str, n: int) -> str:
    return ngettext("等 %(n)s 项", "等 %(n)s 项", n) % {"n": n}


@dataclass(frozen=True)
class _Card:
    """What a result card shows of a station that is the same for every rider, written once per
    public record, language, map system and URL (`_card`): the markup of its parts, escaped."""

    code: str
    name: str
    suspended: bool
    reopen: date | None
    offered: tuple[tuple[str, str], ...]  # (value, label) of what it offers, abilities first
    map_lng: float
    map_lat: float
    path: str  # its page's path
    path_html: str
    name_html: str
    stars_html: str
    reason_html: str  # why it is suspended (when it is and the reopening date has not passed)
    overdue_html: str  # what a card says once that date has passed
    address_html: str
    call_html: str
    walk_to_html: str  # the destination part of its walking link (links.amap_walk_to), escaped


@functools.lru_cache(maxsize=8192)
def _card(record: selectors.PublicRecord, language: str, tile_crs: str, url_of: str) -> _Card:
    fields = _fields(record)
    words = _card_words(language)
    name = fields["short_name"] or fields["name"]
    reopen = date.fromisoformat(fields["expected_reopen_on"]) if fields["expected_reopen_on"] else None
    stars = _stars(fields["kind"], fields["stars"])
    stars_html = ""
    if stars:
        symbols = (
            f'<span class="star-symbols" aria-hidden="true">{html_escape(stars["symbols"])}</span> '
            if stars["symbols"]
            else ""
        )
        rated = (
            f' <small class="r-rated">{words["rated"] % {"d": html_escape(fields["stars_rated_on"])}}</small>'
            if fields.get("stars_rated_on") and stars["symbols"]
            else ""
        )
        stars_html = f'<span class="r-stars">{symbols}{html_escape(stars["label"])}{rated}</span>'
    reason_html = overdue_html = ""
    if fields["state"] == PositionState.SUSPENDED:
        if reopen is not None:
            overdue_html = '<p class="r-reason">%s</p>' % (words["overdue"] % {"d": reopen.isoformat()})
        again = words["reopen"] % {"d": reopen.isoformat()} if reopen else ""
        why = html_escape(fields["state_reason"]) if fields["state_reason"] else words["no_reason"]
        reason_html = f'<p class="r-reason">{words["reason"]}{why}{again}</p>'
    call_html = ""
    if fields["public_phone"]:
        phone = html_escape(fields["public_phone"])
        call_html = (
            f'<a class="btn r-call" href="tel:{phone}"><span aria-hidden="true">📞</span> {words["call"]}'
            f'<span class="visually-hidden"> {phone}</span></a>'
        )
    offered = [(v, _names(Ability, language).get(v, v)) for v in fields["abilities"]]
    offered += [(v, _names(Facility, language).get(v, v)) for v in fields["facilities"] if v in NEED_FACILITIES]
    map_lng, map_lat = from_gcj02(record.lng, record.lat, tile_crs)
    path = url_of.replace(CODE, quote(fields["code"], safe=URL_SAFE))
    return _Card(
        code=fields["code"],
        name=name,
        suspended=fields["state"] == PositionState.SUSPENDED,
        reopen=reopen,
        offered=tuple(offered),
        map_lng=map_lng,
        map_lat=map_lat,
        path=path,
        path_html=html_escape(path),
        name_html=html_escape(name),
        stars_html=stars_html,
        reason_html=reason_html,
        overdue_html=overdue_html,
        address_html=html_escape(fields["address"]),
        call_html=call_html,
        walk_to_html=html_escape(amap_walk_to(name=name, lng=record.lng, lat=record.lat)),
    )


@functools.lru_cache(maxsize=8192)
def _needs_html(offered: tuple[tuple[str, str], ...], asked: frozenset, language: str) -> str:
    """A card's top CARD_NEEDS of what it offers (what the rider asked for first, else as listed)
    and how many more its page lists."""
    if not offered:
        return ""
    ordered = sorted(offered, key=lambda pair: pair[0] not in asked)  # stable
    items = "".join(
        f'<li><span aria-hidden="true">{ICONS.get(v, "")}</span> {html_escape(label)}</li>'
        for v, label in ordered[:CARD_NEEDS]
    )
    more = len(offered) - min(len(offered), CARD_NEEDS)
    if more:
        items += f'<li class="r-more">{_more_needs(language, more)}</li>'
    return f'<ul class="r-needs" aria-label="{_card_words(language)["offers"]}">{items}</ul>'


@functools.lru_cache(maxsize=4096)
def _opening_text_on(opening, state: str, overdue: bool, language: str, today: date) -> str:
    return _opening_text(opening, state, overdue=overdue)


def _cards(
    items: list[selectors.NearbyPublic],
    *,
    first_number: int,
    language: str,
    tile_crs: str,
    url_of: str,
    today: date,
    asked: frozenset,
    back: str,
    origin: tuple[float, float] | None,
) -> tuple[str, list[dict]]:
    """The result cards (the `<li>` of each: issue 21 §2, compact and numbered as on the map: name,
    walk, open state, the top needs, walking directions and call; the rest is on the station page)
    and the map's points, written here rather than through the template engine, which took most of
    a results page's time (issue 21, "Measured"): the same markup, words and escaping as
    `{% translate %}`/`{% blocktranslate %}` give. What is the same for every rider is kept per
    station (`_card`); a card adds the rider's walk, the opening now and the links from the rider."""
    words = _card_words(language)
    query = f"?{back}" if back else ""
    query_html = html_escape(query)
    walk_from = html_escape(amap_walk_from(origin)) + "&amp;" if origin is not None else ""
    out, points = [], []
    for number, item in enumerate(items, start=first_number):
        card = _card(item.record, language, tile_crs, url_of)
        state = PositionState.SUSPENDED if card.suspended else PositionState.OPERATING
        overdue = card.suspended and suspension_overdue(state=state, expected_reopen_on=card.reopen, today=today)
        opening = item.opening
        if opening.is_open and not card.suspended:
            css, symbol = "is-open", "●"
        elif opening.unknown or overdue:
            css, symbol = "is-unknown", "?"
        else:
            css, symbol = "is-closed", "○"
        opening_text = html_escape(_opening_text_on(opening, state, overdue, language, today))
        reason = card.overdue_html if overdue else card.reason_html
        reported = ""
        if item.reported:
            told = "；".join(html_escape(str(CLOSED_KINDS[kind])) for kind in item.reported)
            reported = (
                f'<p class="r-reason r-reported"><strong>{words["reported"]}</strong>{told}{words["reported_end"]}</p>'
            )
        go = ""
        if not card.suspended or overdue:
            go = (
                f'<a class="btn-primary r-go" href="{AMAP_WALK}{walk_from}{card.walk_to_html}" data-provider="amap" '
                f'rel="noopener" target="_blank"><span aria-hidden="true">🚶</span> {words["go"]}</a>'
            )
        walk = words["walk"] % {"m": item.walk_minutes, "d": round(item.distance_m)}
        out.append(
            f'<li class="result{" is-suspended" if card.suspended else ""}" id="r-{number}">\n'
            f'    <h2><span class="r-num" aria-hidden="true">{number}</span> '
            f'<a href="{card.path_html}{query_html}">{card.name_html}</a></h2>\n'
            f'    <p class="r-meta">\n      <span class="r-walk">{walk}</span>\n'
            f'      <span class="r-open {css}"><span aria-hidden="true">{symbol}</span> {opening_text}</span>\n'
            f"      {card.stars_html}\n    </p>\n"
            f"    {reason}{reported}{_needs_html(card.offered, asked, language)}\n"
            f'    <p class="r-addr">{card.address_html}</p>\n'
            f'    <p class="r-actions">\n      {go}\n      {card.call_html}\n    </p>\n  </li>\n'
        )
        points.append(
            {"lat": card.map_lat, "lng": card.map_lng, "name": card.name, "code": card.code, "n": number,
             "url": card.path + query}
        )  # fmt: skip
    return "".join(out), points


ABILITY_VALUES = frozenset(Ability.values)
FACILITY_VALUES = frozenset(Facility.values)
KIND_VALUES = frozenset(PositionKind.values)
GROUP_VALUES = frozenset(ServedGroup.values)


def _filters_from(request: HttpRequest) -> dict:
    get = request.GET
    return {
        "ability": [a for a in get.getlist("ability") if a in ABILITY_VALUES],
        "facility": [f for f in get.getlist("facility") if f in FACILITY_VALUES],
        "kind": get.get("kind") if get.get("kind") in KIND_VALUES else "",
        "group": get.get("group") if get.get("group") in GROUP_VALUES else "",
        "open_now": get.get("open_now") in ("1", "on", "true"),
    }


def _located(request: HttpRequest) -> tuple[float, float, str] | None:
    """The rider's point (lng, lat, crs) the page was given, or None; ApplicationError when given wrong."""
    if not (request.GET.get("lat") or request.GET.get("lng")):
        return None
    params = parse_nearby_params({"lat": request.GET.get("lat"), "lng": request.GET.get("lng"),
                                  "crs": request.GET.get("crs")})  # fmt: skip
    return params["lng"], params["lat"], str(params["crs"])


def _search_state(*, located, query: str, chosen: dict, sort: str) -> list[tuple[str, str]]:
    """The search as query parameters, carried by every link that refines, sorts, pages or opens
    a station and comes back (issue 21 §1: the rider's location is never lost on the way)."""
    state: list[tuple[str, str]] = []
    if located is not None:
        state += [("lat", f"{located[1]:.6f}"), ("lng", f"{located[0]:.6f}"), ("crs", located[2])]
    if query:
        state.append(("q", query))
    state += [("ability", a) for a in chosen["ability"]] + [("facility", f) for f in chosen["facility"]]
    state += [(name, chosen[name]) for name in ("kind", "group") if chosen[name]]
    if chosen["open_now"]:
        state.append(("open_now", "1"))
    if sort != DEFAULT_SORT:
        state.append(("sort", sort))
    return state


SUSPENDED_MEMBER = f'"state":"{PositionState.SUSPENDED.value}"'.encode()  # as a public record writes it


def _rank_key(sort: str, today: date):
    """How results are ordered after the search's own order (nearest first, kept for ties): a
    past-due suspension after every operating position (issue 21 §5), then, when the finder demotes
    them (YIZHAN_FINDER_REPORTED_CLOSED), a position with an open closed/locked problem report
    after the others (issue 15 §4); "open" (the default) puts the ones open now first, "stars" the
    most stars first, "distance" nothing more."""
    demote = selectors.reported_closed_mode() == selectors.DEMOTE

    def key(item: selectors.NearbyPublic):
        fields = None
        overdue = False
        if SUSPENDED_MEMBER in item.record.json:  # only a suspension can be overdue: parse just those
            fields = _fields(item.record)
            reopen = fields["expected_reopen_on"]
            overdue = suspension_overdue(
                state=fields["state"], expected_reopen_on=date.fromisoformat(reopen) if reopen else None, today=today
            )
        demoted = demote and bool(item.reported)
        if sort == "open":
            return (overdue, demoted, not item.opening.is_open)  # a suspended position is never open
        if sort == "stars":
            return (overdue, demoted, -((fields or _fields(item.record))["stars"] or 0))
        return (overdue, demoted)

    return key


def _json_script(value, element_id: str) -> str:
    """`django.utils.html.json_script`'s output, with its three escapes as replacements (its
    `str.translate` took ~0.2 ms of a results page)."""
    text = json.dumps(value, cls=DjangoJSONEncoder)
    text = text.replace(">", "\\u003E").replace("<", "\\u003C").replace("&", "\\u0026")
    return f'<script id="{element_id}" type="application/json">{text}</script>'


def _page_number(raw: str | None, pages: int) -> int:
    try:
        return min(max(int(raw or 1), 1), max(pages, 1))
    except ValueError:
        return 1


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The search page (`_home`). Without the rider's point (the landing page, a typed place) the
    whole page is kept (pagecache.py) for its parameters while nothing the finder watches has
    changed (the change feed's mark) within the minute; a geocoder's trouble is never kept."""
    if request.GET.get("lat") or request.GET.get("lng"):
        return HttpResponse(fill(_home(request)[0], request))
    key = (
        "home-unlocated", get_language(), changes.latest(), int(timezone.now().timestamp() // 60), tile_source(),
        tuple(sorted((name, tuple(values)) for name, values in request.GET.lists())),
    )  # fmt: skip
    page = PAGES.get(key)
    if page is None:
        page, keep = _home(request)
        if keep:
            PAGES.put(key, page)
    return HttpResponse(fill(page, request))


def _home(request: HttpRequest) -> tuple[str, bool]:
    """Search: from the phone's location (lat/lng in `crs`, WGS-84 from a browser) or a typed
    place (`q`, which wins over a location kept from before), nearest operating positions first,
    suspended ones greyed, past-due suspensions after the operating ones; sorted by `sort`, PAGE_SIZE
    a page."""
    chosen = _filters_from(request)
    query = " ".join(request.GET.get("q", "").split())[:60]
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else DEFAULT_SORT
    tiles = tile_source()
    origin = None  # (lng, lat, crs, label)
    area = None  # a typed area's id: its stations are those inside it (issue 14 §5)
    notice = ""  # why the geocoder did not help, when it was needed
    located = None
    error = ""
    try:
        located = _located(request)
    except ApplicationError as problem:
        error = problem.message
    if query:
        lookup = place_lookup(query)
        place, notice = lookup.place, lookup.notice
        if place is None:
            error = _("没有找到“%(q)s”。请换个说法（驿站名称、拼音首字母、地址或区县），或使用定位。") % {"q": query}
        else:
            origin = (place.lng, place.lat, CRS.GCJ02, place.label)
            area = place.region_id
    elif located is not None:
        origin = (located[0], located[1], located[2], _("您的位置"))

    found, radius, searched = [], SEARCH_RADII_M[0], origin is not None
    if origin is not None:
        filters = Filters(
            facilities=tuple(chosen["facility"]),
            abilities=tuple(chosen["ability"]),
            kind=chosen["kind"],
            group=chosen["group"],
        )
        if area is not None:  # nearest to the rider when located, else to a point inside the area
            near = located or origin[:3]
            found = selectors.nearby_in_area(
                region_id=area, lng=near[0], lat=near[1], crs=near[2], limit=RESULT_CAP,
                filters=filters, open_now=chosen["open_now"],
            )  # fmt: skip
        else:
            for radius in SEARCH_RADII_M:
                found = selectors.nearby(
                    lng=origin[0], lat=origin[1], crs=origin[2], radius_m=radius, limit=RESULT_CAP,
                    filters=filters, open_now=chosen["open_now"],
                )  # fmt: skip
                if found:
                    break
    today = timezone.now().astimezone(SHANGHAI).date()
    found = sorted(found, key=_rank_key(sort, today))
    rider = to_gcj02(*located) if located is not None else None  # where walking directions start
    pages = -(-len(found) // PAGE_SIZE)
    page = _page_number(request.GET.get("page"), pages)
    first = (page - 1) * PAGE_SIZE
    state = _search_state(located=located, query=query, chosen=chosen, sort=sort)
    # Opening a station from the results carries the search, so its page measures the walk from the
    # rider and leads back to the same results.
    back = urlencode([*state, ("page", str(page))] if page > 1 else state)
    url_of = reverse("finder:position", args=[CODE])  # once: each card's is this with its code
    language = get_language()
    cards, points = _cards(
        found[first : first + PAGE_SIZE],
        first_number=first + 1,
        language=language,
        tile_crs=tiles.crs,
        url_of=url_of,
        today=today,
        asked=frozenset(chosen["ability"]) | frozenset(chosen["facility"]),
        back=back,
        origin=rider,
    )

    origin_map = None
    if origin is not None:
        gcj = to_gcj02(origin[0], origin[1], origin[2])
        lng, lat = from_gcj02(gcj[0], gcj[1], tiles.crs)
        origin_map = {"lat": lat, "lng": lng, "label": str(origin[3])}
    previous_url = "?" + urlencode([*state, ("page", str(page - 1))]) if page > 1 else ""
    next_url = "?" + urlencode([*state, ("page", str(page + 1))]) if page < pages else ""
    widened = searched and radius != SEARCH_RADII_M[0] and bool(found)

    # The page is kept without what is this request's own (pagecache.py): the rider's point, the
    # cards, the map's data and the pager's links go into its slots.
    def page_context() -> dict:
        return {
            **SLOT_CONTEXT,
            "query": query,
            "chosen": chosen,
            "needs_chosen": len(chosen["ability"]) + len(chosen["facility"]),
            "error": error,
            "notice": notice,
            "in_area": area is not None,
            "searched": searched,
            "located_values": {"lat": slot("lat"), "lng": slot("lng"), "crs": slot("crs")} if located else None,
            "origin_label": origin[3] if origin else "",
            "results": bool(points),
            "cards": mark_safe(slot("cards")),  # noqa: S308 (a marker, replaced by escaped cards)
            "total": len(found),
            "capped": len(found) >= RESULT_CAP,  # more lie farther: the nearest RESULT_CAP are listed
            "page": page,
            "pages": pages,
            "first_number": first + 1,
            "previous_url": slot("previous") if previous_url else "",
            "next_url": slot("next") if next_url else "",
            "sort": sort,
            "default_sort": DEFAULT_SORT,
            "sorts": list(SORTS.items()),
            "radius_km": radius // 1000,
            "widened": widened,
            "abilities": _labels(NEED_ABILITIES, Ability),
            "facilities": _labels(NEED_FACILITIES, Facility),
            "kinds": PositionKind.choices,
            "groups": ServedGroup.choices,
            "tiles": tiles,
            "map_json": mark_safe(slot("map")),  # noqa: S308 (a marker, replaced by _json_script's output)
        }

    chosen_key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in chosen.items())
    key = (
        "home", language, tiles, query, chosen_key,
        str(error), str(notice), area is not None, searched, located is not None, str(origin[3] if origin else ""),
        len(found), page, pages, bool(previous_url), bool(next_url), sort, radius, widened, bool(points),
    )  # fmt: skip
    kept = PAGES.get_or_render(key, lambda: render_to_string("finder/home.html", page_context(), request))
    values = {
        "cards": cards,
        "map": _json_script({"origin": origin_map, "results": points}, "finder-map-data"),
        "previous": escape(previous_url),
        "next": escape(next_url),
    }
    if located is not None:
        values.update(lat=f"{located[1]:.6f}", lng=f"{located[0]:.6f}", crs=escape(located[2]))
    # The page with this search's values, the CSRF token and path still to fill; and whether the
    # page as a whole may be kept for the same parameters (not when a geocoder failed to answer).
    return fill_slots(kept, values), not notice


def _public_position(code: str, at=None) -> selectors.PublicPosition:
    pk = selectors.public_position_pk(code)
    if pk is None:
        raise Http404(selectors.POSITION_NOT_PUBLIC)
    return selectors.public_position_get(pk, at)


KEPT_PAGE_MAX = timedelta(minutes=5)


@require_GET
def position(request: HttpRequest, code: str) -> HttpResponse:
    """One position for the public (issue 21 §4): its short name as the title, open now, the walk
    from the rider when the page was opened from located results (the search's parameters come
    along, and lead back to the same results), walking directions, sharing, a small map, photos,
    hours of the week, how to get in, when staff last verified it, feedback.

    The page as opened by its plain link (shared, scanned, searched for) is kept (pagecache.py)
    while nothing the finder watches has changed (the change feed's mark), until the station opens
    or closes next or the day ends."""
    now = timezone.now()
    if request.GET:  # from located results: measured from the rider, leading back to them
        return render(request, "finder/position.html", _position_context(request, code, now))
    key = ("position", code, get_language(), changes.latest(), request.build_absolute_uri("/"), tile_source())
    kept = PAGES.get(key, now)
    if kept is None:
        context = _position_context(request, code, now)
        kept = render_to_string("finder/position.html", {**context, **SLOT_CONTEXT}, request)
        PAGES.put(key, kept, expires=context["valid_until"])
    return HttpResponse(fill(kept, request))


def _position_context(request: HttpRequest, code: str, now) -> dict:
    found = _public_position(code, at=now)
    p = found.position
    week = [{"day": WEEKDAY_NAMES[d], "spans": ["–".join(s) for s in p.weekly_hours.get(d, [])]} for d in WEEKDAYS]
    now = now.astimezone(SHANGHAI)
    today = WEEKDAYS[now.weekday()]
    overdue = suspension_overdue(state=p.state, expected_reopen_on=p.expected_reopen_on, today=now.date())
    try:
        located = _located(request)
    except ApplicationError:
        located = None  # a link with a broken location still shows the station
    rider = to_gcj02(*located) if located is not None else None
    walk = None
    if rider is not None:
        straight = distance_m(rider[0], rider[1], p.lng, p.lat)
        walk = {"distance_m": round(straight), "minutes": walk_minutes(straight)}
    back = request.GET.urlencode()
    canonical = request.build_absolute_uri(reverse("finder:position", args=[p.code]))
    tiles = tile_source()
    map_lng, map_lat = from_gcj02(p.lng, p.lat, tiles.crs)
    origin_map = None
    if rider is not None:
        origin_lng, origin_lat = from_gcj02(rider[0], rider[1], tiles.crs)
        origin_map = {"lat": origin_lat, "lng": origin_lng, "label": str(_("您的位置"))}
    opening_text = _opening_text(found.opening, p.state, overdue=overdue)
    # What time changes on the page: its opening (open/closed and until when) and the day (today's
    # row, coming exceptions, an overdue reopening, "tomorrow"); and, at the latest after
    # KEPT_PAGE_MAX, what the change feed does not watch (a campaign's honours).
    midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    ends = (found.opening.closes_at, found.opening.opens_at, midnight, now + KEPT_PAGE_MAX)
    valid_until = min(t for t in ends if t is not None)
    photos = list(p.photos.all()[:6])
    context = {
        "valid_until": valid_until,
        "p": p,
        "suspended": p.state == PositionState.SUSPENDED,
        "overdue": overdue,
        "is_open": found.opening.is_open and p.state == PositionState.OPERATING,
        "hours_unknown": found.opening.unknown,
        "opening_text": opening_text,
        "stars": _stars(p.kind, p.stars),
        "week": week,
        "today_label": WEEKDAY_NAMES[today],
        "exceptions": found.exceptions,
        "abilities": _labels(p.abilities, Ability),
        "facilities": _labels(p.facilities, Facility),
        "services": _labels(p.services, Service),
        "groups": _labels(p.served_groups, ServedGroup),
        "photos": photos,
        "links": navigation_links(name=p.display_name, address=p.address, lng=p.lng, lat=p.lat, origin=rider),
        "walk": walk,
        "back_url": reverse("finder:home") + (f"?{back}" if back else ""),
        "from_search": bool(back),
        "canonical_url": canonical,
        "og_image": request.build_absolute_uri(photos[0].image.url) if photos else "",
        "share_text": _("%(name)s：%(open)s · %(address)s · 无需下载 App，点开即可导航")
        % {"name": p.display_name, "open": opening_text, "address": p.address},
        "tiles": tiles,
        "map_data": {
            "origin": origin_map,
            "results": [{"lat": map_lat, "lng": map_lng, "name": p.display_name, "code": p.code, "n": 0}],
        },
    }
    return context


@never_cache
@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """The public pages' language button (`?language=en&next=/…`): Django's `set_language` without
    its POST and CSRF token, so a public page carries no token and sets no CSRF cookie for it (a
    results page is then the same for every rider but their own values: pagecache.py; issue 21,
    "Measured"). Choosing a language is harmless to have done by another site's link; the cookie
    and the checks on `next` (this site only) are `set_language`'s."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("finder:home")
    response = redirect(next_url)
    code = request.GET.get("language", "")
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


QR_MAX_AGE = 24 * 3600


@require_GET
def position_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The station page's address as a QR code (SVG), for sharing from a desktop to a phone."""
    found = _public_position(code)
    url = request.build_absolute_uri(reverse("finder:position", args=[found.position.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    response = HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    return response


@never_cache
def feedback(request: HttpRequest, code: str) -> HttpResponse:
    """Rating and comment from the position page or its poster's QR code (issue 4 §4)."""
    from yizhan.ledger.services import FeedbackLimited, feedback_submit

    found = _public_position(code)
    values = {"rating": "", "text": "", "phone": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            feedback_submit(
                position_id=found.position.pk,
                rating=values["rating"],
                text=values["text"],
                phone=values["phone"],
                source="qr" if request.GET.get("from") == "qr" else "page",
                client=remote_addr(request) or "unknown",
            )
        except FeedbackLimited as limited:
            errors["form"] = limited.message
            status = 429
        except ApplicationError as problem:
            errors[problem.field if problem.field in values else "form"] = problem.message
            status = 400
        else:
            return redirect(reverse("finder:feedback_thanks", args=[code]))
    context = {"p": found.position, "values": values, "errors": errors, "ratings": range(5, 0, -1)}
    return render(request, "finder/feedback.html", context, status=status)


@require_GET
def feedback_thanks(request: HttpRequest, code: str) -> HttpResponse:
    found = _public_position(code)
    return render(request, "finder/feedback_thanks.html", {"p": found.position})


BOUNDARY_DECIMALS = 5  # ~1 m: finer than an outline drawn under the positions needs


def _rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(value, BOUNDARY_DECIMALS) for value in coordinates]
    return [_rounded(part) for part in coordinates]


@require_GET
def boundaries(request: HttpRequest) -> JsonResponse:
    """Areas of the federations on this instance and their districts, in the tile layer's system,
    so the map shows where it is even with no tile server (issue 4 §5)."""
    crs = tile_source().crs
    features = []
    for region in selectors.federation_areas():
        for feature in region_feature_collection(region=region, crs=crs)["features"]:
            geometry = feature["geometry"]
            feature["geometry"] = {**geometry, "coordinates": _rounded(geometry["coordinates"])}
            features.append(feature)
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        json_dumps_params={"separators": (",", ":"), "ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def points(request: HttpRequest) -> JsonResponse:
    """Public positions inside the map's view (`bbox` = west,south,east,north in the tile layer's
    system), at most MAP_POINTS_LIMIT, for the clustered layer of the map."""
    crs = tile_source().crs
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return JsonResponse({"detail": _("参数 bbox 应为 西,南,东,北 四个数字")}, status=400)
    (west, south), (east, north) = to_gcj02(west, south, crs), to_gcj02(east, north, crs)
    rows = selectors.public_points(west=west, south=south, east=east, north=north, limit=MAP_POINTS_LIMIT + 1)
    items = []
    for code, name, short, state, lng, lat in rows[:MAP_POINTS_LIMIT]:
        x, y = from_gcj02(lng, lat, crs)
        items.append(
            {"c": code, "n": short or name, "s": state == PositionState.SUSPENDED, "x": round(x, 6), "y": round(y, 6)}
        )
    response = JsonResponse({"points": items, "truncated": len(rows) > MAP_POINTS_LIMIT})
    response["Cache-Control"] = "public, max-age=30"
    return response
