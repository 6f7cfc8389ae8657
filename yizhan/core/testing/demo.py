"""The demo federation (`manage.py demo`) for tests, loaded through its services once per test process
and restored from a snapshot of its rows afterwards.

Loading the demo through its services (boundaries, the unit tree, audited saves, ledgers, every
context's loader) takes some twenty seconds; its rows written back by the database driver take well
under one. `demo_in_database()` puts the demo into the current test database: the first call in a
process runs the real loaders (DEMO_LOADERS, as the command does) and keeps their rows and output
lines; later calls write those rows back as they were stored (no audit entries, no signals, the
audit chain as stored). It works in a test's transaction (`db`, rolled back at its end) and in a
transactional test (`transactional_db`, `live_server`: the database is flushed after it), and
expects the demo's tables to be empty.

Tests of the loaders themselves (what a first load creates, its output lines, loading again changes
nothing) use the same rows: they are the real loaders' output, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DemoSnapshot:
    lines: tuple[str, ...]  # what the loaders returned, printed by `manage.py demo` under its heading
    rows: tuple  # per table: PostgreSQL's COPY text, or SQLite's (column names, tuples)
    vendor: str
    media_root: str = ""  # where the first load wrote the demo's files (MEDIA_ROOT then)


_snapshots: dict[str, DemoSnapshot] = {}

# What every test hashes passwords with (the root conftest's `fast_password_hashing`): the snapshot's
# accounts carry such hashes, whichever test or fixture loads it first.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def project_models() -> list:
    """The models the demo writes to: the project's, and django_otp's (the demo admins' authenticators)."""
    prefixes = ("yizhan.", "django_otp.plugins.")
    return [m for config in apps.get_app_configs() if config.name.startswith(prefixes) for m in config.get_models()]


def load_demo_through_services() -> list[str]:
    """What `manage.py demo` does (without --national): every loader, in order, under the command's actor."""
    from yizhan.core.audit import audit_context
    from yizhan.core.management.commands.demo import DEMO_LOADERS

    lines: list[str] = []
    with audit_context(actor_name="命令行:demo"):
        for path in DEMO_LOADERS:  # yizhan.orgs.demo.load, then any later context's loader
            lines.extend(import_string(path)() or [])
    return lines


def _tables(models: list) -> list[str]:
    """The tables of `models` and of their many-to-many links."""
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                tables.append(m2m.remote_field.through._meta.db_table)
    return tables


def _read_rows(models: list) -> tuple:
    """Every row of the demo's tables as the database driver gives it: PostgreSQL's COPY text, or
    SQLite's tuples with their column names. The demo holds tens of thousands of ledger rows; writing
    them back through the ORM (deserialised saves, even bulk_create) takes seconds, while the driver
    copies them back in a fraction of one."""
    rows = []
    with connection.cursor() as cursor:
        for table in _tables(models):
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    data = b"".join(bytes(block) for block in copy)
                if data:
                    rows.append((table, data))
            else:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the project's own table names
                values = cursor.fetchall()
                if values:
                    rows.append((table, ([column[0] for column in cursor.description], values)))
    return tuple(rows)


def restore_rows(rows: tuple, target=connection) -> None:
    """The demo's rows back as they were stored: no audit entries, no signals, the stored chain as
    it was (the change feed's triggers note the rows, as for any insert). `target`: this test's
    database, or another connection of the same engine (core.testing.instances: a child's)."""
    models = project_models()
    with (
        transaction.atomic(using=target.alias),
        target.constraint_checks_disabled(),
        target.cursor() as cursor,
    ):
        for table, data in rows:
            if target.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(data)
            else:
                columns, values = data
                names = ", ".join(f'"{name}"' for name in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)  # noqa: S608
    target.check_constraints(table_names=[m._meta.db_table for m in models])
    with target.cursor() as cursor:  # PostgreSQL: sequences continue after the restored keys
        for sql in target.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def demo_in_database() -> DemoSnapshot:
    """Put the demo into the (empty) test database: loaded through the services the first time in
    this process, restored from the kept rows afterwards. Returns the snapshot (the loaders' lines)."""
    models = project_models()
    filled = [m._meta.label for m in models if m._base_manager.exists()]
    if filled:
        raise AssertionError(f"the demo snapshot expects the demo's tables empty; these hold rows: {filled}")
    snapshot = _snapshots.get(connection.vendor)
    if snapshot is None:
        lines = load_demo_through_services()
        snapshot = DemoSnapshot(
            lines=tuple(lines),
            rows=_read_rows(models),
            vendor=connection.vendor,
            media_root=str(settings.MEDIA_ROOT),
        )
        _snapshots[connection.vendor] = snapshot
    else:
        restore_rows(snapshot.rows)
    return snapshot


def demo_snapshot() -> DemoSnapshot:
    """This process's snapshot, the demo loaded (and rolled back) in the test database if no test
    has loaded it yet: for the databases of other processes (core.testing.instances.write_demo).
    Called between tests, with database access unblocked (`django_db_blocker`)."""
    snapshot = _snapshots.get(connection.vendor)
    if snapshot is None:
        with override_settings(PASSWORD_HASHERS=TEST_PASSWORD_HASHERS), transaction.atomic():
            snapshot = demo_in_database()
            transaction.set_rollback(True)
    return snapshot
