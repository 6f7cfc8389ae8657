"""Django's SQLite backend, running `PRAGMA optimize` as each connection closes (statistics.py).

A command's connection is never closed by Django (the process just exits): the connections this
thread opened are closed at exit, so an import command leaves its tables analysed too."""

from __future__ import annotations

import atexit
import contextlib

from django.db.backends.sqlite3 import base

from yizhan.core.db_sqlite.statistics import optimize_before_close


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self):
        if self.connection is not None:
            optimize_before_close(self.connection)
        super()._close()


@atexit.register
def _close_at_exit() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if isinstance(connection, DatabaseWrapper):
            with contextlib.suppress(Exception):  # exiting: nothing is left to tell
                connection.close()
