"""List API benchmark (issue 3, "Measure"): GET /api/v1/positions over 100,000 positions, filtered and
paginated, target median ≤ 30 ms; against GET /api/v1/me (the smallest authenticated ninja endpoint:
session, middleware, actor, JSON) as the baseline, its requests interleaved with the measured ones
(the machine may be shared: both see the same load).

Two figures per query: paging through the list (the count is cached under the list version after
the first page, see positions/listing.py), and the first request of a list (the cache emptied
before each request, so the count is computed). The count is printed too: the same data gives the
same counts before and after a change to the list.

Runs on a throw-away database: SQLite by default, PostgreSQL when DATABASE_URL is set (its own
test_positions_bench database). Requests go through Django's test Client in-process, signed in as the
admin of the national demo federation that `load_national` creates, so every position is in scope.
On PostgreSQL the table is vacuumed and analysed after the bulk load, as autovacuum would do in
service (planner statistics, and the visibility map that index-only scans need); SQLite gets no
ANALYZE, so its plans are the ones a database without statistics gets.

    .venv/bin/python bench/positions_list.py                     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/positions_list.py
    BENCH_POSITIONS=20000 BENCH_REPEAT=30 .venv/bin/python bench/positions_list.py
"""

from __future__ import annotations

import atexit
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("DEBUG", "false")  # as served: no query log kept per statement

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
TARGET_MS = 30.0
DB_NAME = "test_positions_bench"

QUERIES = [
    ("state + kind, page deep in the list", "state=operating&kind=station&limit=50&offset={offset}"),
    ("text search (name/address/initials)", "q=八一路&limit=50&offset=0"),
    ("facility (bit test in the list indexes)", "facility=wifi&state=operating&limit=50&offset={offset}"),
    ("area (province subtree)", "region=440000&limit=50&offset=0"),
    ("no filter, first page", "limit=50&offset=0"),
]


def _timed(client, url: str) -> tuple[float, dict]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed, response.json()


def _medians_ms(client, urls: list[str], *, before_each=None) -> tuple[float, float, int]:
    """Medians of the URLs and of GET /api/v1/me, interleaved, and the lists' count."""
    timings, baseline, counts = [], [], set()
    for url in urls:
        if before_each:
            before_each()
        elapsed, body = _timed(client, url)
        timings.append(elapsed)
        counts.add(body["count"])
        baseline.append(_timed(client, "/api/v1/me")[0])
    assert len(counts) == 1, counts
    return statistics.median(timings) * 1e3, statistics.median(baseline) * 1e3, counts.pop()


def main() -> None:
    db = throwaway_database(DB_NAME)
    atexit.register(db.drop)
    engine = db.engine
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from yizhan.core.audit import audit_context
    from yizhan.core.roles import Role
    from yizhan.orgs.models import Membership, Unit, User
    from yizhan.positions.demo import load_national

    start = time.perf_counter()
    with audit_context(actor_name="bench"):
        load_national(POSITIONS)
    load_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    admin = User.objects.create_user(username="bench-admin", password="Bench-pass-2026")
    Membership.objects.create(user=admin, unit=Unit.objects.get(code="CN-DEMO"), role=Role.FEDERATION_ADMIN)
    client = Client()
    client.force_login(admin)

    def urls(query: str) -> list[str]:
        # Offsets spread over the first ~40 % of the filtered list, so pagination is exercised.
        return [f"/api/v1/positions?{query.format(offset=(i * 797) % (POSITIONS // 3))}" for i in range(REPEAT)]

    for query in [q for _label, q in QUERIES] + ["me"]:  # warm caches and connections
        client.get("/api/v1/me" if query == "me" else urls(query)[0])

    print(f"### List API on {engine}: {POSITIONS:,} positions (generated in {load_s:.1f} s), {REPEAT} requests each\n")
    print(
        "| query | count | median (paging) | baseline GET /api/v1/me | ratio | ≤ 30 ms "
        "| first request (count computed) | baseline | ratio | ≤ 30 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, query in QUERIES:
        paging, paging_base, count = _medians_ms(client, urls(query))
        first, first_base, _count = _medians_ms(client, urls(query), before_each=cache.clear)
        print(
            f"| {label}: `{query.format(offset='…')}` | {count:,} "
            f"| {paging:.1f} ms | {paging_base:.1f} ms | {paging / paging_base:.1f}× | {_verdict(paging)} "
            f"| {first:.1f} ms | {first_base:.1f} ms | {first / first_base:.1f}× | {_verdict(first)} |"
        )


def _verdict(median_ms: float) -> str:
    return "yes" if median_ms <= TARGET_MS else "NO"


if __name__ == "__main__":
    main()
