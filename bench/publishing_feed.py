"""The partners' change feed at national scale (issue 20, "Measure"): 186,000 positions and 10,000
changes; targets: a poll with nothing new ≤ 2 ms server time (304), a page of 1,000 changes
≤ 50 ms, the whole `GET /api/v1/hsds/services?minimal=true` streamed in ≤ 5 s with flat memory.
Each is compared with the plain full export of the same data in the same run (the registry's HSDS
file export, `positions/exports/hsds.render`, of every public position).

Requests go through Django's test Client in-process (server time, no network), anonymous, with the
public rate limit off. Memory is Python's peak allocation while the answer is produced and read
(tracemalloc), for the stream and for the export.

    .venv/bin/python bench/publishing_feed.py                  # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/publishing_feed.py
    BENCH_POSITIONS=20000 BENCH_CHANGES=2000 .venv/bin/python bench/publishing_feed.py
"""

from __future__ import annotations

import atexit
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("DEBUG", "false")

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "186000"))
CHANGES = int(os.environ.get("BENCH_CHANGES", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
DB_NAME = "test_publishing_bench"
FEED = "/api/v1/hsds/changes"


def _median_ms(run, repeat: int = REPEAT) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e3


def _peak(run) -> tuple[float, float]:
    """(seconds, peak MiB of Python allocations) of one run."""
    tracemalloc.start()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    db = throwaway_database(DB_NAME)
    atexit.register(db.drop)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.YIZHAN_PUBLIC_RATE = "off"
    call_command("migrate", verbosity=0)
    from yizhan.core.audit import audit_context
    from yizhan.positions.demo import load_national
    from yizhan.positions.exports import hsds
    from yizhan.positions.models import Position
    from yizhan.publishing.publication import refresh

    with audit_context(actor_name="bench"):
        load_national(POSITIONS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    public = Position.objects.public().count()

    start = time.perf_counter()
    head = refresh()
    first_s = time.perf_counter() - start
    before = f"{head.epoch}.{head.seq}"

    # A day's changes: CHANGES positions renamed, in statements of 1,000 (as imports and saves
    # would write them), then the publication brought up to date.
    ids = random.Random(20).sample(list(Position.objects.public().values_list("pk", flat=True)), min(CHANGES, public))
    for i in range(0, len(ids), 1000):
        Position.objects.filter(pk__in=ids[i : i + 1000]).update(short_name=f"变更{i}")
    start = time.perf_counter()
    head = refresh()
    changes_s = time.perf_counter() - start
    now = f"{head.epoch}.{head.seq}"

    client = Client()
    etag = client.get(FEED, {"since": now})["ETag"]

    def poll():
        response = client.get(FEED, {"since": now}, headers={"If-None-Match": etag})
        assert response.status_code == 304, response.status_code

    def page():
        response = client.get(FEED, {"since": before, "limit": 1000})
        assert response.status_code == 200 and len(response.json()["changes"]) == 1000

    def minimal():
        response = client.get("/api/v1/hsds/services", {"minimal": "true"})
        assert response.status_code == 200
        size = sum(len(chunk) for chunk in response.streaming_content)
        assert size > public * 40

    def export():
        # As the staff export reads them (positions/exports/__init__.py::position_export).
        positions = (
            Position.objects.public()
            .select_related("parent_centre", "region__parent__parent")
            .defer("region__parent__boundary", "region__parent__parent__boundary")
        )
        hsds.render(list(positions))

    poll_ms = _median_ms(poll)
    page_ms = _median_ms(page, repeat=max(5, REPEAT // 5))
    minimal_s, minimal_mib = _peak(minimal)
    export_s, export_mib = _peak(export)

    print(f"### Change feed on {db.engine}: {POSITIONS:,} positions ({public:,} public), {len(ids):,} changes\n")
    print(f"First publication of every public position: {first_s:.1f} s; the day's changes: {changes_s:.1f} s\n")
    print("| measure | result | target | |")
    print("|---|---|---|---|")
    print(f"| poll with nothing new (304), median | {poll_ms:.2f} ms | ≤ 2 ms | {'yes' if poll_ms <= 2 else 'NO'} |")
    print(f"| page of 1,000 changes, median | {page_ms:.1f} ms | ≤ 50 ms | {'yes' if page_ms <= 50 else 'NO'} |")
    print(
        f"| `/services?minimal=true` streamed whole | {minimal_s:.2f} s, peak {minimal_mib:.1f} MiB "
        f"| ≤ 5 s, flat | {'yes' if minimal_s <= 5 else 'NO'} |"
    )
    export = f"{export_s:.2f} s, peak {export_mib:.1f} MiB"
    print(f"| plain full HSDS export of the same positions | {export} | (comparison) | |")


if __name__ == "__main__":
    main()
