"""A consistent read of the database for a job that reads much and writes nothing (a check, an
export): every query inside `read_snapshot()` sees the database as it was when the first one ran,
while others go on writing.

PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred transaction (in WAL mode,
a reader's snapshot that blocks no writer); Django opens SQLite transactions as IMMEDIATE here
(settings: the audit chain's writers queue up front), which would hold back every writer until the
job ends, so this one is begun by hand on the job's connection, outside Django's bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

NESTED = "read_snapshot() must be entered outside any transaction"


@contextmanager
def read_snapshot() -> Iterator[None]:
    if connection.in_atomic_block:
        raise RuntimeError(NESTED)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor != "sqlite":
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")
