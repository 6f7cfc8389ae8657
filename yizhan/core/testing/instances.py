"""Databases for the processes tests start (commands, servers, workers, backups): a throw-away
installation's database, migrated, without running `migrate` in a child process each time.

pytest-django builds this test process's own database by `migrate` (every app's migrations, the
post_migrate handlers: the change feed's triggers, SQLite's statistics). Right after it is built,
before any test writes to it, `capture()` keeps a copy of it: a SQLite file (the in-memory
database copied by SQLite's backup API), or a PostgreSQL database made from it with
`CREATE DATABASE … TEMPLATE`. `new_database()` then gives a child its own migrated database in
milliseconds (SQLite: a file copy) or a fraction of a second (PostgreSQL: a template copy): the
schema is this run's migrations, byte for byte what `migrate` made, so nothing can go stale.

`write_demo()` fills such a database with the demo: the rows of this process's demo snapshot
(core.testing.demo: the real loaders' rows, loaded once per process), written by the database
driver, and the media files they name copied into the installation's MEDIA_ROOT — what
`manage.py demo` leaves in a new installation, without its loaders running again in the child.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@dataclass
class _Template:
    vendor: str
    sqlite_path: Path | None = None  # SQLite: the migrated file
    server: str = ""  # PostgreSQL: postgresql://user@host:port (no database)
    database: str = ""  # PostgreSQL: the template database


_template: _Template | None = None


def _server_of(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{user}{password}@{host}{port}"


def _admin(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def capture() -> None:
    """Keep a copy of this process's freshly migrated test database (call before any test writes)."""
    global _template
    if _template is not None:
        return
    if connection.vendor == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="yizhan-migrated-"))
        path = folder / "migrated.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        _template = _Template(vendor="sqlite", sqlite_path=path)
        atexit.register(shutil.rmtree, folder, True)
        return
    if connection.vendor == "postgresql":
        server = _server_of(connection.settings_dict)
        source = connection.settings_dict["NAME"]
        database = f"yizhan_migrated_{uuid.uuid4().hex[:10]}"
        connections.close_all()  # a template database must have no other session
        _admin(server, f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
        _template = _Template(vendor="postgresql", server=server, database=database)
        return
    raise NotImplementedError(connection.vendor)


def release() -> None:
    """Drop the PostgreSQL template (the SQLite file goes with the process)."""
    global _template
    if _template is not None and _template.vendor == "postgresql":
        with contextlib.suppress(Exception):
            _admin(_template.server, f'DROP DATABASE IF EXISTS "{_template.database}" WITH (FORCE)')
    _template = None


@dataclass
class Database:
    """A migrated database of a child's own: `url` for its DATABASE_URL."""

    url: str
    sqlite_path: Path | None = None
    server: str = ""
    name: str = ""

    def drop(self) -> None:
        if self.server:
            _admin(self.server, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def new_database(folder: Path, name: str = "instance") -> Database:
    """A new migrated, empty database (a copy of the captured one): a SQLite file in `folder`, or a
    database of its own on this run's PostgreSQL server (drop it with `.drop()`)."""
    if _template is None:
        raise AssertionError("no migrated database was captured: request the `child_databases` fixture")
    if _template.vendor == "sqlite":
        path = Path(folder) / f"{name}.sqlite3"
        shutil.copyfile(_template.sqlite_path, path)
        return Database(url=f"sqlite:///{path}", sqlite_path=path)
    database = f"yizhan_{name}_{uuid.uuid4().hex[:8]}".lower()
    _admin(_template.server, f'CREATE DATABASE "{database}" TEMPLATE "{_template.database}"')
    return Database(url=f"{_template.server}/{database}", server=_template.server, name=database)


def sqlite_copy(path: Path) -> bool:
    """For processes that run on SQLite whatever this run's engine: the captured migrated database
    copied to `path` when this run is on SQLite (True); on PostgreSQL nothing (False: migrate it)."""
    if _template is None:
        raise AssertionError("no migrated database was captured: request the `child_databases` fixture")
    if _template.vendor != "sqlite":
        return False
    shutil.copyfile(_template.sqlite_path, path)
    return True


@contextlib.contextmanager
def connection_to(database: Database):
    """A Django connection (this process's engine and options) to a child's database."""
    settings_dict = {**connection.settings_dict}
    if database.sqlite_path is not None:
        settings_dict["NAME"] = str(database.sqlite_path)
    else:
        settings_dict["NAME"] = database.name
    settings_dict["CONN_MAX_AGE"] = 0
    alias = f"yizhan_child_{uuid.uuid4().hex[:6]}"
    other = connections[DEFAULT_DB_ALIAS].__class__(settings_dict, alias=alias)
    connections[alias] = other  # transaction.atomic(using=alias) finds it
    try:
        yield other
    finally:
        other.close()
        del connections[alias]


def _rehash_demo_passwords(other) -> None:
    """The snapshot's accounts carry the tests' fast hashes (MD5), which the installation's own
    settings do not accept: the demo password hashed again by the project's first hasher, as
    `manage.py demo` stores it."""
    from importlib import import_module

    from django.conf import ENVIRONMENT_VARIABLE, settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import MD5PasswordHasher
    from django.utils.module_loading import import_string

    project_settings = import_module(os.environ[ENVIRONMENT_VARIABLE])  # as configured, not as a test overrides it
    password = settings.YIZHAN_DEMO_PASSWORD
    table = get_user_model()._meta.db_table
    fast = MD5PasswordHasher()
    hasher = import_string(project_settings.PASSWORD_HASHERS[0])()
    encoded = None
    with other.cursor() as cursor:
        cursor.execute(f'SELECT id, password FROM "{table}"')  # noqa: S608
        for pk, stored in cursor.fetchall():
            if stored.startswith(f"{fast.algorithm}$") and fast.verify(password, stored):
                encoded = encoded or hasher.encode(password, hasher.salt())
                cursor.execute(f'UPDATE "{table}" SET password = %s WHERE id = %s', [encoded, pk])  # noqa: S608


def write_demo(database: Database, media_root: Path) -> None:
    """The demo into a new installation (`new_database`, nothing written to it yet), as `manage.py
    demo` leaves it: the snapshot's rows, and the files they name copied into `media_root`."""
    from yizhan.core.testing.demo import demo_snapshot, project_models, restore_rows

    snapshot = demo_snapshot()
    with connection_to(database) as other:
        restore_rows(snapshot.rows, other)
        _rehash_demo_passwords(other)
        names = []
        with other.cursor() as cursor:
            for model in project_models():
                for field in model._meta.concrete_fields:
                    if isinstance(field, models.FileField):
                        table, column = model._meta.db_table, field.column
                        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\'')  # noqa: S608
                        names.extend(name for (name,) in cursor.fetchall() if name)
    source = Path(snapshot.media_root)
    for name in names:
        origin, target = source / name, Path(media_root) / name
        if not origin.is_file():
            raise AssertionError(f"the demo's file {name} is no longer in {source}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)


__all__ = ["Database", "capture", "connection_to", "new_database", "release", "sqlite_copy", "write_demo"]
