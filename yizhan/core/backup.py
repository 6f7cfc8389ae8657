"""Backups and restores of a whole instance (issue 5 §6): the database and the uploaded files.

An archive is one zip file:
- `database/<table>.jsonl`: every row of every model's table, one JSON array per line (the columns
  the manifest lists, in primary-key order), values as Django reads them, so that an archive taken
  on SQLite restores on PostgreSQL and the other way round;
- `media/<path>`: every file under MEDIA_ROOT;
- `manifest.json`: format version, time, engine, the applied migrations per app, each table's
  columns and row count, and the SHA-256 and size of every other member. The SHA-256 of a table's
  member is that table's content digest: a restore recomputes it from the restored rows.

The rows are one consistent snapshot taken while the application serves: on SQLite the online
backup API copies the database file in one step (a read transaction; in WAL mode writers go on),
and the rows are read from that copy; on PostgreSQL they are read inside one REPEATABLE READ, READ
ONLY transaction. Neither needs a tool outside Python (no pg_dump).

Tables derived from others are left out and rebuilt by the database's own triggers as the rows go
back in (positions 0005: the facility bits, the SQLite text index, the list version); Django's
migration table is the manifest's migration state, which must equal the code's and the target's.
The change feed (core/changes.py) is not data either: it is not archived, and a restore records
in the same transaction a change of every topic, so every process reading the feed starts over.
A restore goes into an empty, migrated instance in one transaction, then recounts and re-digests
every table inside that transaction and rolls everything back if one differs.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.dispatch import Signal
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext_lazy as _

from yizhan.core import changes
from yizhan.core.errors import ApplicationError
from yizhan.core.files import HashingWriter

# Sent after a restore commits, for the apps that keep caches of the replaced data.
restored = Signal()

FORMAT = "yizhan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
MEDIA_DIR = "media"
BATCH = 2000
CHUNK = 1024 * 1024
# Rows `migrate` writes itself (post_migrate: content types and permissions): an empty instance has
# them, and the restore replaces them with the archive's, whose ids the archived rows refer to.
FILLED_BY_MIGRATE = frozenset({"django_content_type", "auth_permission"})

ARCHIVE_UNREADABLE = _("无法读取备份文件 {path}：{error}")
NOT_AN_ARCHIVE = _("{path} 不是驿站备份（缺少或无法解析 manifest.json）")
FORMAT_UNSUPPORTED = _("备份格式版本 {version} 不受支持（本程序读取第 {supported} 版）")
MEMBER_MISSING = _("备份缺少文件 {member}")
MEMBER_CORRUPT = _("备份中 {member} 的校验和不符：文件已损坏或被改动")
MEMBER_UNLISTED = _("备份中有清单未列出的文件 {member}")
MEMBER_UNSAFE = _("备份中的文件名 {member} 不安全（绝对路径或含 ..）")
MIGRATIONS_DIFFER = _("备份时的数据库结构与本程序不同（{details}）；请用备份时的驿站版本恢复")
SOURCE_NOT_MIGRATED = _("数据库的迁移与本程序不一致（{details}）；请先运行 yizhan migrate 再备份")
TARGET_NOT_MIGRATED = _("目标数据库的迁移与本程序不一致（{details}）；请先运行 yizhan migrate")
TABLE_UNKNOWN = _("备份中的表 {table} 与本程序的数据结构不符")
TARGET_NOT_EMPTY = _("目标实例不是空的（{tables}）；只能恢复到刚迁移好的空实例，确要覆盖请加 --force")
MEDIA_NOT_EMPTY = _("目标实例的上传文件目录 {path} 中已有文件；确要覆盖请加 --force")
RESTORE_MISMATCH = _("恢复后核对不符（{details}），已全部回滚")
RESTORE_REFUSED = _("数据库拒绝了备份中的数据（{error}），已全部回滚")
MEDIA_MISMATCH = _("恢复后的上传文件 {member} 校验和不符")


class BackupError(ApplicationError):
    """An archive that cannot be written, read or restored; the message says why (Chinese)."""


# --- Rows as engine-neutral JSON --------------------------------------------------------------


def _json_default(value):
    """Plain JSON for what Django reads from a column. Datetimes keep their microseconds (the audit
    chain's digests cover them); bytes (BinaryField) as base64, which BinaryField.to_python reads."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"{type(value).__name__} cannot be archived")


# Canonical: sorted keys (PostgreSQL's jsonb does not keep the order SQLite's text does), no spaces.
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default).encode


