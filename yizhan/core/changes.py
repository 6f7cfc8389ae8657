"""The change feed (issue 12 §1): which rows changed, written by the database itself.

Whatever keeps state derived from rows (the finder's in-memory index) must learn of every write,
whoever made it: a service's single save, a bulk import, a restore, a command in another process,
raw SQL in a database shell. Signals reach none but the first. Here, database triggers append one
change per written row to `core_change`, in the same transaction as the data, and a reader asks
`latest()` (one indexed read) before it answers and `since(mark, topic)` for what changed after the
mark it holds. Apps register what they watch (`watch(Model, topic=…, key=…)`, from their
`AppConfig.ready`); the kernel knows no domain table.

Per engine:
- SQLite: a row trigger per watched table and event inserts (topic, key); the change's `seq` is
  the rowid and every change gets a random `stamp`. SQLite has one writer at a time, so seq order is
  commit order; a mark is (seq, stamp) of the newest change, and the stamp tells a rolled-back (and
  reused) seq from the one a reader saw.
- PostgreSQL: a statement trigger per watched table and event with transition tables writes one
  INSERT … SELECT per statement (a 100,000-row import is one), tagged with the transaction id, and
  registers the transaction in `core_changecommit`. At commit a deferred constraint trigger numbers
  the transaction from the one-row `core_changehead`, whose row lock it holds until the commit is
  visible: commit numbers are given in commit order, so a reader that sees number n sees every
  transaction numbered below n (sequence values would commit out of order and a reader would skip
  the late one forever). A mark is (number, epoch); inside a transaction it also names that
  transaction and its newest own change, which `since` returns before they are committed.
- TRUNCATE (PostgreSQL) records the topic with no key, `everything()` (a restore) a change of
  every topic: both mean "start over".
- Pruning: SQLite keeps the newest 100,000 changes, PostgreSQL the newest 10,000 transactions (a
  kernel trigger deletes older ones every 1,024; the numbers are in migration core 0005). `since`
  from a mark older than what is kept, from a rolled-back mark or after the head was re-created
  answers None: start over.

The tables and the kernel's own triggers come from migration core 0005. The watched tables'
triggers are (re)installed by `install()` after every `migrate` (post_migrate) and by that
migration: a later migration that rebuilds a watched table on SQLite drops its triggers silently
(positions 0006), and the next post_migrate puts them back. `missing()` lists what is not in place.
The tables are not models: never backed up, restored, flushed or shown in the admin.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

EVERY_TOPIC = "*"  # the topic of `everything()`
WATCH_PREFIX = "core_change_on_"  # names of the watched tables' triggers and functions


@dataclass(frozen=True)
class Watch:
    """Changes of `table`'s rows are recorded under `topic` with the row's `key` column. Updates
    that set only `ignore` columns (derived ones, which their own triggers write) are no change."""

    table: str
    topic: str
    key: str
    ignore: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        digest = hashlib.sha256(f"{self.table}\0{self.topic}\0{self.key}".encode()).hexdigest()[:8]
        return f"{WATCH_PREFIX}{self.table[:32]}_{digest}"


_watches: dict[tuple[str, str], Watch] = {}


def watch(model: type[Model], *, topic: str, key: str = "pk", ignore: Iterable[str] = ()) -> None:
    """Record every write to `model`'s table under `topic`, keyed by the field `key` (the row's
    primary key by default, or e.g. a foreign key: the parent whose derived state changes).
    Call from `AppConfig.ready`; registering the same watch twice is harmless."""
    meta = model._meta
    field = meta.pk if key == "pk" else meta.get_field(key)
    ignored = tuple(sorted(meta.get_field(name).column for name in ignore))
    if not re.fullmatch(r"[a-z0-9_.]+", topic):
        raise ValueError(f"a topic is lower-case letters, digits, dots and underscores: {topic!r}")
    new = Watch(meta.db_table, topic, field.column, ignored)
    held = _watches.setdefault((new.table, topic), new)
    if held != new:
        raise ValueError(f"{new.table} is already watched under {topic!r} as {held}")


def watches() -> list[Watch]:
    return sorted(_watches.values(), key=lambda w: (w.table, w.topic))


# --- Reading ------------------------------------------------------------------------------------

# A mark is a tuple compared with ==, its first member the feed's position (larger is later):
# SQLite (seq, stamp); PostgreSQL (number, epoch), inside a transaction that wrote changes
# (number, epoch, txid, newest own change id).
Mark = tuple

_threads = threading.local()  # .connection, .raw, .cursor: kept per thread for `latest`


def connection_of_thread():
    """Django's default connection of this thread, looked up once per thread: the handler's lookup
    (a thread-critical Local) costs about as much as reading the feed. Django keeps one connection
    object per thread and alias (closing it does not replace it; a live test server assigns its
    threads' connections before they serve)."""
    connection = getattr(_threads, "connection", None)
    if connection is None:
        connection = _threads.connection = connections[DEFAULT_DB_ALIAS]
    return connection


def _raw(connection):
    """The driver's connection behind Django's (opened when closed)."""
    raw = connection.connection
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    return raw


def latest(connection=None) -> Mark:
    """Where the feed stands, as this connection sees it (inside a transaction: with its own
    uncommitted changes). One indexed read through a driver cursor kept per thread, below Django's
    query layer: this runs before every public nearby answer (bench/finder_nearby.py,
    bench/finder_http.py). Errors are Django's, as from any query."""
    connection = connection or connection_of_thread()
    raw = connection.connection
    if raw is None or getattr(_threads, "raw", None) is not raw:
        raw = _raw(connection)
        _threads.raw, _threads.cursor = raw, raw.cursor()
    cursor = _threads.cursor
    try:
        if connection.vendor == "sqlite":
            # LIMIT 1: fetchone() steps the statement to its end, so it holds no read lock after.
            return cursor.execute(_SQLITE_LATEST).fetchone() or (0, 0)
        if not connection.in_atomic_block:
            # Through libpq (psycopg.pq) directly: a third of the CPU of a cursor's execute and
            # fetch, for the one query on the public API's hot path. A failure goes again through
            # the cursor, which raises it as any query would (autocommit: nothing is left aborted).
            result = raw.pgconn.exec_(_PG_LATEST_BYTES)
            if result.status == _TUPLES_OK and result.ntuples == 1:
                return (int(result.get_value(0, 0)), int(result.get_value(0, 1)))
            cursor.execute(_PG_LATEST)
            return cursor.fetchone()
        cursor.execute(_PG_LATEST_IN_TRANSACTION)
        mark = cursor.fetchone()
        return mark if mark[3] is not None else mark[:2]  # no own changes: as outside
    except connection.Database.Error:
        with connection.wrap_database_errors:
            raise


def since(mark: Mark, topic: str, *, limit: int, connection=None) -> set[int] | None:
    """The keys recorded under `topic` after `mark` (a superset: a key may have changed before the
    mark too), or None when the reader must start over: the topic was truncated, a restore or
    `everything()` happened, more than `limit` keys changed, or the changes after `mark` are no
    longer all there (pruned, rolled back, the feed re-created)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    raw = _raw(connection)
    with connection.wrap_database_errors:
        if connection.vendor == "sqlite":
            return _sqlite_since(raw, mark, topic, limit)
        return _pg_since(raw, mark, topic, limit, connection.in_atomic_block)


def _keys(rows, limit: int) -> set[int] | None:
    keys = set()
    for (key,) in rows:
        if key is None:
            return None
        keys.add(key)
        if len(keys) > limit:
            return None
    return keys


def _sqlite_since(raw, mark: Mark, topic: str, limit: int) -> set[int] | None:
    seq, stamp = mark[0], mark[1]
    if seq == 0:
        return None  # the feed was empty: nothing proves that no change is missing
    found = raw.execute("SELECT stamp FROM core_change WHERE seq = ?", (seq,)).fetchone()
    if found is None or found[0] != stamp:
        return None
    # Each changed key at most a few times a row; beyond this many rows, start over.
    rows = raw.execute(
        "SELECT key FROM core_change WHERE seq > ? AND topic IN (?, ?) ORDER BY seq LIMIT ?",
        (seq, topic, EVERY_TOPIC, limit * 8 + 1),
    ).fetchall()
    if len(rows) > limit * 8:
        return None
    return _keys(rows, limit)


def _pg_since(raw, mark: Mark, topic: str, limit: int, in_transaction: bool) -> set[int] | None:
    seq, epoch, txid, own = mark if len(mark) == 4 else (*mark, None, None)
    head = raw.execute("SELECT epoch, seq, pruned FROM core_changehead WHERE id = 1").fetchone()
    if head is None or head[0] != epoch or seq < head[2] or seq > head[1]:
        return None
    current = raw.execute("SELECT txid_current_if_assigned()").fetchone()[0] if in_transaction else None
    own_after = 0
    if txid is not None:
        if txid == current:
            # Own changes up to `own` are in the mark: still there unless a savepoint rolled back.
            if own is not None:
                if raw.execute("SELECT 1 FROM core_change WHERE id = %s AND txid = %s", (own, txid)).fetchone() is None:
                    return None
                own_after = own
        elif (
            raw.execute("SELECT 1 FROM core_changecommit WHERE txid = %s AND seq IS NOT NULL", (txid,)).fetchone()
            is None
        ):
            return None  # the mark held another transaction's changes, and it did not commit
    cap = limit * 8 + 1
    rows = raw.execute(
        "SELECT c.key FROM core_changecommit m JOIN core_change c ON c.txid = m.txid"
        " WHERE m.seq > %s AND c.topic IN (%s, %s) LIMIT %s",
        (seq, topic, EVERY_TOPIC, cap),
    ).fetchall()
    if current is not None:
        rows += raw.execute(
            "SELECT key FROM core_change WHERE txid = %s AND id > %s AND topic IN (%s, %s) LIMIT %s",
            (current, own_after, topic, EVERY_TOPIC, cap),
        ).fetchall()
    if len(rows) >= cap:
        return None
    return _keys(rows, limit)


_SQLITE_LATEST = "SELECT seq, stamp FROM core_change ORDER BY seq DESC LIMIT 1"
_PG_LATEST = "SELECT seq, epoch FROM core_changehead WHERE id = 1"
_PG_LATEST_BYTES = _PG_LATEST.encode()
_TUPLES_OK = 2  # psycopg.pq.ExecStatus.TUPLES_OK (psycopg is imported only with PostgreSQL)
_PG_LATEST_IN_TRANSACTION = (
    "SELECT h.seq, h.epoch, t.txid, (SELECT max(c.id) FROM core_change c WHERE c.txid = t.txid)"
    " FROM core_changehead h, (SELECT txid_current_if_assigned() AS txid) t WHERE h.id = 1"
)


# --- Writing ------------------------------------------------------------------------------------


def everything(connection=None) -> None:
    """Record a change of every topic (readers start over), in the current transaction: for writers
    that replace data wholesale, such as a restore."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_change (topic, key) VALUES (%s, NULL)", [EVERY_TOPIC])
        if connection.vendor == "postgresql":
            cursor.execute("INSERT INTO core_changecommit (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING")


