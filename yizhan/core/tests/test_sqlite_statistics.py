"""SQLite's planner statistics (core/db_sqlite): `PRAGMA optimize` as connections close, a refresh
after a migrate that changed the schema, and nothing of it on PostgreSQL (autovacuum analyses)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from yizhan.core.db_sqlite.base import DatabaseWrapper
from yizhan.core.db_sqlite.statistics import after_migrate, refresh_statistics

ROOT = Path(__file__).resolve().parents[3]
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")


def _stat_rows(path: Path) -> dict[str, int]:
    """Rows the statistics count per analysed table (sqlite_stat1's first number)."""
    with sqlite3.connect(path) as raw:
        if not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return {}
        return {table: int(stat.split()[0]) for table, stat in raw.execute("SELECT tbl, stat FROM sqlite_stat1")}


@pytest.fixture
def own_file(tmp_path, django_db_blocker):
    """own_file(name) -> (a connection of our backend to a file of its own, the file's path): not
    the test database, so unblocked."""

    def make(name: str) -> tuple[DatabaseWrapper, Path]:
        path = tmp_path / name
        settings = {**connections["default"].settings_dict, "ENGINE": "yizhan.core.db_sqlite"}
        return DatabaseWrapper({**settings, "NAME": str(path), "OPTIONS": {}}, alias="own"), path

    with django_db_blocker.unblock():
        yield make


def test_a_closing_connection_leaves_the_tables_its_queries_used_analysed(own_file):
    wrapper, path = own_file("closing.sqlite3")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE station (id integer PRIMARY KEY, district text)")
        cursor.execute("CREATE INDEX station_district ON station (district)")
        cursor.execute("CREATE TABLE untouched (id integer PRIMARY KEY, name text)")
        cursor.execute("CREATE INDEX untouched_name ON untouched (name)")
    with wrapper.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.executemany("INSERT INTO station (district) VALUES (%s)", [(f"d{i % 40}",) for i in range(4000)])
        cursor.executemany("INSERT INTO untouched (name) VALUES (%s)", [(f"n{i}",) for i in range(100)])
        cursor.execute("COMMIT")
        cursor.execute("SELECT id FROM station WHERE district = %s", ["d7"])
        assert len(cursor.fetchall()) == 100
    assert _stat_rows(path) == {}
    wrapper.close()
    # The table whose index the planner used is analysed (its rows estimated from ANALYSIS_LIMIT
    # rows per index), the one no query touched is left alone.
    assert set(_stat_rows(path)) == {"station"}


def test_a_connection_closed_inside_a_transaction_runs_nothing(own_file):
    wrapper, path = own_file("atomic.sqlite3")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id integer PRIMARY KEY, k text)")
        cursor.execute("CREATE INDEX t_k ON t (k)")
        cursor.execute("BEGIN")
        cursor.executemany("INSERT INTO t (k) VALUES (%s)", [(f"k{i % 9}",) for i in range(500)])
        cursor.execute("SELECT id FROM t WHERE k = %s", ["k1"])
    wrapper.close()  # the driver rolls the open transaction back: nothing to analyse, nothing written
    assert _stat_rows(path) == {}


@on_sqlite
def test_the_sqlite_connections_are_ours():
    assert isinstance(connections["default"], DatabaseWrapper)


@on_sqlite
@pytest.mark.django_db
def test_the_migrate_that_built_the_test_database_left_statistics():
    """pytest-django built this database by `migrate`: its post_migrate refreshed the statistics."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_a_refresh_analyses_on_sqlite_and_asks_nothing_of_postgresql():
    with CaptureQueriesContext(connection) as asked:
        refresh_statistics(connection)
    if connection.vendor == "postgresql":
        assert asked.captured_queries == []
    else:
        assert [q["sql"] for q in asked.captured_queries][-1] in ("ANALYZE", "PRAGMA optimize = 0x10002")


@pytest.mark.django_db
def test_a_flush_or_an_up_to_date_migrate_refreshes_nothing():
    with CaptureQueriesContext(connection) as asked:
        after_migrate(sender=None, using="default")  # flush: post_migrate without a plan
        after_migrate(sender=None, using="default", plan=[])  # migrate with nothing to apply
    assert asked.captured_queries == []


@on_sqlite
def test_after_migrate_and_an_import_command_leaves_the_table_analysed(tmp_path, django_db_setup, django_db_blocker):
    """The path as deployed on SQLite: a migrated database (a copy of this one, which `migrate`
    built), then an import command, a process whose connection Django never closes; the imported
    table's statistics count its rows."""
    path = tmp_path / "deployed.sqlite3"
    with django_db_blocker.unblock():
        connections["default"].ensure_connection()
        with sqlite3.connect(path) as copy:
            connections["default"].connection.backup(copy)
    assert "orgs_region" not in _stat_rows(path)  # empty when analysed: no statistics of its own
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "yizhan.settings"}
    boundaries = ROOT / "yizhan/orgs/data/boundaries/340400.geojson"
    command = [sys.executable, str(ROOT / "manage.py"), "import-regions", str(boundaries)]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    with sqlite3.connect(path) as raw:
        regions = raw.execute("SELECT count(*) FROM orgs_region").fetchone()[0]
    assert 1 < regions < 400  # fewer than ANALYSIS_LIMIT: counted exactly
    assert _stat_rows(path)["orgs_region"] == regions
