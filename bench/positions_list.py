"""List API benchmark (issue 3, "Measure"): GET /api/v1/positions over 100,000 positions, filtered and
paginated, target median ≤ 30 ms; against GET /api/v1/me (the smallest authenticated ninja endpoint:
session, middleware, actor, JSON) measured in the same run as the baseline.

Runs on a throw-away database: SQLite by default, PostgreSQL when DATABASE_URL is set (its own
test_positions_bench database). Requests go through Django's test Client in-process, signed in as the
admin of the national demo federation that `load_national` creates, so every position is in scope.

    .venv/bin/python bench/positions_list.py                     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/positions_list.py
    BENCH_POSITIONS=20000 BENCH_REPEAT=30 .venv/bin/python bench/positions_list.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
TARGET_MS = 30.0
DB_NAME = "test_positions_bench"

QUERIES = [
    ("state + kind, page deep in the list", "state=operating&kind=station&limit=50&offset={offset}"),
    ("text search (name/address/initials)", "q=八一路&limit=50&offset=0"),
    ("facility (JSON list containment)", "facility=wifi&state=operating&limit=50&offset={offset}"),
    ("area (province subtree)", "region=440000&limit=50&offset=0"),
    ("no filter, first page", "limit=50&offset=0"),
]


def _setup_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base = url.rsplit("/", 1)[0]
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        os.environ["DATABASE_URL"] = f"{base}/{DB_NAME}"
        return "PostgreSQL"
    tmp = tempfile.mkdtemp(prefix="yizhan-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    return "SQLite"


def _median_ms(client, urls: list[str]) -> float:
    timings = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return statistics.median(timings) * 1e3


def main() -> None:
    engine = _setup_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
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

    admin = User.objects.create_user(username="bench-admin", password="Bench-pass-2026")
    Membership.objects.create(user=admin, unit=Unit.objects.get(code="CN-DEMO"), role=Role.FEDERATION_ADMIN)
    client = Client()
    client.force_login(admin)

    def urls(query: str) -> list[str]:
        # Offsets spread over the first ~40 % of the filtered list, so pagination is exercised.
        return [f"/api/v1/positions?{query.format(offset=(i * 797) % (POSITIONS // 3))}" for i in range(REPEAT)]

    for query in [q for _label, q in QUERIES] + ["me"]:  # warm caches and connections
        client.get("/api/v1/me" if query == "me" else urls(query)[0])
    baseline = _median_ms(client, ["/api/v1/me"] * REPEAT)

    print(f"### List API on {engine}: {POSITIONS:,} positions (generated in {load_s:.1f} s), {REPEAT} requests each\n")
    print("| query | median | baseline GET /api/v1/me | ratio | target ≤ 30 ms |")
    print("|---|---|---|---|---|")
    for label, query in QUERIES:
        median = _median_ms(client, urls(query))
        verdict = "yes" if median <= TARGET_MS else "NO"
        print(
            f"| {label}: `{query.format(offset='…')}` | {median:.1f} ms | {baseline:.1f} ms | "
            f"{median / baseline:.1f}× | {verdict} |"
        )


if __name__ == "__main__":
    main()
