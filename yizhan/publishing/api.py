"""/api/v1/hsds: the public registry as an Open Referral HSDS 3.0 API, and its change feed
(issue 20 §1–§2). Read-only, no login: the public read what the public map shows (spec §2, §11).

Shapes follow HSDS's own OpenAPI document (publishing/data/hsds/openapi.json): lists are its
`Page` with `contents`; `/services/{id}` is the fully nested service. Bad parameters answer 400
with {"detail", "field"}. Every list and the feed carry `ETag` and `Last-Modified` (the feed's
head: any published change changes both) and answer 304 to a matching `If-None-Match` or a
`If-Modified-Since` not older, before reading any row.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from json.encoder import encode_basestring

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.decorators import decorate_view

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.request_info import remote_addr
from yizhan.finder.ratelimit import rate_limit_hit
from yizhan.positions.exports.hsds import HSDS_VERSION
from yizhan.publishing import keys, selectors, taxonomies
from yizhan.publishing.models import PublicationHead, PublishedPosition
from yizhan.publishing.schemas import HSDS_ANSWERS, ErrorOut, HsdsFeedQuery, HsdsListQuery, HsdsServicesQuery
from yizhan.publishing.selectors import PUBLIC, Reader

router = Router(tags=["hsds"], auth=None)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000
FEED_LIMIT = 1000
JSON_TYPE = "application/json; charset=utf-8"

BAD_PAGE = _("page 必须是不小于 1 的整数")
BAD_PER_PAGE = _("per_page 必须是 1 到 {max} 之间的整数")
BAD_BOOLEAN = _("{name} 只能是 true 或 false")
BAD_MODIFIED_AFTER = _("modified_after 必须是 ISO 8601 日期或时间，如 2026-12-01 或 2026-12-01T08:00:00+08:00")
FUTURE_MODIFIED_AFTER = _("modified_after 不能晚于现在")
BAD_CURSOR = _("since 不是本接口给出的游标")
CURSOR_AHEAD = _("since 游标超出了当前进度，请使用接口返回的 cursor")
CURSOR_EXPIRED = _("发布数据已重建，旧游标失效：请不带 since 重新同步全部数据")
BAD_LIMIT = _("limit 必须是 1 到 {max} 之间的整数")
SERVICE_NOT_FOUND = _("没有这个服务，或它已不再公开")
RATE_LIMITED = _("请求过于频繁，请 {seconds} 秒后再试")


# ------------------------------------------------------------------ parameters


def _int(request, name: str, default: int, low: int, high: int, message) -> int:
    text = request.GET.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApplicationError(message, field=name) from None
    if not low <= value <= high:
        raise ApplicationError(message, field=name)
    return value


def _bool(request, name: str) -> bool:
    text = request.GET.get(name, "").strip().lower()
    if text in ("", "false", "0"):
        return False
    if text in ("true", "1"):
        return True
    raise ApplicationError(BAD_BOOLEAN.format(name=name), field=name)


def _modified_after(request) -> datetime | None:
    text = request.GET.get("modified_after", "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text.replace(" ", "+") if "T" in text else text)
        if moment is None:
            day = parse_date(text)
            moment = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ApplicationError(BAD_MODIFIED_AFTER, field="modified_after")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    if moment > timezone.now():
        raise ApplicationError(FUTURE_MODIFIED_AFTER, field="modified_after")
    return moment


def _per_page(request) -> int:
    return _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, BAD_PER_PAGE.format(max=MAX_PER_PAGE))


def _page(request) -> int:
    return _int(request, "page", 1, 1, 10**9, BAD_PAGE)


# ------------------------------------------------------------------ who reads, conditional answers


def hsds_endpoint(run):
    """The caller as `request.hsds_reader`: a partner by its key (401 for a bad or revoked key, its
    own rate limit, every request counted and audited), else the public by address within the
    public rate limit; then the view. Answers are to be revalidated before reuse."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        secret = keys.presented_key(request)
        key = None
        if secret is None:
            request.hsds_reader = PUBLIC
            retry_after = rate_limit_hit(remote_addr(request) or "unknown")
        else:
            try:
                key = keys.key_authenticate(secret)
            except keys.KeyRefused as refused:
                response = JsonResponse({"detail": refused.message}, status=401)
                response["WWW-Authenticate"] = 'Bearer realm="hsds"'
                return response
            request.hsds_reader = Reader(subtree=key.partner.unit.path, key_id=key.pk)
            retry_after = keys.key_rate_hit(key)
        if retry_after is not None:
            response = JsonResponse({"detail": RATE_LIMITED.format(seconds=retry_after)}, status=429)
            response["Retry-After"] = str(retry_after)
        else:
            try:
                response = run(request, *args, **kwargs)
            except ApplicationError as error:
                # Answered here rather than by the API's handler, so that a keyed request's error
                # is counted and audited like any other answer.
                status = 404 if isinstance(error, NotFoundError) else 400
                body = {"detail": error.message} if status == 404 else {"detail": error.message, "field": error.field}
                response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-cache"
        patch_vary_headers(response, ["Authorization", "X-API-Key"])
        if key is not None:
            keys.key_access_record(key, path=request.get_full_path()[:500], status=response.status_code)
        return response

    return wrapper


