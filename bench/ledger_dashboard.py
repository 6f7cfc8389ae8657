"""Ledger benchmark (issue 15, "Scale and speed"): the national demo's positions with daily ledger
rows generated in bulk, then

- a city dashboard (the unit whose positions are nearest 2,000, over its subtree, the last 30 days) rendered
  through the staff page, target ≤ 300 ms, against a plain aggregate over the raw table (the same
  sums of every count: SELECT SUM(…)… WHERE day BETWEEN … AND the position's unit in the subtree)
  measured in the same run;
- the national roll-up (the federation's ledger totals over the whole period, /api/v1/ledger/totals),
  target ≤ 1 s, against the plain aggregate over every row;
- entering one day (PUT /api/v1/ledger/positions/{id}/days/{day}), target ≤ 50 ms server time.

The issue's full sizes are 130,000 positions with 10 million rows on PostgreSQL and 1 million on
SQLite (BENCH_POSITIONS, BENCH_LEDGER_ROWS); the defaults are smaller so a run fits a shared
machine. Runs on a throw-away database (bench/throwaway_db.py) named BENCH_DB_NAME; BENCH_KEEP=1
leaves it behind, and BENCH_REUSE=1 with DATABASE_URL naming it measures again without seeding.
On PostgreSQL the daily rows are made by the server (INSERT … SELECT per day): ten million in
minutes where building them in Python takes most of an hour.

    .venv/bin/python bench/ledger_dashboard.py
    BENCH_POSITIONS=130000 BENCH_LEDGER_ROWS=1000000 .venv/bin/python bench/ledger_dashboard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DB_NAME=h15_bench BENCH_KEEP=1 \
        BENCH_POSITIONS=130000 BENCH_LEDGER_ROWS=10000000 .venv/bin/python bench/ledger_dashboard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h15_bench BENCH_REUSE=1 .venv/bin/python bench/ledger_dashboard.py
"""

from __future__ import annotations

import atexit
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("DEBUG", "false")

POSITIONS = int(os.environ.get("BENCH_POSITIONS", "20000"))
ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "200000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
DB_NAME = os.environ.get("BENCH_DB_NAME", "test_ledger_bench")
KEEP = os.environ.get("BENCH_KEEP") == "1"  # leave the database behind (to inspect or profile it)
REUSE = os.environ.get("BENCH_REUSE") == "1"  # measure again on the database DATABASE_URL names (a kept run's)
BATCH = 20_000


CPU = []  # (measure, median CPU ms of this process): on a shared machine, wall time is mostly waiting
BACKEND = []  # PostgreSQL: the pid of this connection's server process (same machine), for its CPU time


def _backend_cpu() -> float:
    """Seconds of CPU the PostgreSQL server process of this connection has used (0 on SQLite, whose
    work is this process's): utime + stime from /proc (parallel workers not counted)."""
    if not BACKEND:
        return 0.0
    try:
        fields = Path(f"/proc/{BACKEND[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _median_ms(call, repeat: int = REPEAT, name: str = "") -> float:
    """The median wall time of `call` in ms; its median CPU time in this process (on SQLite the
    database's work too, on PostgreSQL only Django's) is kept in CPU under `name`."""
    timings, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time() + _backend_cpu()
        call()
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() + _backend_cpu() - start_cpu)
    if name:
        CPU.append((name, statistics.median(cpu) * 1e3))
    return statistics.median(timings) * 1e3


def _figures(visits: int) -> dict[str, int]:
    return {
        "visits_delivery": visits,
        "ability_drink": visits // 2,
        "service_policy": visits // 10,
        "visits_total": visits,
        "services_total": visits // 2 + visits // 10,
    }


def _seed_rows(ids, days, today) -> int:
    """SQLite: the rows built in Python and written with core.bulk (executemany), 20,000 a batch."""
    from yizhan.core.bulk import bulk_insert
    from yizhan.ledger.models import DailyLedger

    rng = random.Random(15)
    made = 0
    batch = []
    for back in range(days):
        day = today - timedelta(days=back)
        for pk in ids:
            if made >= ROWS:
                break
            batch.append(DailyLedger(position_id=pk, day=day, entered_by_name="bench", **_figures(rng.randint(0, 60))))
            made += 1
            if len(batch) >= BATCH:
                bulk_insert(batch)
                batch = []
    if batch:
        bulk_insert(batch)
    return made


