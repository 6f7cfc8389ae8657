"""`make bench`: measured costs of the foundation, as ratios against a baseline measured in the same run.

1. Audited writes: creating units through the service (audit entry with before/after snapshot and
   hash-chain link per row) against the same service with the audit call switched off, and
   against plain `Model.save()` rows (the floor for one-row-per-transaction writes).
2. Scoped reads: `Unit.objects.restrict(actor)` for a district admin against the same query with
   the prefix filter written by hand (the floor), over a tree of several thousand units.
3. Chain verification: `audit_verify()` throughput against reading the same rows without hashing.

Runs on a throw-away database: SQLite by default, PostgreSQL when DATABASE_URL is set
(`DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench` uses a separate test_bench db).
Writes a Markdown table to stdout.
"""

from __future__ import annotations

import atexit
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throwaway_db import throwaway_database  # noqa: E402 (bench/ is on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")

UNITS = int(os.environ.get("BENCH_UNITS", "2000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))


def _timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return time.perf_counter() - start


def main() -> None:
    db = throwaway_database("test_bench")
    atexit.register(db.drop)
    engine = db.engine
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from yizhan.core import audit as audit_module
    from yizhan.core.audit import audit_context, audit_verify
    from yizhan.core.models import AuditEntry
    from yizhan.core.roles import Role
    from yizhan.orgs.choices import RegionLevel, UnitType
    from yizhan.orgs.models import Membership, Region, Unit, User
    from yizhan.orgs.selectors import actor_for_user
    from yizhan.orgs.services import federation_create, unit_create

    province = Region.objects.create(adcode="210000", name="辽宁省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(adcode="210200", name="大连市", level=RegionLevel.CITY, parent=province)
    rows = []
    with audit_context(actor_name="bench"):
        root = federation_create(code="B", name="基准总工会", type=UnitType.CITY_FEDERATION, region=city)
        districts = [
            federation_create(code=f"B-{d}", name=f"区{d}", type=UnitType.DISTRICT, region=city, parent=root)
            for d in range(10)
        ]
        admin = User.objects.create_user(username="bench-admin", password="Bench-pass-2026")
        Membership.objects.create(user=admin, unit=districts[0], role=Role.UNIT_ADMIN)
        actor = actor_for_user(admin)

        # 1. Audited service writes, against the same service with the audit call switched off
        #    (what the audit chain costs), and against plain saves (the floor of one-row transactions).
        per_district = UNITS // 10
        entries_before = AuditEntry.objects.count()

        def create_units(prefix: str):
            def run():
                for i in range(per_district):
                    unit_create(
                        actor=actor,
                        parent=districts[0],
                        code=f"{prefix}{i}",
                        name=f"街道{prefix}{i}",
                        type=UnitType.STREET,
                        region=city,
                    )

            return run

        audited_s = _timed(create_units("A"))
        assert AuditEntry.objects.count() - entries_before == per_district
        with mock.patch.object(audit_module, "audit_record", lambda **kwargs: None):
            unaudited_s = _timed(create_units("N"))
        assert AuditEntry.objects.count() - entries_before == per_district

        def plain():
            for i in range(per_district):
                with transaction.atomic():
                    Region.objects.create(adcode=f"{300000 + i}", name=f"街道{i}", level=RegionLevel.DISTRICT)

        plain_s = _timed(plain)
        rows.append(
            (
                f"create {per_district} units, one transaction each",
                "unit_create (scope check, validation, tree insert, audit entry + hash chain)",
                f"{audited_s / per_district * 1e3:.2f} ms/row",
                "the same unit_create with the audit call switched off",
                f"{unaudited_s / per_district * 1e3:.2f} ms/row",
                f"{audited_s / unaudited_s:.2f}×",
            )
        )
        rows.append(
            (
                f"create {per_district} rows, one transaction each",
                "unit_create, audited (as above)",
                f"{audited_s / per_district * 1e3:.2f} ms/row",
                "plain Model.save() of a small row, no checks, no audit (floor)",
                f"{plain_s / per_district * 1e3:.2f} ms/row",
                f"{audited_s / plain_s:.1f}×",
            )
        )

        # Fill the other districts for the read benchmark (bulk, not measured).
        for d, district in enumerate(districts[1:], start=1):
            for i in range(per_district):
                Unit.objects.add_child(
                    district, instance=Unit(code=f"F{d}-{i}", name=f"街道{d}-{i}", type=UnitType.STREET, region=city)
                )

    # 2. Scoped list vs the same filter by hand.
    def scoped():
        return list(Unit.objects.restrict(actor).values_list("pk", flat=True))

    def by_hand():
        return list(Unit.objects.filter(path__startswith=districts[0].path).values_list("pk", flat=True))

    assert scoped() == by_hand()
    scoped_runs = [_timed(scoped) for _ in range(REPEAT)]
    hand_runs = [_timed(by_hand) for _ in range(REPEAT)]
    total = Unit.objects.count()
    rows.append(
        (
            f"list a district's {len(scoped())} units out of {total}",
            "Unit.objects.restrict(actor)",
            f"{statistics.median(scoped_runs) * 1e3:.2f} ms median",
            "same path prefix filter written by hand",
            f"{statistics.median(hand_runs) * 1e3:.2f} ms median",
            f"{statistics.median(scoped_runs) / statistics.median(hand_runs):.2f}×",
        )
    )

    # 3. Chain verification vs reading the same rows.
    count = AuditEntry.objects.count()
    verify_s = _timed(lambda: audit_verify())
    assert audit_verify().ok
    read_s = _timed(lambda: sum(1 for _ in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)))
    rows.append(
        (
            f"verify {count} audit entries",
            "audit_verify() (recompute every SHA-256 link)",
            f"{count / verify_s:,.0f} entries/s",
            "iterate the same rows without hashing",
            f"{count / read_s:,.0f} entries/s",
            f"{verify_s / read_s:.1f}×",
        )
    )

    print(f"### Foundation on {engine} ({UNITS} units)\n")
    print("| what | measured | figure | baseline | figure | ratio |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
