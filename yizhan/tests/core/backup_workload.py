"""The data side of the backup tests, run as a separate process against the database DATABASE_URL
names (test_backup.py gives each instance its own throw-away database and MEDIA_ROOT):

    python -m yizhan.tests.core.backup_workload seed
    python -m yizhan.tests.core.backup_workload write STOP_FILE READY_FILE
    python -m yizhan.tests.core.backup_workload check ARCHIVE

`seed` registers a federation, an account, positions and a photo through the services; `write`
keeps writing (a new position, an edit of an earlier one, a unit's contact) through the services
until STOP_FILE appears, touching READY_FILE once it has written a few rounds; `check` compares the
instance with an archive's manifest on its own terms: every table's rows and digest, every file's
SHA-256, the audit chain, and every position's first history row and audit entry.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

WRITE_SECONDS_MAX = 90  # a writer never outlives a stuck test
READY_AFTER = 5


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
    import django

    django.setup()


def _admin():
    from yizhan.core.roles import Role
    from yizhan.core.scoping import Actor
    from yizhan.orgs.models import Membership

    membership = Membership.objects.select_related("user", "unit").get(role=Role.UNIT_ADMIN, user__username="bk_admin")
    return Actor(user=membership.user, membership=membership)


def _new_position(actor, n: int):
    from yizhan.positions import services
    from yizhan.positions.choices import ConstructionType, PositionKind

    return services.position_create(
        actor=actor,
        unit=actor.unit,
        region=actor.unit.region,
        code=f"BK{n:05d}",
        kind=PositionKind.STATION,
        official_name=f"工会户外劳动者服务站点·备份测试{n}",
        address=f"中山区备份路{n}号",
        lng=121.6437 + n * 0.001,
        lat=38.9187,
        construction_type=ConstructionType.SANITATION,
        facilities=["drinking_water", "wifi"] if n % 2 else ["toilet"],
        manager_name="张三",
    )


def seed() -> None:
    from PIL import Image

    from yizhan.core.audit import audit_context
    from yizhan.core.roles import Role
    from yizhan.orgs.choices import RegionLevel, UnitType
    from yizhan.orgs.models import Membership, Region, User
    from yizhan.orgs.services import federation_create
    from yizhan.positions.photos import position_photo_add

    with audit_context(actor_name="backup-test"):
        province = Region.objects.create(adcode="210000", name="辽宁省", level=RegionLevel.PROVINCE)
        city = Region.objects.create(adcode="210200", name="大连市", level=RegionLevel.CITY, parent=province)
        unit = federation_create(code="DL", name="大连市总工会", type=UnitType.CITY_FEDERATION, region=city)
        user = User.objects.create_user(username="bk_admin", password="Backup-test-2026")
        Membership.objects.create(user=user, unit=unit, role=Role.UNIT_ADMIN)
        actor = _admin()
        positions = [_new_position(actor, n) for n in range(1, 11)]
        picture = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, format="PNG")
        position_photo_add(actor=actor, position=positions[0], data=picture.getvalue(), caption="门头")


def write(stop: Path, ready: Path) -> None:
    from yizhan.core.audit import audit_context
    from yizhan.orgs.services import unit_update
    from yizhan.positions import services
    from yizhan.positions.models import Position

    actor = _admin()
    n, started = 1000, time.monotonic()
    with audit_context(actor_id=actor.user.pk, actor_name=actor.user.username):
        while not stop.exists() and time.monotonic() - started < WRITE_SECONDS_MAX:
            n += 1
            _new_position(actor, n)
            earlier = Position.objects.order_by("?").first()
            services.position_update(actor=actor, position=earlier, address=f"中山区改址路{n}号")
            unit_update(actor=actor, unit=actor.unit, contact_name=f"联系人{n}")
            if n - 1000 == READY_AFTER:
                ready.touch()
    print(json.dumps({"rounds": n - 1000}))


def check(archive: Path) -> None:
    from django.conf import settings

    from yizhan.core.audit import audit_verify
    from yizhan.core.backup import archived_models, table_digest
    from yizhan.core.models import AuditAction, AuditEntry
    from yizhan.positions.models import Position, PositionStateChange

    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    problems = []
    for model in archived_models():
        table = model._meta.db_table
        info = manifest["tables"][table]
        rows, digest = table_digest(model)
        if (rows, digest) != (info["rows"], manifest["members"][info["member"]]["sha256"]):
            problems.append(f"table {table}: {rows} rows, archive {info['rows']}")
    files = {
        f"media/{path.relative_to(settings.MEDIA_ROOT).as_posix()}": hashlib.sha256(path.read_bytes()).hexdigest()
        for path in Path(settings.MEDIA_ROOT).rglob("*")
        if path.is_file()
    }
    archived_files = {name: info["sha256"] for name, info in manifest["members"].items() if name.startswith("media/")}
    if files != archived_files:
        problems.append(f"files {sorted(files)} != archive {sorted(archived_files)}")
    report = audit_verify()
    if not report.ok:
        problems.append(f"audit chain: {report}")
    created = set(
        AuditEntry.objects.filter(object_type="positions.position", action=AuditAction.CREATE).values_list(
            "object_id", flat=True
        )
    )
    with_history = set(PositionStateChange.objects.values_list("position_id", flat=True))
    for pk in Position.objects.values_list("pk", flat=True):
        if str(pk) not in created or pk not in with_history:
            problems.append(f"position {pk} lacks its audit entry or history row")
    print(json.dumps({"problems": problems, "positions": Position.objects.count(), "audit": report.checked}))
    sys.exit(1 if problems else 0)


def main(argv: list[str]) -> None:
    _setup()
    command, *args = argv
    if command == "seed":
        seed()
    elif command == "write":
        write(Path(args[0]), Path(args[1]))
    elif command == "check":
        check(Path(args[0]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
