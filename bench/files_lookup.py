"""`/files/<name>` lookup benchmark (decision 36): which row holds a requested file name, asked
through the row's scope (`core.media.file_visible_to`) and, for public photos, through the public
finder's rule (`core.media.file_is_public`).

The demo is loaded, then BENCH_ROWS rows with files are added to each of three tables: problem
reports with photos (a private field with a fixed prefix), jobs with result files (the job's field:
its `upload_to` is a function), and position photos (the public field). For each lookup the
queries it runs are printed with their plan (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN
ANALYZE, after VACUUM ANALYZE as autovacuum would), then the lookup's median time over
BENCH_REPEAT calls, as the district admin `zs_admin` (a unit below the federation: the scope
filter is not trivially everything).

    .venv/bin/python bench/files_lookup.py                     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/files_lookup.py
    BENCH_ROWS=20000 .venv/bin/python bench/files_lookup.py
    BENCH_WITHOUT_INDEXES=1 .venv/bin/python bench/files_lookup.py   # as before the file-name indexes

BENCH_WITHOUT_INDEXES=1 drops the file columns' indexes (the `*_file_name_index` migrations) after
migrating, and counts a job's result file as any name's (no `jobs/` prefix): the lookup as it was.
"""

from __future__ import annotations

import atexit
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("DEBUG", "false")

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
WITHOUT_INDEXES = os.environ.get("BENCH_WITHOUT_INDEXES") == "1"
REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))

database = throwaway_database(os.environ.get("BENCH_DB_NAME", "yizhan_bench_files"))
atexit.register(database.drop)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from yizhan.core import media  # noqa: E402
from yizhan.core.jobs.models import Job  # noqa: E402
from yizhan.core.media import file_is_public, file_visible_to, upload_fields  # noqa: E402
from yizhan.core.roles import Action  # noqa: E402
from yizhan.core.scoping import Actor  # noqa: E402
from yizhan.ledger.models import ProblemReport  # noqa: E402
from yizhan.orgs.models import User  # noqa: E402
from yizhan.positions.models import Position, PositionPhoto  # noqa: E402


def fill() -> None:
    positions = list(Position.objects.order_by("pk").values_list("pk", "unit__path"))
    ProblemReport.objects.bulk_create(
        ProblemReport(
            position_id=positions[i % len(positions)][0],
            kind="closed",
            photo=f"ledger/problems/2026/01/bench-{i}.jpg",
            due_on=date(2026, 1, 31),
            status="resolved" if i % 2 else "open",
            settled_on=date(2026, 1, 20) if i % 2 else None,
        )
        for i in range(ROWS)
    )
    PositionPhoto.objects.bulk_create(
        PositionPhoto(position_id=positions[i % len(positions)][0], image=f"positions/photos/2026/01/bench-{i}.jpg")
        for i in range(ROWS)
    )
    owner = User.objects.get(username="zs_admin")
    membership = owner.memberships.get()
    Job.objects.bulk_create(
        Job(
            kind="bench",
            owner=owner,
            owner_name=owner.username,
            membership_id=membership.pk,
            unit_path=positions[i % len(positions)][1],
            unit_name="bench",
            state="succeeded",
            result_file=f"jobs/2026/01/bench-{i}.xlsx",
        )
        for i in range(ROWS)
    )


def without_indexes() -> None:
    """The file columns as they were: no index, and the job's field asked for every name."""
    with connection.cursor() as cursor:
        for upload in upload_fields():
            for index in upload.model._meta.indexes:
                if index.fields == [upload.name]:
                    cursor.execute(f'DROP INDEX "{index.name}"')
    media.upload_fields.cache_clear()
    media.fixed_prefix = lambda upload_to: None if callable(upload_to) else str(upload_to).split("%", 1)[0]


def plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN ANALYZE {sql}")
        return [row[0] for row in cursor.fetchall()]


def measure(label: str, lookup) -> None:
    with CaptureQueriesContext(connection) as captured:
        answer = lookup()
    print(f"\n## {label}: {answer}, {len(captured.captured_queries)} queries")
    for query in captured.captured_queries:
        print("  SQL:", query["sql"][:300] + ("…" if len(query["sql"]) > 300 else ""))
        for line in plan(query["sql"]):
            print("     ", line)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        lookup()
        times.append(time.perf_counter() - started)
    median, p90 = statistics.median(times) * 1000, sorted(times)[REPEAT * 9 // 10] * 1000
    print(f"  median {median:.3f} ms over {REPEAT} (p90 {p90:.3f} ms)")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    fill()
    if WITHOUT_INDEXES:
        without_indexes()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    user = User.objects.get(username="zs_admin")
    actor = Actor(user=user, membership=user.memberships.get())
    seen = ProblemReport.objects.restrict(actor, Action.VIEW).order_by("-pk").values_list("photo", flat=True)[0]
    unseen = ProblemReport.objects.exclude(pk__in=ProblemReport.objects.restrict(actor, Action.VIEW).values("pk"))
    unseen = unseen.order_by("-pk").values_list("photo", flat=True)[0]
    own_job = Job.objects.restrict(actor, Action.VIEW).order_by("-pk").values_list("result_file", flat=True)[0]
    photo = PositionPhoto.objects.filter(position__in=Position.objects.public()).order_by("-pk")[0].image.name
    state = "without" if WITHOUT_INDEXES else "with"
    tables = "ledger_problemreport, positions_positionphoto, core_job"
    print(f"{database.engine}, {state} the file-name indexes: {ROWS} rows each in {tables}")
    measure(f"private problem photo in scope ({seen})", lambda: file_visible_to(seen, actor))
    measure(f"private problem photo out of scope ({unseen})", lambda: file_visible_to(unseen, actor))
    measure(f"private job result, own job ({own_job})", lambda: file_visible_to(own_job, actor))
    measure("name no row holds", lambda: file_visible_to("ledger/problems/2026/01/none.jpg", actor))
    measure(f"public position photo ({photo})", lambda: file_is_public(photo))


if __name__ == "__main__":
    main()