def archived_models() -> list[type[models.Model]]:
    """Every model whose rows the instance stores (many-to-many tables included), one per table,
    by table name."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            found.setdefault(meta.db_table, model)
    return [found[table] for table in sorted(found)]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def table_lines(model: type[models.Model], alias: str = DEFAULT_DB_ALIAS) -> Iterator[bytes]:
    """The table's rows as archived: one canonical JSON array per row, in primary-key order."""
    names = [f.attname for f in _columns(model)]
    rows = model._base_manager.using(alias).order_by("pk").values_list(*names)
    for row in rows.iterator(chunk_size=BATCH):
        yield (_encode(list(row)) + "\n").encode("utf-8")


def table_digest(model: type[models.Model], alias: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """(rows, SHA-256 of the archived lines) of a table as it is stored now."""
    digest, count = hashlib.sha256(), 0
    for line in table_lines(model, alias):
        digest.update(line)
        count += 1
    return count, digest.hexdigest()


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """{app: [migration names]} recorded in the database."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def code_migrations() -> dict[str, list[str]]:
    """{app: [migration names]} of the code: what a fully migrated database has applied."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(MigrationLoader(None, ignore_no_migrations=True).graph.nodes):
        state.setdefault(app, []).append(name)
    return state


def _state_difference(have: dict[str, list[str]], want: dict[str, list[str]]) -> str:
    """'missing …; extra …' between two migration states ('' when equal)."""
    have_set = {(a, n) for a, names in have.items() for n in names}
    want_set = {(a, n) for a, names in want.items() for n in names}
    parts = []
    if missing := sorted(want_set - have_set):
        parts.append("缺少 " + "、".join(f"{a}.{n}" for a, n in missing[:5]) + ("…" if len(missing) > 5 else ""))
    if extra := sorted(have_set - want_set):
        parts.append("多出 " + "、".join(f"{a}.{n}" for a, n in extra[:5]) + ("…" if len(extra) > 5 else ""))
    return "；".join(parts)


# --- Writing ---------------------------------------------------------------------------------


@dataclass
class Manifest:
    """What an archive holds; `data` is manifest.json as a dict."""

    data: dict

    @property
    def tables(self) -> dict[str, dict]:
        return self.data["tables"]

    @property
    def members(self) -> dict[str, dict]:
        return self.data["members"]

    @property
    def rows(self) -> int:
        return sum(table["rows"] for table in self.tables.values())

    @property
    def media(self) -> dict[str, dict]:
        return {name: info for name, info in self.members.items() if name.startswith(f"{MEDIA_DIR}/")}


@contextmanager
def _snapshot() -> Iterator[str]:
    """A database alias whose reads all see one moment of the default database."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        with _sqlite_snapshot(connection) as alias:
            yield alias
        return
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield DEFAULT_DB_ALIAS


@contextmanager
def _sqlite_snapshot(connection) -> Iterator[str]:
    """Copy the SQLite database with the online backup API (all pages in one step, so one
    consistent state) into a temporary file, and open it under a database alias of its own."""
    folder = Path(tempfile.mkdtemp(prefix="yizhan-backup-"))
    alias = f"backup_snapshot_{uuid.uuid4().hex[:8]}"
    try:
        connection.ensure_connection()
        copy = sqlite3.connect(folder / "snapshot.sqlite3")
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        connections.settings[alias] = {
            **connections.settings[DEFAULT_DB_ALIAS],
            "NAME": str(folder / "snapshot.sqlite3"),
            "OPTIONS": {},
            "CONN_MAX_AGE": 0,
        }
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _new_member(name: str) -> zipfile.ZipInfo:
    """A compressed member stamped with the current time (a streamed member would say 1980)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(file, archive member name) of every regular file under MEDIA_ROOT, in name order."""
    if not root.is_dir():
        return
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}"


def backup_create(*, path: Path) -> Manifest:
    """Write an archive of the instance to `path` (replaced only once the archive is complete)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    connection = connections[DEFAULT_DB_ALIAS]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "django": django.get_version(),
        "migrations": {},
        "tables": {},
        "members": {},
        "media_missing": [],
    }
    referenced: set[str] = set()
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            with _snapshot() as alias:
                manifest["migrations"] = applied_migrations(alias)
                if difference := _state_difference(manifest["migrations"], code_migrations()):
                    raise BackupError(SOURCE_NOT_MIGRATED.format(details=difference))
                for model in archived_models():
                    table = model._meta.db_table
                    member = f"{DATABASE_DIR}/{table}.jsonl"
                    rows = 0
                    with archive.open(_new_member(member), "w", force_zip64=True) as raw:
                        out = HashingWriter(raw)
                        for line in table_lines(model, alias):
                            out.write(line)
                            rows += 1
                    manifest["members"][member] = out.entry()
                    manifest["tables"][table] = {
                        "model": model._meta.label_lower,
                        "columns": [f.column for f in _columns(model)],
                        "rows": rows,
                        "member": member,
                    }
                    referenced |= _file_names(model, alias)
            # Files after the rows: one uploaded since the snapshot is merely extra; one deleted
            # since (its row is in the snapshot) is listed as missing.
            root = Path(settings.MEDIA_ROOT)
            for file, member in _media_files(root):
                with file.open("rb") as source, archive.open(_new_member(member), "w", force_zip64=True) as raw:
                    out = HashingWriter(raw)
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                manifest["members"][member] = out.entry()
            manifest["media_missing"] = sorted(n for n in referenced if f"{MEDIA_DIR}/{n}" not in manifest["members"])
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Manifest(manifest)