def _seed_postgresql(connection, ids, days, today) -> int:
    """PostgreSQL: the rows made by the server in one INSERT … SELECT per day (positions × the day,
    visits a deterministic hash of position and day in 0–60): ten million rows in minutes, where
    building them in Python would take most of an hour. The same columns and figures as `_seed_rows`."""
    from yizhan.ledger.models import DailyLedger
    from yizhan.positions.models import Position

    meta = DailyLedger._meta
    figures = _figures(0)
    visits = "((p.id * 7919 + %(back)s * 104729) %% 61)"
    expressions = {
        "visits_delivery": visits,
        "ability_drink": f"{visits} / 2",
        "service_policy": f"{visits} / 10",
        "visits_total": visits,
        "services_total": f"{visits} / 2 + {visits} / 10",
        "position_id": "p.id",
        "day": "%(day)s::date",
        "own_items": "'{}'::jsonb",
        "version": "1",
        "entered_by_id": "NULL",
        "entered_by_name": "'bench'",
        "created_at": "now()",
        "updated_at": "now()",
    }
    assert set(figures) <= set(expressions)
    columns = [f for f in meta.concrete_fields if not f.primary_key]
    select = ", ".join(expressions.get(f.attname, "0") for f in columns)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    made = 0
    with connection.cursor() as cursor:
        for back in range(days):
            chunk = ids[: max(0, min(len(ids), ROWS - made))]
            if not chunk:
                break
            cursor.execute(
                f"INSERT INTO {meta.db_table} ({names}) SELECT {select} FROM {Position._meta.db_table} p "  # noqa: S608 (names from the model)
                "WHERE p.id = ANY(%(ids)s)",
                {"back": back, "day": today - timedelta(days=back), "ids": chunk},
            )
            made += len(chunk)
    return made


