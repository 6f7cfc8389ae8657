"""core.testing.instances: the databases given to the processes tests start are this run's
migrated test database (nothing left for `migrate` to do in a child), and `write_demo` leaves the
demo's rows and files in them as the snapshot holds them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from yizhan.core.testing import instances
from yizhan.core.testing.demo import demo_snapshot

PROJECT_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def child(child_databases, tmp_path):
    database = child_databases(tmp_path, "probe")
    yield database
    database.drop()


@pytest.fixture
def counts(django_db_blocker):
    """counts(database, tables) → rows per table of a child's database (not this test's)."""

    def count(database: instances.Database, tables: list[str]) -> dict[str, int]:
        with django_db_blocker.unblock():
            return _counts(database, tables)

    return count


def _counts(database: instances.Database, tables: list[str]) -> dict[str, int]:
    with instances.connection_to(database) as other, other.cursor() as cursor:
        counted = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            counted[table] = cursor.fetchone()[0]
        return counted


def test_a_child_database_is_migrated_and_empty(child, counts):
    env = {**os.environ, "DATABASE_URL": child.url, "CONN_MAX_AGE": "0", "DJANGO_SETTINGS_MODULE": "yizhan.settings"}
    done = subprocess.run(  # noqa: S603 - this interpreter, the project's manage.py
        [sys.executable, "manage.py", "migrate", "--check", "--no-input"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr  # no unapplied migration
    assert counts(child, ["orgs_unit", "positions_position", "core_auditentry"]) == {
        "orgs_unit": 0,
        "positions_position": 0,
        "core_auditentry": 0,
    }


def test_two_child_databases_are_separate(child_databases, tmp_path, django_db_blocker, counts):
    first, second = child_databases(tmp_path, "one"), child_databases(tmp_path, "two")
    try:
        assert first.url != second.url
        with django_db_blocker.unblock():
            instances.write_demo(first, tmp_path / "media")
        assert counts(second, ["orgs_unit"]) == {"orgs_unit": 0}
    finally:
        first.drop()
        second.drop()


def test_write_demo_leaves_the_snapshots_rows_and_files(child, tmp_path, django_db_blocker, counts):
    with django_db_blocker.unblock():
        snapshot = demo_snapshot()
        instances.write_demo(child, tmp_path / "media")
    expected = {
        table: (len(data[1]) if isinstance(data, tuple) else data.count(b"\n")) for table, data in snapshot.rows
    }
    counted = counts(child, list(expected))
    # The change feed's triggers note the written rows, as for any insert: its table may hold more.
    assert {t: n for t, n in counted.items() if t != "core_change"} == {
        t: n for t, n in expected.items() if t != "core_change"
    }
    assert counted["orgs_unit"] > 10
    files = [path for path in (tmp_path / "media").rglob("*") if path.is_file()]
    assert files, "the demo's photos are copied into the installation's MEDIA_ROOT"


def test_the_demo_accounts_sign_in_with_the_installations_own_hasher(child, tmp_path, django_db_blocker):
    """The snapshot holds the tests' fast (MD5) hashes; the installation's settings accept only
    theirs: every demo account's password is stored as `manage.py demo` stores it."""
    from importlib import import_module

    from django.conf import ENVIRONMENT_VARIABLE, settings
    from django.utils.module_loading import import_string

    project_settings = import_module(os.environ[ENVIRONMENT_VARIABLE])
    hasher = import_string(project_settings.PASSWORD_HASHERS[0])()
    with django_db_blocker.unblock():
        instances.write_demo(child, tmp_path / "media")
        with instances.connection_to(child) as other, other.cursor() as cursor:
            cursor.execute('SELECT username, password FROM "orgs_user"')
            stored = dict(cursor.fetchall())
    assert "fed_admin" in stored and "zs_admin" in stored
    for username, encoded in stored.items():
        assert encoded.startswith(f"{hasher.algorithm}$"), username
        assert hasher.verify(settings.YIZHAN_DEMO_PASSWORD, encoded), username


def test_a_sqlite_copy_is_the_migrated_database_on_sqlite_only(child_databases, tmp_path, django_db_blocker):
    path = tmp_path / "copy.sqlite3"
    with django_db_blocker.unblock():
        from django.db import connection

        vendor = connection.vendor
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    copied = instances.sqlite_copy(path)
    assert copied == (vendor == "sqlite") == path.exists()
    if copied:
        conn = sqlite3.connect(path)
        try:
            assert set(conn.execute("SELECT app, name FROM django_migrations").fetchall()) == applied
        finally:
            conn.close()
