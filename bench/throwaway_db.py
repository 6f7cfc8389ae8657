"""The throw-away database every benchmark runs on: SQLite in a temporary folder by default, or, when
DATABASE_URL names a PostgreSQL server, a database of the benchmark's own on it (dropped and made
anew, so a benchmark never touches the database DATABASE_URL names). Call before django.setup()."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass


@dataclass
class ThrowawayDatabase:
    engine: str  # "SQLite" or "PostgreSQL", for the report
    server: str | None  # the PostgreSQL server URL to drop the database from, or None
    name: str
    folder: str | None  # SQLite's temporary folder

    def drop(self) -> None:
        """Remove the database (close Django's connections first)."""
        if self.server is None:
            if self.folder:
                shutil.rmtree(self.folder, ignore_errors=True)
            return
        import psycopg
        from django.db import connections

        connections.close_all()
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name}")


def throwaway_database(name: str) -> ThrowawayDatabase:
    """Point DATABASE_URL at a new empty database called `name` (on PostgreSQL) or a new SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        server = url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{name}"
        return ThrowawayDatabase("PostgreSQL", server, name, None)
    folder = tempfile.mkdtemp(prefix="yizhan-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return ThrowawayDatabase("SQLite", None, name, folder)