def main() -> None:
    if REUSE:
        db = None  # DATABASE_URL names the database a BENCH_KEEP=1 run left behind
    else:
        db = throwaway_database(DB_NAME)
        if not KEEP:
            atexit.register(db.drop)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum
    from django.test import Client
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from yizhan.core.audit import audit_context
    from yizhan.core.roles import Role
    from yizhan.ledger.models import FIGURE_NAMES, DailyLedger, LedgerMonth
    from yizhan.ledger.services import ledger_months_rebuild
    from yizhan.orgs.models import Membership, Unit, User
    from yizhan.positions.demo import load_national
    from yizhan.positions.models import Position

    today = timezone.localdate()
    root_code = "CN-DEMO"
    if REUSE:
        # The rows as a kept run left them (its entries of one day included), re-measured after a
        # change of code or schema (migrated above); the days entered below go before the earliest.
        load_s = summary_s = 0.0
        made = DailyLedger.objects.count()
        months = LedgerMonth.objects.count()
        days = (today - DailyLedger.objects.order_by("day").values_list("day", flat=True).first()).days + 1
        admin = User.objects.get(username="bench-admin")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE ledger_dailyledger")
    else:
        start = time.perf_counter()
        with audit_context(actor_name="bench"):
            load_national(POSITIONS)
        ids = list(Position.objects.filter(state="operating").values_list("pk", flat=True))
        days = max(1, -(-ROWS // len(ids)))
        if connection.vendor == "postgresql":
            made = _seed_postgresql(connection, ids, days, today)
        else:
            made = _seed_rows(ids, days, today)
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        months = ledger_months_rebuild()
        summary_s = time.perf_counter() - start
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        admin = User.objects.create_user(username="bench-admin", password="Bench-pass-2026")
        # A unit admin at the root reaches the same subtree as the federation admin without the
        # second factor the federation admin's session would have to pass first.
        Membership.objects.create(user=admin, unit=Unit.objects.get(code=root_code), role=Role.UNIT_ADMIN)
    root = Unit.objects.get(code=root_code)
    client = Client()
    client.force_login(admin)
    # The city has about 2,000 positions: the unit whose count is nearest (BENCH_CITY_POSITIONS).
    wanted = int(os.environ.get("BENCH_CITY_POSITIONS", "2000"))
    counted = Unit.objects.filter(path__startswith=root.path).exclude(pk=root.pk).annotate(n=Count("positions"))
    city = min(counted, key=lambda unit: abs(unit.n - wanted))
    since = today - timedelta(days=29)

    def dashboard():
        response = client.get("/staff/ledger/dashboard/", {"unit": city.pk})
        assert response.status_code == 200, response.status_code

    # The same sums as the page's totals (every count, both totals, the number of days) over the
    # same rows, as one bare aggregate: what the database alone costs.
    sums = {name: Sum(name) for name in (*FIGURE_NAMES, "visits_total", "services_total")}

    def plain_city():
        units = Unit.objects.filter(path__startswith=city.path).values("pk")
        return (
            DailyLedger.objects.filter(day__gte=since, day__lte=today, position__unit__in=units)
            .order_by()
            .aggregate(n=Count("pk"), **sums)
        )

    def national():
        response = client.get("/api/v1/ledger/totals")
        assert response.status_code == 200, response.status_code

    def plain_national():
        return DailyLedger.objects.order_by().aggregate(n=Count("pk"), **sums)

    target = Position.objects.filter(state="operating").order_by("pk").first()
    counter = iter(range(10**6))

    def enter():
        day = today - timedelta(days=days + next(counter))
        response = client.put(
            f"/api/v1/ledger/positions/{target.pk}/days/{day.isoformat()}",
            {"figures": {"visits_delivery": 5}},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    dashboard(), national()  # warm caches and connections
    if connection.vendor == "postgresql" and connection.settings_dict["HOST"] in ("127.0.0.1", "localhost", ""):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            BACKEND.append(cursor.fetchone()[0])
    city_ms, city_plain = (
        _median_ms(dashboard, name="city dashboard"),
        _median_ms(plain_city, name="its plain aggregate"),
    )
    national_ms = _median_ms(national, max(3, REPEAT // 4), name="national roll-up")
    national_plain = _median_ms(plain_national, 3, name="its plain aggregate")
    enter_ms = _median_ms(enter, name="entering one day")
    city_positions = Position.objects.filter(unit__path__startswith=city.path).count()
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    again = " (kept rows, measured again)" if REUSE else ""
    print(
        f"### Ledger on {engine}{again}: {Position.objects.count():,} positions, {made:,} daily rows "
        f"({days} days; generated in {load_s:.1f} s; {months:,} monthly summary rows built in {summary_s:.1f} s), "
        f"{REPEAT} requests each\n"
    )
    print("| measure | median | plain GROUP BY in the same run | target | met |")
    print("|---|---|---|---|---|")
    print(
        f"| city dashboard page ({city.name}, {city_positions:,} positions, 30 days) | {city_ms:.1f} ms "
        f"| {city_plain:.1f} ms | ≤ 300 ms | {'yes' if city_ms <= 300 else 'NO'} |"
    )
    print(
        f"| national roll-up (/api/v1/ledger/totals, every row) | {national_ms:.1f} ms | {national_plain:.1f} ms "
        f"| ≤ 1 s | {'yes' if national_ms <= 1000 else 'NO'} |"
    )
    met = "yes" if enter_ms <= 50 else "NO"
    print(f"| entering one day (PUT, in process) | {enter_ms:.1f} ms | — | ≤ 50 ms | {met} |")
    whose = "this process and its PostgreSQL server process" if BACKEND else "this process"
    print(f"\nCPU time of {whose} (median): " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in CPU))
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if KEEP:
        print(f"\nkept: DATABASE_URL={os.environ['DATABASE_URL']}")


if __name__ == "__main__":
    main()
