"""Planner statistics on SQLite (https://sqlite.org/pragma.html#pragma_optimize, lang_analyze.html).

Without statistics (`sqlite_stat1`) SQLite's planner guesses every table's size and every index's
selectivity, and after a large import it may walk the wrong index. SQLite's recommendations:

- applications with short-lived connections run `PRAGMA optimize` just before closing each one.
  Ours are: a connection lives at most CONN_MAX_AGE (60 s), a job's or an import thread's until it
  ends, a command's until it exits. The backend (`base.py`) runs `optimize_before_close` then.
  `PRAGMA optimize` is usually a no-op; it analyses a table when the planner used the table's
  indexes on this connection and they are unanalysed or the table grew about 25-fold since. So an
  import's connection, which looked rows up through the tables' indexes, leaves them analysed.
- every application runs it after a schema change, especially CREATE INDEX: `after_migrate`, on
  post_migrate when the migrate applied something.
- `PRAGMA analysis_limit` bounds the ANALYZE the pragma runs (SQLite ≥ 3.46 sets a temporary limit
  itself; older versions need it set). ANALYSIS_LIMIT rows per index: the demo's ~110 tables are
  analysed in ~3 ms (unbounded: ~140 ms).

SQLite before 3.46 (Debian 12 has 3.40) has no `optimize=0x10002` (check every table, not only the
ones this connection used), which is what a fresh migrate's connection needs: there a bounded
ANALYZE of the whole database stands in for it.
"""

from __future__ import annotations

import logging
import sqlite3

logger = logging.getLogger(__name__)

ANALYSIS_LIMIT = 400  # SQLite's suggestion: 100–1000 rows per index
CLOSE_BUSY_TIMEOUT_MS = 50  # a closing connection does not wait for a writer: the next close will do
CHECK_ALL_TABLES = sqlite3.sqlite_version_info >= (3, 46, 0)  # PRAGMA optimize's 0x10000 bit


def optimize_before_close(raw) -> None:
    """`PRAGMA optimize` on a driver connection about to close (never inside a transaction, never
    waiting long for the write lock an ANALYZE takes). A failure is logged, never raised: closing
    goes on, and a later close tries again."""
    if raw.in_transaction:
        return
    try:
        raw.execute(f"PRAGMA busy_timeout = {CLOSE_BUSY_TIMEOUT_MS}")
        raw.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        raw.execute("PRAGMA optimize")
    except sqlite3.Error as error:
        logger.info("PRAGMA optimize before closing skipped: %s", error)


def refresh_statistics(connection) -> None:
    """Bring the planner's statistics up to date on every table, now (after a schema change or a
    bulk load, when this connection has not itself used the tables' indexes). Nothing on
    PostgreSQL (autovacuum analyses)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("PRAGMA optimize = 0x10002" if CHECK_ALL_TABLES else "ANALYZE")


def after_migrate(sender, using, plan=None, **kwargs) -> None:
    """post_migrate: statistics after a migrate that applied migrations (a flush sends post_migrate
    with no plan, an up-to-date migrate an empty one: neither changed the schema)."""
    if not plan:
        return
    from django.db import connections

    refresh_statistics(connections[using])
