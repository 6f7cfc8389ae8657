"""Database reads of a worker process, answered by the process that started it.

A large import checks its rows in a second process (`positions/imports/worker.py`) while the first
one writes. The checks look records up (a stored service centre, an area's boundary or name) and
must see what the importing transaction sees: the rows it has written so far, a test's uncommitted
data. So the worker opens no connection of its own. `borrow()` turns its Django connection into one
that hands each statement to the parent; the parent runs it on the importing connection with
`answer_read()` and sends the rows back, which the worker's Django then converts as usual (the same
engine compiles and converts on both sides). Only reads pass: the parent refuses anything else, and
nothing in the worker can begin, commit or roll back a transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, NotSupportedError

NOT_A_READ = "a worker process may only read through its parent's connection"


def is_read(sql: str) -> bool:
    return sql.lstrip(" (\n\t").upper().startswith("SELECT")


def answer_read(connection, sql: str, params) -> tuple:
    """Run a worker's statement on `connection`: ("rows", description, rows) or ("error", message)."""
    if not is_read(sql):
        return ("error", NOT_A_READ)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.description is None:
                return ("rows", None, [])
            description = [tuple(column[i] for i in range(7)) for column in cursor.description]
            return ("rows", description, cursor.fetchall())
    except DatabaseError as error:
        return ("error", str(error))


def borrow(connection, ask: Callable[[tuple], tuple], *, server_version: int | None = None) -> None:
    """In the worker: make `connection` send its statements to `ask` (which returns what the parent's
    `answer_read` returned) instead of opening a database connection."""
    connection.connection = _NoDriver()  # Django connects only when this is None
    connection.create_cursor = lambda name=None: _ReadCursor(ask)
    # The debug cursor would ask the driver to render each statement with its values.
    connection.force_debug_cursor = False
    if connection.vendor == "postgresql" and server_version is not None:
        connection.__dict__["pg_version"] = server_version  # asked by some features; needs a server


class _NoDriver:
    """Stands where the driver's connection would be."""

    autocommit = True

    def close(self) -> None:
        pass

    def commit(self) -> None:
        raise NotSupportedError(NOT_A_READ)

    def rollback(self) -> None:
        raise NotSupportedError(NOT_A_READ)


class _ReadCursor:
    """A DB-API cursor whose statements run in the parent process."""

    arraysize = 100

    def __init__(self, ask: Callable[[tuple], tuple]):
        self.ask = ask
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self.rows: list = []
        self.at = 0

    def execute(self, sql: str, params=None) -> None:
        answer = self.ask(("read", sql, tuple(params) if params is not None else None))
        if answer[0] == "error":
            raise DatabaseError(answer[1])
        _kind, self.description, self.rows = answer
        self.rowcount, self.at = len(self.rows), 0

    def executemany(self, sql: str, params_list) -> None:
        raise NotSupportedError(NOT_A_READ)

    def fetchone(self):
        if self.at >= len(self.rows):
            return None
        self.at += 1
        return self.rows[self.at - 1]

    def fetchmany(self, size: int | None = None) -> list:
        size = size or self.arraysize
        rows = self.rows[self.at : self.at + size]
        self.at += len(rows)
        return rows

    def fetchall(self) -> list:
        rows = self.rows[self.at :]
        self.at = len(self.rows)
        return rows

    def __iter__(self):
        return iter(self.fetchall())

    def close(self) -> None:
        self.rows = []
