"""`yizhan import-positions` on a real registry, in a process of its own (issue 14 §4): the messy
registry of test_import_registry.py against a throw-away installation with the demo (SQLite in a
temporary folder, or a database of its own on the PostgreSQL server DATABASE_URL names, dropped
afterwards; migrated and with the demo by copies, core.testing.instances). Refused with every
error of every row listed and the warnings printed; without its real errors it imports, warnings
printed, and the database holds the registry as it was written."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from yizhan.core.testing import instances
from yizhan.positions.tests.test_import_registry import (
    EXPECTED_ERRORS,
    EXPECTED_WARNINGS,
    GOOD_ROWS,
    registry_file,
)

PROJECT_DIR = Path(__file__).resolve().parents[3]
YIZHAN = Path(sys.executable).with_name("yizhan")  # the console script of this environment
TIMEOUT = 300
USER = "fed_admin"  # the demo's federation admin of 大连市总工会 (unit codes DL, DL-ZS, DL-XG …)


class Installation:
    """A database and MEDIA_ROOT of its own, migrated, with the demo: a copy of this run's migrated
    test database with the demo's rows and files (core.testing.instances), as `yizhan migrate` and
    `yizhan demo` leave a new installation."""

    def __init__(self, folder: Path, database: instances.Database):
        self.database = database
        self.sqlite_path = database.sqlite_path
        self.database_url = database.url
        self.media = folder / "media"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "yizhan.settings",
            "DATABASE_URL": self.database_url,
            "MEDIA_ROOT": str(self.media),
            "CONN_MAX_AGE": "0",
        }

    def yizhan(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own console script
            [str(YIZHAN), *args], cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True, timeout=TIMEOUT
        )

    def query(self, sql: str) -> list[tuple]:
        if self.sqlite_path is not None:
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def installation(tmp_path_factory, child_databases, django_db_blocker):
    folder = tmp_path_factory.mktemp("registry")
    database = child_databases(folder, "registry")
    try:
        made = Installation(folder, database)
        with django_db_blocker.unblock():
            instances.write_demo(database, made.media)
        yield made
    finally:
        database.drop()


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def test_the_cli_imports_a_real_registry_refusing_only_its_real_errors(installation, tmp_path):
    messy = tmp_path / "台账.xlsx"
    messy.write_bytes(registry_file())
    refused = installation.yizhan("import-positions", str(messy), "--as", USER)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    lines = refused.stderr.splitlines()
    error_lines = [line for line in lines if line.startswith("第 ")]
    warning_lines = [line for line in lines if line.startswith("警告：第 ")]
    # Every error of every row, in one run; and every warning already.
    assert len(error_lines) == len(EXPECTED_ERRORS)
    for row, column in EXPECTED_ERRORS:
        assert any(line.startswith(f"第 {row} 行“{column}”：") for line in error_lines), (row, column)
    assert len(warning_lines) == len(EXPECTED_WARNINGS)
    for row, column in EXPECTED_WARNINGS:
        assert any(line.startswith(f"警告：第 {row} 行“{column}”：") for line in warning_lines), (row, column)
    assert f"文件有 {len(EXPECTED_ERRORS)} 处错误，未导入任何阵地" in refused.stderr
    assert installation.query("SELECT COUNT(*) FROM positions_position WHERE code LIKE 'LZ-%'") == [(0,)]

    clean = tmp_path / "台账-改.xlsx"
    clean.write_bytes(registry_file(with_errors=False))
    done = installation.yizhan("import-positions", str(clean), "--as", USER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"新建 {len(GOOD_ROWS)}" in done.stdout and f"警告 {len(EXPECTED_WARNINGS)} 条" in done.stdout
    assert len([line for line in done.stderr.splitlines() if line.startswith("警告：第 ")]) == len(EXPECTED_WARNINGS)
    assert "第 16、17、18、19 行" in done.stderr

    rows = installation.query(
        "SELECT code, official_name, short_name, always_open, weekly_hours, hours_source_text, construction_type,"
        " facilities FROM positions_position WHERE code LIKE 'LZ-%' ORDER BY code"
    )
    stored = {
        code: (official, short, bool(always), _json(hours), source, construction, _json(facilities))
        for code, official, short, always, hours, source, construction, facilities in rows
    }
    assert len(stored) == len(GOOD_ROWS)
    assert stored["LZ-01"][:4] == (
        "工会户外劳动者服务站点·中山区人民路（青泥洼桥街道党群服务中心旁）",
        "中山区人民路工会驿站(青泥洼桥街道党群服务中心旁)",
        True,
        {},
    )
    assert stored["LZ-01"][6] == ["drinking_water", "microwave", "tables_chairs", "charging"]
    assert stored["LZ-04"][2:6] == (False, {}, "工作日开放", "sanitation")
    assert stored["LZ-02"][5] == "unknown"
    assert stored["LZ-10"][3]["sun"] == [["08:00", "20:00"]]
    assert stored["LZ-11"][3]["fri"] == [["09:00", "17:30"]]

    again = installation.yizhan("import-positions", str(clean), "--as", USER)
    assert again.returncode == 0 and f"未变 {len(GOOD_ROWS)}" in again.stdout, again.stdout + again.stderr