# --- Triggers of the watched tables ---------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sqlite_triggers(w: Watch, columns: list[str]) -> dict[str, str]:
    """{trigger name: CREATE TRIGGER statement} of one watch on SQLite."""
    table, topic, key = _quote(w.table), _literal(w.topic), _quote(w.key)
    watched = ", ".join(_quote(c) for c in columns if c not in w.ignore)
    insert = "INSERT INTO core_change (topic, key) VALUES"
    return {
        f"{w.name}_ai": f"CREATE TRIGGER {w.name}_ai AFTER INSERT ON {table} BEGIN {insert} ({topic}, NEW.{key}); END",
        f"{w.name}_au": (
            f"CREATE TRIGGER {w.name}_au AFTER UPDATE OF {watched} ON {table} BEGIN {insert} ({topic}, NEW.{key}); "
            f"INSERT INTO core_change (topic, key) SELECT {topic}, OLD.{key} WHERE OLD.{key} IS NOT NEW.{key}; END"
        ),
        f"{w.name}_ad": f"CREATE TRIGGER {w.name}_ad AFTER DELETE ON {table} BEGIN {insert} ({topic}, OLD.{key}); END",
    }


def _pg_function(w: Watch) -> str:
    topic, key = _literal(w.topic), _quote(w.key)
    # Names and a quoted literal from a registered watch (model metadata), never from a request.
    return f"""CREATE OR REPLACE FUNCTION {w.name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO core_change (topic, key) SELECT {topic}, {key} FROM core_change_new;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO core_change (topic, key)
            SELECT {topic}, {key} FROM core_change_new UNION SELECT {topic}, {key} FROM core_change_old;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO core_change (topic, key) SELECT {topic}, {key} FROM core_change_old;
    ELSE  -- TRUNCATE: every key
        INSERT INTO core_change (topic, key) VALUES ({topic}, NULL);
    END IF;
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written > 0 THEN
        INSERT INTO core_changecommit (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$"""  # noqa: S608