def _file_names(model: type[models.Model], alias: str) -> set[str]:
    """Names stored in the model's file fields (the files the rows point at)."""
    names: set[str] = set()
    for f in _columns(model):
        if isinstance(f, models.FileField):
            stored = model._base_manager.using(alias).exclude(**{f.attname: ""}).values_list(f.attname, flat=True)
            names.update(name for name in stored if name)
    return names


# --- Reading and checking ----------------------------------------------------------------------


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(ARCHIVE_UNREADABLE.format(path=path, error=error)) from None


def _safe_member(name: str) -> bool:
    """A relative name under database/ or media/ that cannot climb out of its folder."""
    parts = PurePosixPath(name).parts
    inside = len(parts) >= 2 and parts[0] in (DATABASE_DIR, MEDIA_DIR)
    return inside and not name.startswith("/") and ".." not in parts and "\\" not in name


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> Manifest:
    try:
        data = json.loads(archive.read(MANIFEST))
        if data.get("format") != FORMAT:
            raise ValueError(data.get("format"))
        version = data["format_version"]
        if not all(isinstance(data.get(key), dict) for key in ("tables", "members", "migrations")):
            raise ValueError("incomplete manifest")
    except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
        raise BackupError(NOT_AN_ARCHIVE.format(path=path)) from None
    if version != FORMAT_VERSION:
        raise BackupError(FORMAT_UNSUPPORTED.format(version=version, supported=FORMAT_VERSION))
    return Manifest(data)


def _member_sha(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    try:
        with archive.open(name) as member:
            while chunk := member.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):  # CRC or inflate errors: damaged
        raise BackupError(MEMBER_CORRUPT.format(member=name)) from None
    return sha.hexdigest(), size


def backup_verify(*, path: Path) -> Manifest:
    """Check an archive: its manifest, every member's SHA-256 and size, no member missing or
    unlisted, and no member name that could write outside its folder. Returns the manifest."""
    path = Path(path)
    with _open(path) as archive:
        manifest = _read_manifest(archive, path)
        present = {info.filename for info in archive.infolist() if not info.is_dir()} - {MANIFEST}
        for name in sorted(present | set(manifest.members)):
            if not _safe_member(name):
                raise BackupError(MEMBER_UNSAFE.format(member=name))
            if name not in manifest.members:
                raise BackupError(MEMBER_UNLISTED.format(member=name))
            if name not in present:
                raise BackupError(MEMBER_MISSING.format(member=name))
            expected = manifest.members[name]
            if _member_sha(archive, name) != (expected.get("sha256"), expected.get("bytes")):
                raise BackupError(MEMBER_CORRUPT.format(member=name))
        for table in manifest.tables.values():
            if table.get("member") not in manifest.members:
                raise BackupError(MEMBER_MISSING.format(member=table.get("member")))
    return manifest


