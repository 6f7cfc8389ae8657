"""The change feed (yizhan/core/changes.py, issue 12 §1): its tables and the kernel's own triggers,
per engine, then the watched tables' triggers of the apps registered now (`changes.install`, which
every later migrate repeats through post_migrate).

Not models: the feed is written by triggers and read by raw SQL, and must stay out of backups,
restores, test flushes and the admin.

SQLite: `core_change` (seq = rowid, a random stamp per change); a trigger keeps the newest KEEP_ROWS
changes, deleting older ones every PRUNE_EVERY.

PostgreSQL: `core_change` rows carry their transaction id; `core_changecommit` lists the
transactions that wrote changes, numbered at commit by the deferred constraint trigger
`core_change_commit` from the one row of `core_changehead` (whose row lock orders the numbers as the
commits); every PRUNE_EVERY commits it deletes the transactions older than the newest KEEP_COMMITS
and records how far in `pruned`. The head's random epoch changes only if the row is made anew.
"""

from django.db import migrations

KEEP_ROWS = 100_000
KEEP_COMMITS = 10_000
PRUNE_EVERY = 1024

SQLITE_FORWARD = [
    """CREATE TABLE core_change (
        seq integer NOT NULL PRIMARY KEY,
        stamp integer NOT NULL DEFAULT (random()),
        topic varchar(100) NOT NULL,
        key bigint NULL
    )""",
    f"""CREATE TRIGGER core_change_prune AFTER INSERT ON core_change WHEN NEW.seq % {PRUNE_EVERY} = 0 BEGIN
        DELETE FROM core_change WHERE seq <= NEW.seq - {KEEP_ROWS};
    END""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_change_prune",
    "DROP TABLE IF EXISTS core_change",
]

NEW_EPOCH = "floor(random() * 4503599627370496)::bigint"

POSTGRES_FORWARD = [
    """CREATE TABLE core_changehead (
        id integer NOT NULL PRIMARY KEY CHECK (id = 1),
        epoch bigint NOT NULL,
        seq bigint NOT NULL,
        pruned bigint NOT NULL
    )""",
    f"INSERT INTO core_changehead (id, epoch, seq, pruned) VALUES (1, {NEW_EPOCH}, 0, 0)",
    """CREATE TABLE core_changecommit (
        txid bigint NOT NULL PRIMARY KEY,
        seq bigint NULL UNIQUE
    )""",
    """CREATE TABLE core_change (
        id bigserial NOT NULL PRIMARY KEY,
        txid bigint NOT NULL DEFAULT txid_current(),
        topic varchar(100) NOT NULL,
        key bigint NULL
    )""",
    "CREATE INDEX core_change_txid ON core_change (txid, id)",
    f"""CREATE FUNCTION core_change_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        n bigint;
    BEGIN
        INSERT INTO core_changehead AS h (id, epoch, seq, pruned) VALUES (1, {NEW_EPOCH}, 1, 0)
            ON CONFLICT (id) DO UPDATE SET seq = h.seq + 1 RETURNING h.seq INTO n;
        UPDATE core_changecommit SET seq = n WHERE txid = NEW.txid;
        IF n % {PRUNE_EVERY} = 0 AND n > {KEEP_COMMITS} THEN
            DELETE FROM core_change c USING core_changecommit m
                WHERE c.txid = m.txid AND m.seq <= n - {KEEP_COMMITS};
            DELETE FROM core_changecommit WHERE seq <= n - {KEEP_COMMITS};
            UPDATE core_changehead SET pruned = n - {KEEP_COMMITS} WHERE id = 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER core_change_commit AFTER INSERT ON core_changecommit
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core_change_commit()""",
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_change_commit ON core_changecommit",
    "DROP FUNCTION IF EXISTS core_change_commit()",
    "DROP TABLE IF EXISTS core_change",
    "DROP TABLE IF EXISTS core_changecommit",
    "DROP TABLE IF EXISTS core_changehead",
]

SQL = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _statements(schema_editor, direction: int) -> list[str]:
    statements = SQL.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"core 0005 has no SQL for {schema_editor.connection.vendor}")
    return statements[direction]


def forward(apps, schema_editor):
    from yizhan.core import changes

    for statement in _statements(schema_editor, 0):
        schema_editor.execute(statement, params=None)
    changes.install(schema_editor.connection)


def backward(apps, schema_editor):
    from yizhan.core import changes

    changes.uninstall(schema_editor.connection)
    for statement in _statements(schema_editor, 1):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_action_reveal"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