def _begin(request) -> tuple[Reader, PublicationHead]:
    """The reader, and the publication's head after bringing it up to date."""
    return request.hsds_reader, selectors.publication_head()


def _validators(request, reader: Reader, head: PublicationHead) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) of a list: the head's epoch and number, the reader and the query."""
    query = hashlib.sha256(f"{reader.tag}\0{request.path}\0{request.GET.urlencode()}".encode()).hexdigest()[:16]
    return f'W/"{head.epoch}-{head.seq}-{query}"', head.modified_at


def _not_modified(request, etag: str, last_modified: datetime | None) -> bool:
    tags = request.headers.get("If-None-Match")
    if tags is not None:
        return tags.strip() == "*" or etag in [t.strip() for t in tags.split(",")]
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and last_modified is not None and int(last_modified.timestamp()) <= since


def _conditional(request, reader: Reader, head: PublicationHead, answer) -> HttpResponse:
    """304 when the caller holds the current answer, else `answer()`; both with the validators."""
    etag, last_modified = _validators(request, reader, head)
    response = HttpResponse(status=304) if _not_modified(request, etag, last_modified) else answer()
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json(body: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(_dumps(body), status=status, content_type=JSON_TYPE)


def _page_body(total: int, page: int, per_page: int, contents: list) -> dict:
    pages = max(1, math.ceil(total / per_page)) if total else 0
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _streamed_page(total: int, texts: Iterable[str]) -> StreamingHttpResponse:
    """One page holding every item (each given as its JSON text), written as it is read (flat
    memory for any size)."""

    def chunks() -> Iterator[str]:
        head = _page_body(total, 1, max(total, 1), [])
        del head["contents"]
        head["size"], head["empty"] = total, total == 0
        yield _dumps(head)[:-1] + ',"contents":['
        buffer, first = [], True
        for text in texts:
            buffer.append(text if first else "," + text)
            first = False
            if len(buffer) >= 1000:
                yield "".join(buffer)
                buffer = []
        buffer.append("]}")
        yield "".join(buffer)

    return StreamingHttpResponse(chunks(), content_type=JSON_TYPE)


@functools.lru_cache(maxsize=4096)
def _last_modified(row_time: datetime) -> str:
    # Cached: the rows of one publication share its time, so a page formats a few times, not 1,000.
    return row_time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def service_out(row: PublishedPosition) -> dict:
    """A published row's fully nested service with the time of its publication."""
    return {**json.loads(row.record), "last_modified": _last_modified(row.modified_at)}


def _minimal(row: tuple) -> dict:
    service_id, name, status, modified_at = row
    return {"id": service_id, "name": name, "status": status, "last_modified": _last_modified(modified_at)}


def _minimal_text(row: tuple) -> str:
    """`_dumps(_minimal(row))`, written directly (the whole registry streams 186,000 of them): the
    id is a UUID and the status one of HSDS's words, so only the name needs encoding."""
    service_id, name, status, modified_at = row
    return (
        f'{{"id":"{service_id}","name":{encode_basestring(name)},"status":"{status}",'
        f'"last_modified":"{_last_modified(modified_at)}"}}'
    )


def _flat_service(row: PublishedPosition) -> dict:
    """A service of a list: its one-to-one fields (HSDS `service_list`)."""
    record = service_out(row)
    return {k: v for k, v in record.items() if not isinstance(v, list | dict)}


# ------------------------------------------------------------------ endpoints


@router.get("/", summary="本接口与 HSDS 的关系", response={200: dict})
def meta(request):
    return {
        "version": HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/latest/hsds/",
        "openapi_url": request.build_absolute_uri("/api/v1/openapi.json"),
    }


@router.get("/services", summary="服务列表（HSDS 3.0，分页）", response={200: dict, **HSDS_ANSWERS})
@decorate_view(hsds_endpoint)
def services(request, query: Query[HsdsServicesQuery]):
    """HSDS `GET /services`: `search`, `modified_after`, `organization_id`, `page`/`per_page`;
    `minimal=true` gives id, name, status and last_modified of every service in one streamed page
    (unless `per_page` is given)."""
    reader, head = _begin(request)
    page, minimal, modified_after = _page(request), _bool(request, "minimal"), _modified_after(request)
    per_page = _per_page(request)
    rows = selectors.service_list(
        reader,
        search=request.GET.get("search", "").strip(),
        modified_after=modified_after,
        organization_id=request.GET.get("organization_id", "").strip(),
    )

    def answer():
        if minimal:
            listed = rows.values_list("service_id", "name", "status", "modified_at")
            if "per_page" not in request.GET:
                return _streamed_page(rows.count(), map(_minimal_text, listed.iterator(chunk_size=5000)))
            return _json(
                _page_body(rows.count(), page, per_page, [_minimal(r) for r in _slice(listed, page, per_page)])
            )
        return _json(_page_body(rows.count(), page, per_page, [_flat_service(r) for r in _slice(rows, page, per_page)]))

    return _conditional(request, reader, head, answer)


def _slice(rows, page: int, per_page: int):
    return rows[(page - 1) * per_page : page * per_page]


@router.get(
    "/services/{service_id}",
    summary="一个服务（HSDS 3.0 完整嵌套）",
    response={200: dict, 404: ErrorOut, **HSDS_ANSWERS},
)
@decorate_view(hsds_endpoint)
def service(request, service_id: str):
    reader, head = _begin(request)
    row = selectors.service_get(reader, service_id)
    if row is None:
        raise NotFoundError(SERVICE_NOT_FOUND)
    etag = f'W/"{head.epoch}-s{row.seq}"'
    response = HttpResponse(status=304) if _not_modified(request, etag, row.modified_at) else _json(service_out(row))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(row.modified_at.timestamp())
    return response


@router.get("/service_at_locations", summary="服务地点列表（HSDS 3.0，分页）", response={200: dict, **HSDS_ANSWERS})
@decorate_view(hsds_endpoint)
def service_at_locations(request, query: Query[HsdsListQuery]):
    reader, head = _begin(request)
    page, per_page, modified_after = _page(request), _per_page(request), _modified_after(request)
    rows = selectors.service_list(reader, search=request.GET.get("search", "").strip(), modified_after=modified_after)

    def answer():
        links = (json.loads(row.record)["service_at_locations"] for row in _slice(rows, page, per_page))
        contents = [link for row_links in links for link in row_links]
        return _json(_page_body(rows.count(), page, per_page, contents))

    return _conditional(request, reader, head, answer)


@router.get("/organizations", summary="机构列表（HSDS 3.0，分页）", response={200: dict, **HSDS_ANSWERS})
@decorate_view(hsds_endpoint)
def organizations(request, query: Query[HsdsListQuery]):
    """The units that own public positions."""
    reader, head = _begin(request)
    page, per_page, modified_after = _page(request), _per_page(request), _modified_after(request)
    search = request.GET.get("search", "").strip().lower()

    def answer():
        found = selectors.organization_list(reader, modified_after=modified_after)
        if search:
            found = [o for o in found if search in o["name"].lower() or search in o["description"].lower()]
        return _json(_page_body(len(found), page, per_page, found[(page - 1) * per_page : page * per_page]))

    return _conditional(request, reader, head, answer)


@router.get("/taxonomies", summary="分类体系（HSDS 3.0，分页）", response={200: dict, **HSDS_ANSWERS})
@decorate_view(hsds_endpoint)
def taxonomy_list(request, query: Query[HsdsListQuery]):
    reader, head = _begin(request)
    page, per_page = _page(request), _per_page(request)
    search = request.GET.get("search", "").strip().lower()

    def answer():
        found = [t for t in taxonomies.TAXONOMIES if not search or search in (t["name"] + t["description"]).lower()]
        return _json(_page_body(len(found), page, per_page, found[(page - 1) * per_page : page * per_page]))

    return _conditional(request, reader, head, answer)


# ------------------------------------------------------------------ the change feed


class CursorExpired(ApplicationError):
    """The cursor is of an earlier epoch of the publication (410: start over)."""


def _cursor(head: PublicationHead, seq: int) -> str:
    return f"{head.epoch}.{seq}"


def _since(request, head: PublicationHead) -> int:
    text = request.GET.get("since", "").strip()
    if not text:
        return 0
    epoch, dot, number = text.partition(".")
    if not dot or not number.isdigit() or not epoch.isalnum():
        raise ApplicationError(BAD_CURSOR, field="since")
    if epoch != head.epoch:
        raise CursorExpired(CURSOR_EXPIRED, field="since")
    seq = int(number)
    if seq > head.seq:
        raise ApplicationError(CURSOR_AHEAD, field="since")
    return seq


def _string(value: str) -> str:
    """A JSON string: the ids are UUID text, written as they are; anything else through json."""
    return f'"{value}"' if _PLAIN_ID.fullmatch(value) else _dumps(value)


_PLAIN_ID = re.compile(r"[0-9A-Za-z-]*")


def change_text(reader: Reader, row: PublishedPosition) -> str:
    """One change as JSON text: the service as now published (its stored text with the time of
    publication spliced in, never decoded), or its tombstone. Written by hand, not by json.dumps
    of a dict: that was a third of a page of 1,000 changes (bench/publishing_feed.py); the tests
    parse every answer."""
    head = f'{{"seq":{int(row.seq)},"id":{_string(row.service_id)}'
    if not selectors.visible_in_feed(reader, row):
        return f'{head},"deleted":true}}'
    if row.former_service_id:
        head = f'{head},"deleted":false,"replaces":{_string(row.former_service_id)}'
    else:
        head = f'{head},"deleted":false'
    return f'{head},"service":{row.record[:-1]},"last_modified":"{_last_modified(row.modified_at)}"}}}}'


def feed_text(reader: Reader, head: PublicationHead, *, after: int, limit: int) -> tuple[str, int, int, bool]:
    """(the feed's answer as JSON text, changes in it, the last number in it, more) after `after`."""
    rows = list(selectors.feed_rows(reader, after=after)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].seq if more else max(head.seq, rows[-1].seq if rows else 0)
    changes = ",".join(change_text(reader, row) for row in rows)
    body = f'{{"cursor":{_dumps(_cursor(head, cursor))},"more":{_dumps(more)},"changes":[{changes}]}}'
    return body, len(rows), rows[-1].seq if rows else after, more


@router.get(
    "/changes",
    summary="变更流：自游标以来的公开阵地变更（含删除标记）",
    response={200: dict, 410: ErrorOut, **HSDS_ANSWERS},
)
@decorate_view(hsds_endpoint)
def feed(request, query: Query[HsdsFeedQuery]):
    """Every change after the cursor `since` (none: from the beginning), oldest first, at most
    `limit` (default and at most 1,000): a position's latest published state (`service`, a fully
    nested HSDS service) or its tombstone (`deleted`: delisted, deleted, no longer public or no
    longer in the reader's subtree). Apply them in order and store `cursor`; `more` says whether
    to ask again at once."""
    reader, head = _begin(request)
    try:
        after = _since(request, head)
    except CursorExpired as error:
        return JsonResponse({"detail": error.message, "field": error.field}, status=410)
    limit = _int(request, "limit", FEED_LIMIT, 1, FEED_LIMIT, BAD_LIMIT.format(max=FEED_LIMIT))

    def answer():
        body, _count, _last, _more = feed_text(reader, head, after=after, limit=limit)
        return HttpResponse(body, content_type=JSON_TYPE)

    return _conditional(request, reader, head, answer)
