"""Production mode refuses unsafe settings (issue 2 §1): each case starts Django in a fresh interpreter
with DJANGO_SETTINGS_MODULE=yizhan.settings and YIZHAN_ENV=production. The interpreters run side by side."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yizhan import settings as project_settings

PROJECT_DIR = Path(project_settings.__file__).resolve().parent.parent
SETUP = "import django; django.setup(); from django.conf import settings; print('started', settings.DEBUG)"
SAFE = {
    "YIZHAN_ENV": "production",
    "SECRET_KEY": "q7!Vz2#pLx9@rT4$wN8^kB1&mH6*cF3(eJ5)sD0-yG2+uA7=oK4~",
    "ALLOWED_HOSTS": "yizhan.example.cn",
    "DATABASE_URL": "postgres://yizhan:secret@127.0.0.1:5432/yizhan",  # django.setup() does not connect
}
INHERITED_OUT = {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "YIZHAN_ALLOW_SQLITE", "YIZHAN_ENV"}

# name: (changes to SAFE, None = remove the variable), words the refusal must contain (None = starts)
CASES = {
    "safe": ({}, None),
    "dev-secret-key": ({"SECRET_KEY": None}, ["SECRET_KEY"]),
    "short-secret-key": ({"SECRET_KEY": "x" * 49}, ["SECRET_KEY", "50"]),
    "debug-on": ({"DEBUG": "1"}, ["DEBUG must be off"]),
    "any-host": ({"ALLOWED_HOSTS": "yizhan.example.cn,*"}, ["ALLOWED_HOSTS", "'*'"]),
    "sqlite": ({"DATABASE_URL": None}, ["DATABASE_URL must point at PostgreSQL"]),
    "no_second_factor": ({"YIZHAN_REQUIRE_2FA": "0"}, ["YIZHAN_REQUIRE_2FA must stay on"]),
}


def environment(changes: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_OUT}
    env.update(SAFE, DJANGO_SETTINGS_MODULE="yizhan.settings")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture(scope="module")
def outcomes() -> dict[str, subprocess.CompletedProcess]:
    running = {
        name: subprocess.Popen(
            [sys.executable, "-c", SETUP],
            cwd=PROJECT_DIR,
            env=environment(changes),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (changes, _) in CASES.items()
    }
    results = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=60)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return results


@pytest.mark.parametrize("case", [name for name, (_, words) in CASES.items() if words is None])
def test_starts_with_safe_settings(outcomes, case):
    result = outcomes[case]
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started False"


@pytest.mark.parametrize("case", [name for name, (_, words) in CASES.items() if words is not None])
def test_refuses_to_start_with_unsafe_settings(outcomes, case):
    result = outcomes[case]
    assert result.returncode != 0
    assert "started" not in result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: Refusing to start in production mode")
    for word in CASES[case][1]:
        assert word in last_line, (word, last_line)


def test_each_refusal_names_only_its_own_problem(outcomes):
    for case in ("debug-on", "any-host", "sqlite"):
        refusal = outcomes[case].stderr.strip().splitlines()[-1]
        assert "SECRET_KEY" not in refusal
    assert "DEBUG" not in outcomes["sqlite"].stderr.strip().splitlines()[-1]


@pytest.mark.django_db
def test_tests_on_sqlite_run_in_memory_in_every_worker():
    """The SQLite engine is ours (yizhan.core.db_sqlite), which pytest-django does not recognise as
    SQLite: without TEST NAME ':memory:' it named an xdist worker's test database after the file
    path (test_/…/yizhan.sqlite3_gw0) and every test of `make test` failed to open it."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["NAME"].startswith("file:memorydb_")
    assert connection.creation.is_in_memory_db(connection.settings_dict["NAME"])
