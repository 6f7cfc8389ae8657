"""`yizhan backup` and `yizhan restore` (issue 5 §6), run as the commands they are, each instance a
throw-away database (a SQLite file, or a database of its own on the PostgreSQL server DATABASE_URL
names; a copy of this run's migrated test database) with its own MEDIA_ROOT. The data is written
by backup_workload.py through the services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from yizhan.core import backup
from yizhan.core.testing.instances import Database

PROJECT_DIR = Path(__file__).resolve().parents[3]
TIMEOUT = 120


@dataclass
class Instance:
    """One throw-away installation: a database and a MEDIA_ROOT."""

    database_url: str
    media_root: Path

    def env(self) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "MEDIA_ROOT": str(self.media_root),
            "CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "yizhan.settings",
        }

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    def workload(self, *args: str, background: bool = False):
        command = [sys.executable, "-m", "yizhan.tests.core.backup_workload", *args]
        if background:
            return subprocess.Popen(command, cwd=PROJECT_DIR, env=self.env(), stdout=subprocess.PIPE, text=True)
        return subprocess.run(command, cwd=PROJECT_DIR, env=self.env(), capture_output=True, text=True, timeout=TIMEOUT)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


class Instances:
    """Makes empty, migrated instances: copies of this run's migrated test database (SQLite: the
    file; PostgreSQL: CREATE DATABASE … TEMPLATE; core.testing.instances)."""

    def __init__(self, folder: Path, child_databases):
        self.folder = folder
        self.child_databases = child_databases
        self.databases: list[Database] = []
        self.template = self.new("template")

    def new(self, name: str) -> Instance:
        database = self.child_databases(self.folder, name)
        self.databases.append(database)
        return Instance(database.url, self.folder / f"media_{name}")

    def drop(self) -> None:
        for database in reversed(self.databases):
            database.drop()


@pytest.fixture(scope="module")
def instances(tmp_path_factory, child_databases):
    made = Instances(tmp_path_factory.mktemp("backup"), child_databases)
    yield made
    made.drop()


@pytest.fixture(scope="module")
def archive(instances, tmp_path_factory) -> Path:
    """An archive of a seeded instance (no writes running)."""
    source = instances.new("seeded")
    _ok(source.workload("seed"))
    path = tmp_path_factory.mktemp("archives") / "seeded.zip"
    _ok(source.run("backup", str(path)))
    return path


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zipped:
        return json.loads(zipped.read(backup.MANIFEST))


def _rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive member by member, `change(name, data)` returning the new data (or None to drop)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


def test_backup_while_writes_run_then_restore_loses_nothing(instances, tmp_path):
    source = instances.new("live")
    _ok(source.workload("seed"))
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    writer = source.workload("write", str(stop), str(ready), background=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert writer.poll() is None, "the writer stopped early"
            assert time.monotonic() < deadline, "the writer wrote nothing"
            time.sleep(0.1)
        path = tmp_path / "live.zip"
        _ok(source.run("backup", str(path)))
    finally:
        stop.touch()
        output, _ = writer.communicate(timeout=TIMEOUT)
    assert writer.returncode == 0
    rounds = json.loads(output)["rounds"]
    manifest = _manifest(path)
    archived = manifest["tables"]["positions_position"]["rows"]
    # Taken in the middle of the writes: more than the seed, fewer than the writer made in the end.
    assert 10 + 5 <= archived < 10 + rounds
    assert len([m for m in manifest["members"] if m.startswith("media/")]) == 1

    target = instances.new("restored")
    restored = _ok(target.run("restore", str(path)))
    assert f"{sum(t['rows'] for t in manifest['tables'].values())} 行" in restored.stdout
    checked = _ok(target.workload("check", str(path)))
    result = json.loads(checked.stdout)
    assert result["problems"] == []
    assert result["positions"] == archived
    _ok(target.run("audit_verify"))


def test_restore_reproduces_every_row_and_file(instances, archive):
    target = instances.new("copy")
    _ok(target.run("restore", str(archive)))
    _ok(target.workload("check", str(archive)))
    manifest = _manifest(archive)
    assert manifest["tables"]["positions_position"]["rows"] == 10
    assert manifest["engine"] in ("sqlite", "postgresql")
    assert manifest["migrations"]["positions"]


def test_verify_accepts_a_sound_archive(instances, archive):
    result = _ok(instances.template.run("backup", "--verify", str(archive)))
    assert "备份完好" in result.stdout


def test_a_changed_member_is_refused(instances, archive, tmp_path):
    member = "database/positions_position.jsonl"
    changed = tmp_path / "changed.zip"

    def change_one_row(name, data):
        return data.replace("备份路".encode(), "改动路".encode(), 1) if name == member else data

    _rewrite(archive, changed, change_one_row)
    message = str(backup.MEMBER_CORRUPT).format(member=member)
    with pytest.raises(backup.BackupError, match=message):
        backup.backup_verify(path=changed)
    target = instances.new("refused_corrupt")
    result = target.run("restore", str(changed))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was written: the same target then takes the sound archive.
    _ok(target.run("restore", str(archive)))


def test_a_damaged_file_is_refused_with_a_message(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError):
        backup.backup_verify(path=damaged)
    with pytest.raises(backup.BackupError, match="不是驿站备份|无法读取"):
        backup.backup_verify(path=tmp_path / "missing.zip")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [("media/../../outside.txt", backup.MEMBER_UNSAFE), ("media/unlisted.txt", backup.MEMBER_UNLISTED)],
)
def test_members_outside_the_manifest_or_the_folders_are_refused(archive, tmp_path, extra, expected):
    tampered = tmp_path / "tampered.zip"
    _rewrite(archive, tampered, lambda name, data: data)
    with zipfile.ZipFile(tampered, "a") as zipped:
        zipped.writestr(extra, b"x")
    with pytest.raises(backup.BackupError, match=str(expected).format(member=extra).replace(".", r"\.")):
        backup.backup_verify(path=tampered)


def test_a_missing_member_is_refused(archive, tmp_path):
    member = "database/orgs_unit.jsonl"
    dropped = tmp_path / "dropped.zip"
    _rewrite(archive, dropped, lambda name, data: None if name == member else data)
    with pytest.raises(backup.BackupError, match=str(backup.MEMBER_MISSING).format(member=member)):
        backup.backup_verify(path=dropped)


def test_a_non_empty_target_is_refused_unless_forced(instances, archive):
    target = instances.new("twice")
    _ok(target.run("restore", str(archive)))
    again = target.run("restore", str(archive))
    assert again.returncode == 1
    assert "目标实例不是空的" in again.stderr
    assert "--force" in again.stderr
    _ok(target.run("restore", "--force", str(archive)))
    _ok(target.workload("check", str(archive)))


def test_an_archive_of_another_schema_is_refused(instances, archive, tmp_path):
    def older(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"]["positions"] = manifest["migrations"]["positions"][:-1]
        return json.dumps(manifest, ensure_ascii=False)

    path = tmp_path / "older.zip"
    _rewrite(archive, path, older)
    target = instances.new("other_schema")
    result = target.run("restore", str(path))
    assert result.returncode == 1
    assert "备份时的数据库结构与本程序不同" in result.stderr
    assert "positions." in result.stderr


def test_safe_member_names():
    assert backup._safe_member("database/orgs_unit.jsonl")
    assert backup._safe_member("media/positions/photos/2026/01/a.jpg")
    for name in ("/etc/passwd", "media/../x", "media/a/../../x", "other/x", "media", "media\\..\\x"):
        assert not backup._safe_member(name), name