def _pg_triggers(w: Watch) -> dict[str, str]:
    table, function = _quote(w.table), f"EXECUTE FUNCTION {w.name}()"
    return {
        f"{w.name}_ai": f"CREATE OR REPLACE TRIGGER {w.name}_ai AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS core_change_new FOR EACH STATEMENT {function}",
        f"{w.name}_au": f"CREATE OR REPLACE TRIGGER {w.name}_au AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS core_change_old NEW TABLE AS core_change_new FOR EACH STATEMENT {function}",
        f"{w.name}_ad": f"CREATE OR REPLACE TRIGGER {w.name}_ad AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS core_change_old FOR EACH STATEMENT {function}",
        f"{w.name}_at": f"CREATE OR REPLACE TRIGGER {w.name}_at AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT {function}",
    }


def _pg_digest(w: Watch) -> str:
    """What the installed function's comment says: a digest of the function and its triggers."""
    text = "\n".join([_pg_function(w), *_pg_triggers(w).values()])
    return hashlib.sha256(text.encode()).hexdigest()


def _feed_exists(cursor, connection) -> bool:
    return "core_change" in connection.introspection.table_names(cursor)


def _expected(connection) -> tuple[dict[str, tuple[Watch, str]], set[str]]:
    """({trigger name: (watch, statement)} for the watches whose tables exist, names of all tables)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        expected = {}
        for w in watches():
            if w.table not in tables:
                continue
            if connection.vendor == "sqlite":
                columns = [c.name for c in connection.introspection.get_table_description(cursor, w.table)]
                triggers = _sqlite_triggers(w, columns)
            else:
                triggers = _pg_triggers(w)
            expected.update({name: (w, sql) for name, sql in triggers.items()})
    return expected, tables


def _installed(cursor, vendor: str) -> dict[str, str]:
    """{name: definition} of the watch triggers present (SQLite: its SQL; PostgreSQL: the comment
    of its function, the digest `_pg_digest` wrote)."""
    pattern = WATCH_PREFIX.replace("_", r"\_") + "%"
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '\\'", [pattern]
        )
    else:
        cursor.execute(
            "SELECT t.tgname, obj_description(t.tgfoid, 'pg_proc') FROM pg_trigger t"
            " WHERE NOT t.tgisinternal AND t.tgname LIKE %s ESCAPE '\\'",
            [pattern],
        )
    return dict(cursor.fetchall())


def missing(connection=None) -> list[str]:
    """Names of the watch triggers that are absent or differ from what `install` writes."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    expected, tables = _expected(connection)
    if "core_change" not in tables:
        return sorted(expected) or ["core_change"]
    with connection.cursor() as cursor:
        present = _installed(cursor, connection.vendor)
    if connection.vendor == "sqlite":
        return sorted(name for name, (_w, sql) in expected.items() if present.get(name) != sql)
    return sorted(name for name, (w, _sql) in expected.items() if present.get(name) != _pg_digest(w))


