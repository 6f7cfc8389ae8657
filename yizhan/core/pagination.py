"""API pagination for large tables, with what paging through one list can reuse cached under a
data version: its count, the keys of a short list, checkpoints into a long one."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

# Entries are keyed by the data version, so they never outlive a write; the time limit only clears
# out entries of versions that have passed.
CACHE_TTL_S = 600
# A list this long or shorter keeps all its keys, in order: its pages are slices (a few kB cached).
SHORT_LIST = 5000
# A longer list ordered by one unique column keeps that column's value at every CHECKPOINT-th row:
# a deep page starts from the checkpoint before it instead of stepping over every row above it.
CHECKPOINT = 1000
# No list holds a billion rows; a larger offset is refused as input (422) instead of reaching the
# database, where SQLite cannot bind an integer over 2**63 - 1 and the request would fail with a 500.
MAX_OFFSET = 10**9


class VersionedCountQuerySet(QuerySet):
    """A queryset whose count, and the keys pagination needs, are cached under `count_version()`:
    a token that changes with every committed write that could change the list (for positions:
    database triggers, see positions/listing.py). Counting 100,000 rows costs more than the rest of
    a list page, and paging through one filtered list asks for the same count again and again."""

    def count_version(self) -> object | None:
        """The data version, or None when nothing may be cached (e.g. inside a transaction)."""
        raise NotImplementedError

    def _key(self, kind: str, queryset: QuerySet, version: object) -> str | None:
        """The cache key of `kind` for `queryset` (its SQL names what it holds) at `version`."""
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing: no query to run or to cache
            return None
        return f"{kind}:" + hashlib.sha256(repr((self.db, version, sql, params)).encode()).hexdigest()

    def _cached(self, kind: str, queryset: QuerySet, version: object, compute: Callable[[], Any]) -> Any:
        key = self._key(kind, queryset, version)
        if key is None:
            return compute()
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, CACHE_TTL_S)
        return value

    def _count_query(self) -> QuerySet:
        # The filters as SQL, the same whatever the order or the columns asked for.
        return self.order_by().values("pk")

    def count(self) -> int:
        if self._result_cache is not None:
            return len(self._result_cache)
        version = self.count_version()
        if version is None:
            return super().count()
        return self._cached("count", self._count_query(), version, super().count)

    def page_keys(self, offset: int, limit: int) -> tuple[list, int] | None:
        """(keys of the page, count) from what the cache holds for this list, or None when the
        page is to be read as usual. Once the count is cached (from an earlier page), a short list
        is read whole and a long one gets checkpoints: later pages cost one short read or none."""
        version = self.count_version()
        if version is None:
            return None
        count_key = self._key("count", self._count_query(), version)
        count = cache.get(count_key) if count_key else None
        if count is None:
            return None
        if count <= SHORT_LIST:
            keys_query = self.values_list("pk", flat=True)
            every_key = self._cached("keys", keys_query, version, lambda: list(keys_query))
            return every_key[offset : offset + limit], count
        column = _unique_order_column(self)
        if column is None or offset < CHECKPOINT:
            return None
        name, descending = column
        values = self.values_list(name, flat=True)
        checkpoints = self._cached("checkpoints", values, version, lambda: list(values)[::CHECKPOINT])
        n = offset // CHECKPOINT
        if n >= len(checkpoints):
            return [], count
        start = self.filter(**{f"{name}__{'lte' if descending else 'gte'}": checkpoints[n]})
        skip = offset - n * CHECKPOINT
        return list(start.values_list("pk", flat=True)[skip : skip + limit]), count


def _unique_order_column(queryset: QuerySet) -> tuple[str, bool] | None:
    """(column, descending) when the queryset is ordered by one unique, non-null column alone."""
    if len(queryset.query.order_by) != 1 or not isinstance(queryset.query.order_by[0], str):
        return None
    name = queryset.query.order_by[0]
    descending = name.startswith("-")
    meta = queryset.model._meta
    try:
        field = meta.pk if name.removeprefix("-") == "pk" else meta.get_field(name.removeprefix("-"))
    except FieldDoesNotExist:  # a related column ("unit__name") or an annotation
        return None
    if not (field.concrete and field.unique and not field.null):
        return None
    return field.name, descending


class BoundedPagination(LimitOffsetPagination):
    """Ninja's limit/offset pages with an upper bound on the offset (see MAX_OFFSET); every paged
    list of the API uses this class or one built on it."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class KeysFirstPagination(BoundedPagination):
    """Limit/offset pages that sort only the primary keys, then load the page's rows.

    Ordering a filtered set of 100,000 wide rows (JSON lists, joined unit and area) makes the
    database sort every full row for each page; sorting the narrow (key, sort column) pairs through
    an index and fetching 50 rows by key afterwards gives the same page for a fraction of the work.
    A page shorter than the limit ends the list, so it gives the count without counting; a
    VersionedCountQuerySet lets later pages of the same list reuse its count and keys.
    """

    def paginate_queryset(self, queryset: QuerySet, pagination: Any, request, **params: Any) -> Any:
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        known = queryset.page_keys(offset, limit) if isinstance(queryset, VersionedCountQuerySet) else None
        if known is not None:
            keys, count = known
        else:
            keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
            if len(keys) < limit and (keys or offset == 0):
                count = offset + len(keys)
            else:
                count = self._items_count(queryset)
        rows = {row.pk: row for row in _rows_by_key(queryset, keys)} if keys else {}
        return {self.items_attribute: [rows[key] for key in keys if key in rows], "count": count}


def _rows_by_key(queryset: QuerySet, keys: list) -> QuerySet:
    """The rows of `keys`, loaded as `queryset` loads them (related rows, deferred fields), by key
    alone: its filters already chose the keys, and repeating them can lead a planner without
    statistics (SQLite's) to scan an index of the filter column rather than fetch 50 rows."""
    query = queryset.query
    if query.annotation_select or query.extra_select or queryset._fields is not None:
        return queryset.order_by().filter(pk__in=keys)
    rows = queryset.model._base_manager.using(queryset.db).filter(pk__in=keys)
    rows.query.select_related = query.select_related
    rows.query.deferred_loading = query.deferred_loading
    if queryset._prefetch_related_lookups:
        rows = rows.prefetch_related(*queryset._prefetch_related_lookups)
    return rows
