"""The change feed (core/changes.py, issue 12 §1) on its own: triggers in place after every migrate,
marks and what changed since, starting over when changes were pruned, rolled back or replaced
wholesale, and commit numbers in commit order on PostgreSQL. Changes are written here as the
watched tables' triggers write them; the triggers themselves are exercised through real writes in
finder/tests/test_freshness*.py."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from yizhan.core import changes

FEED_MIGRATION = importlib.import_module("yizhan.core.migrations.0005_change_feed")
TOPIC = "test.thing"

pytestmark = pytest.mark.django_db


def _record(*keys: int | None, topic: str = TOPIC) -> None:
    """Changes as a watched table's trigger records them, in one transaction (on PostgreSQL with
    the transaction's registration for its commit number)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for key in keys:
            cursor.execute("INSERT INTO core_change (topic, key) VALUES (%s, %s)", [topic, key])
        if connection.vendor == "postgresql":
            cursor.execute("INSERT INTO core_changecommit (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING")


def test_every_watch_trigger_is_in_place_after_migrations():
    assert changes.watches(), "the apps register what they watch at start-up"
    assert changes.missing() == []


def test_a_dropped_trigger_comes_back_with_the_next_migrate():
    """What a table rebuild on SQLite does to triggers (positions 0006): the next migrate, even one
    with nothing to apply, puts them back."""
    with connection.cursor() as cursor:
        for w in changes.watches():
            for suffix in ("ai", "au", "ad"):
                on = "" if connection.vendor == "sqlite" else f" ON {w.table}"
                cursor.execute(f"DROP TRIGGER {w.name}_{suffix}{on}")
    assert len(changes.missing()) >= 3 * len(changes.watches())
    call_command("migrate", verbosity=0)
    assert changes.missing() == []


def test_an_outdated_trigger_is_replaced():
    first = changes.watches()[0]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {first.name}_ai")
            cursor.execute(f"CREATE TRIGGER {first.name}_ai AFTER INSERT ON {first.table} BEGIN SELECT 1; END")
        else:
            cursor.execute(f"COMMENT ON FUNCTION {first.name}() IS 'an older definition'")
    assert f"{first.name}_ai" in changes.missing()
    assert f"{first.name}_ai" in changes.install()
    assert changes.missing() == []
    assert changes.install() == []  # idempotent: what is in place is left alone


def test_a_new_watch_gets_its_triggers_and_a_dropped_one_loses_them(monkeypatch):
    from yizhan.core.models import AuditAnchor

    monkeypatch.setattr(changes, "_watches", dict(changes._watches))
    changes.watch(AuditAnchor, topic="test.anchor")
    [new] = [w for w in changes.watches() if w.topic == "test.anchor"]
    assert {f"{new.name}_ai", f"{new.name}_au", f"{new.name}_ad"} <= set(changes.missing())
    assert f"{new.name}_ai" in changes.install()
    assert changes.missing() == []
    del changes._watches[(new.table, new.topic)]
    changes.install()
    with connection.cursor() as cursor:
        assert not any(name.startswith(new.name) for name in changes._installed(cursor, connection.vendor))
    assert changes.missing() == []


def test_since_answers_the_keys_of_a_topic_changed_after_a_mark():
    _record(1)
    mark = changes.latest()
    assert changes.latest() == mark
    _record(2, 3)
    _record(9, topic="test.other")
    assert changes.latest() != mark
    assert changes.since(mark, TOPIC, limit=10) == {2, 3}
    assert changes.since(changes.latest(), TOPIC, limit=10) == set()


def test_more_keys_than_the_limit_mean_start_over():
    _record(1)
    mark = changes.latest()
    _record(*range(2, 13))
    assert changes.since(mark, TOPIC, limit=10) is None
    assert changes.since(mark, TOPIC, limit=11) == set(range(2, 13))


def test_a_change_without_a_key_and_everything_mean_start_over():
    _record(1)
    mark = changes.latest()
    _record(None)  # a truncate of a watched table (PostgreSQL)
    assert changes.since(mark, TOPIC, limit=10) is None
    mark = changes.latest()
    changes.everything()  # what a restore records
    assert changes.since(mark, TOPIC, limit=10) is None
    assert changes.since(mark, "test.any_topic", limit=10) is None


def test_a_mark_of_rolled_back_changes_means_start_over():
    """A reader that saw changes a transaction then rolled back must not build on them, even when
    later changes take the same place in the feed."""
    _record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(2)
        seen = changes.latest()
        raise RuntimeError("roll back")
    _record(3)
    assert changes.latest() != seen
    assert changes.since(seen, TOPIC, limit=10) is None


def test_pruned_changes_mean_start_over():
    _record(1)
    mark = changes.latest()
    keep, every = FEED_MIGRATION.KEEP_ROWS, FEED_MIGRATION.PRUNE_EVERY
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
                " INSERT INTO core_change (topic, key) SELECT %s, i FROM n",
                [keep + every, TOPIC],
            )
            cursor.execute("SELECT count(*) FROM core_change")
            assert cursor.fetchone()[0] <= keep + every
        else:
            # Commits of other transactions, numbered at once instead of at their commits.
            keep, every = FEED_MIGRATION.KEEP_COMMITS, FEED_MIGRATION.PRUNE_EVERY
            cursor.execute(
                "INSERT INTO core_changecommit (txid) SELECT 1000000000000000 + g FROM generate_series(1, %s) g",
                [keep + every],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SELECT pruned, seq FROM core_changehead")
            pruned, seq = cursor.fetchone()
            assert pruned > 0 and seq - pruned <= keep + every
            cursor.execute("SELECT count(*) FROM core_changecommit WHERE seq IS NOT NULL")
            assert cursor.fetchone()[0] <= keep + every
    assert changes.since(mark, TOPIC, limit=10) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_changes_committed_out_of_order_are_never_lost():
    """Writer A records its change first and commits last; a reader that looked in between (after
    B's commit) still gets A's change. The feed's numbers are commit numbers: a reader that kept
    the highest change id it had seen would have skipped A's lower one forever."""
    if connection.vendor != "postgresql":
        pytest.skip("transactions committing out of order need PostgreSQL's concurrent writers")
    _record(0)
    before = changes.latest()
    a_wrote, b_committed, a_may_commit = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    ids: dict[str, int] = {}

    def writer(name: str, key: int, wait: threading.Event | None, then: threading.Event) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                _record(key)
                cursor.execute("SELECT max(id) FROM core_change WHERE txid = txid_current()")
                ids[name] = cursor.fetchone()[0]
                if wait is None:
                    then.set()
                    assert a_may_commit.wait(30)
            if wait is not None:
                then.set()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            then.set()
        finally:
            connections.close_all()

    a = threading.Thread(target=writer, args=("a", 101, None, a_wrote))
    a.start()
    assert a_wrote.wait(30)
    b = threading.Thread(target=writer, args=("b", 202, a_wrote, b_committed))
    b.start()
    b.join(30)
    assert b_committed.is_set()
    between = changes.latest()  # B is committed, A is not
    assert changes.since(before, TOPIC, limit=10) == {202}
    a_may_commit.set()
    a.join(30)
    assert errors == []
    assert ids["a"] < ids["b"], "A's change was written first"
    assert changes.since(between, TOPIC, limit=10) == {101}
    assert changes.latest()[0] == between[0] + 1