def install(connection=None) -> list[str]:
    """Create or replace the triggers of every registered watch whose table exists, and drop
    watch triggers no longer registered; idempotent (what is in place is left alone). Returns the
    names of the triggers it wrote."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    expected, tables = _expected(connection)
    if "core_change" not in tables:
        return []  # the feed itself is not migrated yet
    with connection.cursor() as cursor:
        present = _installed(cursor, connection.vendor)
        written = []
        if connection.vendor == "sqlite":
            for name in sorted(set(present) - set(expected)):
                cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
            for name, (_w, sql) in sorted(expected.items()):
                if present.get(name) != sql:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
                    cursor.execute(sql)
                    written.append(name)
            return written
        for name in sorted(set(present) - set(expected)):
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s", [name]
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)} ON {_quote(table)}")
        expected_functions = {w.name for w, _sql in expected.values()}
        for function in sorted({name[:-3] for name in present} - expected_functions):
            cursor.execute(f"DROP FUNCTION IF EXISTS {_quote(function)}()")
        done = set()
        for _name, (w, _sql) in sorted(expected.items()):
            if w.name in done or all(present.get(n) == _pg_digest(w) for n in _pg_triggers(w)):
                continue
            done.add(w.name)
            cursor.execute(_pg_function(w))
            for trigger, sql in _pg_triggers(w).items():
                cursor.execute(sql)
                written.append(trigger)
            cursor.execute(f"COMMENT ON FUNCTION {w.name}() IS {_literal(_pg_digest(w))}")
        return written


def uninstall(connection) -> None:
    """Drop every watch trigger (and, on PostgreSQL, their functions): before the feed goes."""
    with connection.cursor() as cursor:
        present = _installed(cursor, connection.vendor)
        if connection.vendor == "sqlite":
            for name in present:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(name)}")
            return
        cursor.execute(
            "SELECT t.tgname, c.relname, p.proname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgname LIKE %s ESCAPE '\\'",
            [WATCH_PREFIX.replace("_", r"\_") + "%"],
        )
        functions = set()
        for trigger, table, function in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {_quote(trigger)} ON {_quote(table)}")
            functions.add(function)
        for function in functions:
            cursor.execute(f"DROP FUNCTION IF EXISTS {_quote(function)}()")


def install_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (core's AppConfig): every migrate ends with the triggers in place."""
    install(connections[using])