# --- Restoring ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: dict[str, int] = field(default_factory=dict)  # table → rows restored (and recounted)
    files: int = 0
    file_bytes: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _count(connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model's table
        return cursor.fetchone()[0]


def _target_models(manifest: Manifest) -> list[type[models.Model]]:
    """The code's model for each archived table, whose columns must be the archived ones."""
    by_table = {model._meta.db_table: model for model in archived_models()}
    if set(manifest.tables) != set(by_table):
        odd = sorted(set(manifest.tables) ^ set(by_table))
        raise BackupError(TABLE_UNKNOWN.format(table="、".join(odd[:5])))
    for table, info in manifest.tables.items():
        if info["columns"] != [f.column for f in _columns(by_table[table])]:
            raise BackupError(TABLE_UNKNOWN.format(table=table))
    return [by_table[table] for table in sorted(manifest.tables)]


def _converter(model_field: models.Field, connection) -> Callable:
    """Archived JSON value → the value to bind for this column on this engine."""

    def convert(value):
        return model_field.get_db_prep_save(model_field.to_python(value), connection)

    return convert


def _insert_table(connection, model: type[models.Model], lines: Iterator[bytes]) -> int:
    fields = _columns(model)
    quote = connection.ops.quote_name
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    converters = [_converter(f, connection) for f in fields]
    count, batch = 0, []
    with connection.cursor() as cursor:
        for line in lines:
            values = json.loads(line)
            batch.append([convert(value) for convert, value in zip(converters, values, strict=True)])
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
    return count


def _write_media(archive: zipfile.ZipFile, manifest: Manifest, root: Path) -> list[Path]:
    """Extract the archive's files under MEDIA_ROOT and check each written file's SHA-256."""
    written: list[Path] = []
    try:
        for name, expected in sorted(manifest.media.items()):
            target = root.joinpath(*PurePosixPath(name).parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, target.open("wb") as out:
                written.append(target)
                shutil.copyfileobj(source, out, CHUNK)
            sha = hashlib.sha256()
            with target.open("rb") as check:
                while chunk := check.read(CHUNK):
                    sha.update(chunk)
            if sha.hexdigest() != expected["sha256"]:
                raise BackupError(MEDIA_MISMATCH.format(member=name))
    except BaseException:
        _remove(written)
        raise
    return written


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def backup_restore(*, path: Path, force: bool = False) -> RestoreReport:
    """Restore an archive into this instance: checked first (`backup_verify`, migration states),
    into an empty instance unless `force` (which first deletes every row), all rows in one
    transaction that is rolled back unless every table's count and digest equal the manifest's;
    the files are written under MEDIA_ROOT first and removed again if the rows fail."""
    path = Path(path)
    manifest = backup_verify(path=path)
    code = code_migrations()
    if difference := _state_difference(applied_migrations(), code):
        raise BackupError(TARGET_NOT_MIGRATED.format(details=difference))
    if difference := _state_difference(manifest.data["migrations"], code):
        raise BackupError(MIGRATIONS_DIFFER.format(details=difference))
    targets = _target_models(manifest)
    connection = connections[DEFAULT_DB_ALIAS]
    root = Path(settings.MEDIA_ROOT)
    if not force:
        filled = [m._meta.db_table for m in targets if m._meta.db_table not in FILLED_BY_MIGRATE]
        busy = [table for table in filled if _count(connection, table)]
        if busy:
            raise BackupError(TARGET_NOT_EMPTY.format(tables="、".join(busy[:5]) + ("…" if len(busy) > 5 else "")))
        if next(_media_files(root), None) is not None:
            raise BackupError(MEDIA_NOT_EMPTY.format(path=root))
    report = RestoreReport()
    with _open(path) as archive:
        written = _write_media(archive, manifest, root)
        try:
            try:
                with transaction.atomic(using=DEFAULT_DB_ALIAS):
                    _restore_rows(connection, archive, manifest, targets, force, report)
            except DatabaseError as error:  # a constraint the rows break (a foreign key at the commit)
                raise BackupError(RESTORE_REFUSED.format(error=error)) from error
        except BaseException:
            _remove(written)
            raise
    report.files = len(written)
    report.file_bytes = sum(info["bytes"] for info in manifest.media.values())
    _after_restore()
    return report


def _restore_rows(connection, archive, manifest: Manifest, targets, force: bool, report: RestoreReport) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Foreign keys are deferred to the commit (Django creates them DEFERRABLE INITIALLY
        # DEFERRED on both engines), so tables can be emptied and filled in any order.
        for model in targets:
            table = model._meta.db_table
            if force or table in FILLED_BY_MIGRATE:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - a model's table
    for model in targets:
        info = manifest.tables[model._meta.db_table]
        with archive.open(info["member"]) as member:
            _insert_table(connection, model, iter(member))
    changes.everything(connection)  # every process holding state derived from the rows starts over
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), targets):
                cursor.execute(statement)
    problems = []
    for model in targets:
        table = model._meta.db_table
        info = manifest.tables[table]
        rows, digest = table_digest(model)
        if rows != info["rows"] or digest != manifest.members[info["member"]]["sha256"]:
            same_count = "，内容不同" if rows == info["rows"] else ""
            problems.append(f"{table}：应为 {info['rows']} 行，恢复后 {rows} 行{same_count}")
        report.tables[table] = rows
    if problems:
        raise BackupError(RESTORE_MISMATCH.format(details="；".join(problems[:5])))


def _after_restore() -> None:
    """Caches of the replaced data are stale: the apps that keep some hear of it through
    `restored` (orgs: the boundaries' version of prepared geometries and map layers); the position
    lists follow their list version, which the triggers changed, and the finder's index the change
    feed, which the restore's transaction wrote (in every process, not only this one)."""
    # Robustly: a cache that does not answer must not fail a committed restore.
    restored.send_robust(sender=None)
