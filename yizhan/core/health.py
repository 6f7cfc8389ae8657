"""Health endpoints for load balancers and orchestrators: no login, no session, never cached.

- `/health/live`: the process answers (nothing else is checked): restart it when this fails.
- `/health/ready`: the database and the cache answer: send it traffic only when this succeeds.
Neither says anything about the data or the configuration beyond "ok" or which check failed."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
READY_KEY = "health-ready"


def _answer(http_status: int, **body) -> JsonResponse:
    response = JsonResponse(body, status=http_status)
    add_never_cache_headers(response)
    return response


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return _answer(200, status="ok")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("readiness: the database does not answer")
        return False


def _cache_ok() -> bool:
    try:
        cache.set(READY_KEY, 1, 10)
        return cache.get(READY_KEY) == 1
    except Exception:  # any backend's connection error (redis, memcached…) means not ready
        logger.exception("readiness: the cache does not answer")
        return False


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        return _answer(503, status="unavailable", failed=failed)
    return _answer(200, status="ok")
