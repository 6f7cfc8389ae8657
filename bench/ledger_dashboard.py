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
machine. Runs on a throw-away database (bench/throwaway_db.py).

    .venv/bin/python bench/ledger_dashboard.py
    BENCH_POSITIONS=130000 BENCH_LEDGER_ROWS=1000000 .venv/bin/python bench/ledger_dashboard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_LEDGER_ROWS=10000000 \
        .venv/bin/python bench/ledger_dashboard.py
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
DB_NAME = "test_ledger_bench"
BATCH = 20_000


def _median_ms(call, repeat: int = REPEAT) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e3


def main() -> None:
    db = throwaway_database(DB_NAME)
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
    from yizhan.core.bulk import bulk_insert
    from yizhan.core.roles import Role
    from yizhan.ledger.models import FIGURE_NAMES, DailyLedger
    from yizhan.ledger.services import ledger_months_rebuild
    from yizhan.orgs.models import Membership, Unit, User
    from yizhan.positions.demo import load_national
    from yizhan.positions.models import Position

    start = time.perf_counter()
    with audit_context(actor_name="bench"):
        load_national(POSITIONS)
    ids = list(Position.objects.filter(state="operating").values_list("pk", flat=True))
    today = timezone.localdate()
    days = max(1, -(-ROWS // len(ids)))
    rng = random.Random(15)
    made = 0
    batch = []
    for back in range(days):
        day = today - timedelta(days=back)
        for pk in ids:
            if made >= ROWS:
                break
            visits = rng.randint(0, 60)
            batch.append(
                DailyLedger(
                    position_id=pk,
                    day=day,
                    visits_delivery=visits,
                    ability_drink=visits // 2,
                    service_policy=visits // 10,
                    visits_total=visits,
                    services_total=visits // 2 + visits // 10,
                    entered_by_name="bench",
                )
            )
            made += 1
            if len(batch) >= BATCH:
                bulk_insert(batch)
                batch = []
    if batch:
        bulk_insert(batch)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    months = ledger_months_rebuild()
    summary_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    root = Unit.objects.get(code="CN-DEMO")
    admin = User.objects.create_user(username="bench-admin", password="Bench-pass-2026")
    # A unit admin at the root reaches the same subtree as the federation admin without the second
    # factor the federation admin's session would have to pass first.
    Membership.objects.create(user=admin, unit=root, role=Role.UNIT_ADMIN)
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
    city_ms, city_plain = _median_ms(dashboard), _median_ms(plain_city)
    national_ms, national_plain = _median_ms(national, max(3, REPEAT // 4)), _median_ms(plain_national, 3)
    enter_ms = _median_ms(enter)
    city_positions = Position.objects.filter(unit__path__startswith=city.path).count()
    print(
        f"### Ledger on {db.engine}: {POSITIONS:,} positions, {made:,} daily rows "
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


if __name__ == "__main__":
    main()
