"""Retention of the audit log (spec §11, issue 5 §3): nothing younger than the retention period
(at least 180 days) can be purged; a purge removes a prefix of the chain only, leaves an anchor
from which the rest still verifies, is itself recorded, and tampering afterwards is still found."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core.audit import CHAIN_ANCHOR_UNCONFIRMED, audit_record, audit_verify
from yizhan.core.audit_retention import (
    PURGE_WITHIN_RETENTION,
    audit_purge,
    audit_retention_setting,
    latest_purgeable_day,
)
from yizhan.core.errors import ApplicationError
from yizhan.core.models import APPEND_ONLY_MESSAGE, AuditAction, AuditAnchor, AuditEntry

pytestmark = pytest.mark.django_db

# timezone.now() answers in UTC, which is what the digest of an entry read back covers.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
# Days before NOW each entry of the standard chain is written, in chain order.
AGES = [400, 300, 200, 190, 181, 180, 179, 100, 10, 0]


@pytest.fixture
def clock(monkeypatch):
    """clock.at(days_ago, hours=0) sets what timezone.now() answers (NOW by default)."""

    class Clock:
        now = NOW

        def at(self, days_ago: float, hours: float = 0) -> None:
            self.now = NOW - timedelta(days=days_ago, hours=hours)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def write_chain(clock, ages) -> list[AuditEntry]:
    entries = []
    for n, age in enumerate(ages):
        clock.at(age)
        entries.append(audit_record(action=AuditAction.UPDATE, object_type="test", object_id=str(n), after={"n": n}))
    clock.at(0)
    return entries


def day_ago(days: int):
    return timezone.localtime(NOW).date() - timedelta(days=days)


def midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def chain(clock):
    return write_chain(clock, AGES)


def test_latest_purgeable_day_is_the_retention_period_back(clock):
    assert latest_purgeable_day() == day_ago(180)


@pytest.mark.parametrize("days", [0, 1, 90, 179])
def test_a_day_within_the_retention_period_is_refused_and_nothing_deleted(chain, days):
    with pytest.raises(ApplicationError) as error:
        audit_purge(before=day_ago(days))
    assert error.value.message == str(
        PURGE_WITHIN_RETENTION.format(days=180, cutoff=day_ago(180).isoformat(), before=day_ago(days))
    )
    assert AuditEntry.objects.count() == len(chain)
    assert not AuditAnchor.objects.exists()


@pytest.mark.parametrize("days", [180, 181, 185, 199, 250, 365, 500])
def test_a_purge_removes_exactly_the_older_prefix_and_the_rest_verifies(chain, days):
    before = day_ago(days)
    older = [e for e in chain if e.created_at < midnight(before)]
    result = audit_purge(before=before)
    assert result.purged == len(older)
    remaining = list(AuditEntry.objects.order_by("seq"))
    assert {e.seq for e in remaining} == {e.seq for e in chain[len(older) :]} | ({result.entry.seq} if older else set())
    assert all(e.created_at >= midnight(before) for e in remaining)
    report = audit_verify()
    assert report.ok, report
    if older:
        anchor = AuditAnchor.objects.get()
        assert (anchor.seq, anchor.hash, anchor.purged_count) == (older[-1].seq, older[-1].hash, len(older))
        assert report.start_seq == anchor.seq
        purge = AuditEntry.objects.order_by("-seq").first()
        assert purge.action == AuditAction.PURGE
        assert purge.after["through_seq"] == anchor.seq and purge.after["through_hash"] == anchor.hash
        assert purge.after["count"] == len(older)
    else:
        assert not AuditAnchor.objects.exists()


def test_an_older_entry_behind_a_younger_one_is_kept(clock):
    """Only a prefix goes: an entry written with the clock set back stays with what follows it."""
    entries = write_chain(clock, [400, 300, 10, 350, 5])
    result = audit_purge(before=day_ago(200))
    assert result.through_seq == entries[1].seq
    assert AuditEntry.objects.filter(seq=entries[3].seq).exists()
    assert audit_verify().ok


def test_purges_repeat_and_chain_on(chain, clock):
    audit_purge(before=day_ago(250))
    audit_purge(before=day_ago(185))
    assert AuditAnchor.objects.count() == 2
    assert audit_verify().ok
    assert audit_purge(before=day_ago(185)).purged == 0  # nothing left that old: nothing written
    assert AuditAnchor.objects.count() == 2
    audit_record(action=AuditAction.EXPORT, object_repr="之后")
    assert audit_verify().ok


def test_nothing_to_purge_writes_nothing(chain):
    count = AuditEntry.objects.count()
    assert audit_purge(before=day_ago(1000)).purged == 0
    assert AuditEntry.objects.count() == count


@pytest.mark.django_db(transaction=False)
def test_empty_chain_purges_nothing(clock):
    assert audit_purge(before=day_ago(200)).purged == 0


# --- tampering after a purge ----------------------------------------------------------------------


def sql(statement: str, params=()) -> None:
    tables = {"entries": AuditEntry._meta.db_table, "anchors": AuditAnchor._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute(statement.format(**{k: connection.ops.quote_name(v) for k, v in tables.items()}), params)


@pytest.fixture
def purged(chain):
    result = audit_purge(before=day_ago(185))
    assert result.purged == 4  # 400, 300, 200 and 190 days old
    return result


def test_deleting_the_first_remaining_entry_is_found(purged):
    sql("DELETE FROM {entries} WHERE seq = %s", [purged.through_seq + 1])
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == purged.through_seq + 1


def test_changing_a_remaining_entry_is_found(purged):
    sql("UPDATE {entries} SET actor_name = %s WHERE seq = %s", ["别人", purged.through_seq + 2])
    assert audit_verify().first_broken_seq == purged.through_seq + 2


def test_deleting_the_anchor_is_found(purged):
    sql("DELETE FROM {anchors}")
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 1


def test_changing_the_anchor_hash_is_found(purged):
    sql("UPDATE {anchors} SET hash = %s", ["f" * 64])
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == purged.through_seq + 1


def test_moving_the_anchor_forward_to_hide_entries_is_found(purged):
    """Deleting more entries and writing an anchor that fits the next one: no purge entry names it."""
    hidden_through = purged.through_seq + 2
    target = AuditEntry.objects.get(seq=hidden_through)
    sql("DELETE FROM {entries} WHERE seq <= %s", [hidden_through])
    sql(
        "INSERT INTO {anchors} (seq, hash, purged_before, purged_count, created_at) VALUES (%s, %s, %s, %s, %s)",
        [hidden_through, target.hash, NOW, 2, NOW],
    )
    report = audit_verify()
    assert not report.ok
    assert report.reason == str(CHAIN_ANCHOR_UNCONFIRMED.format(seq=hidden_through))
    with pytest.raises(CommandError, match=f"第 {hidden_through} 条"):
        call_command("audit_verify")


def test_a_broken_chain_is_not_purged(chain):
    sql("UPDATE {entries} SET actor_name = %s WHERE seq = %s", ["别人", chain[0].seq])
    with pytest.raises(ApplicationError, match="拒绝清理"):
        audit_purge(before=day_ago(185))
    assert AuditEntry.objects.count() == len(chain)


def test_the_application_still_cannot_delete_entries_or_anchors(purged):
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry.objects.order_by("seq").first().delete()
    anchor = AuditAnchor.objects.get()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        anchor.delete()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditAnchor.objects.all().delete()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditAnchor._base_manager.update(hash="0" * 64)
    anchor.hash = "0" * 64
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        anchor.save()
    assert audit_verify().ok


# --- any chain, any purge points --------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ages=st.lists(st.integers(min_value=0, max_value=600), min_size=1, max_size=12),
    purge_days=st.lists(st.integers(min_value=150, max_value=650), min_size=1, max_size=3),
)
def test_any_purge_keeps_a_verifiable_suffix_and_no_young_entry_is_lost(clock, ages, purge_days):
    with transaction.atomic():
        before_count = AuditEntry.objects.count()
        entries = write_chain(clock, ages)
        alive = {e.seq: e for e in entries}
        for days in purge_days:
            before = day_ago(days)
            if days < 180:
                with pytest.raises(ApplicationError):
                    audit_purge(before=before)
                continue
            result = audit_purge(before=before)
            stored = set(AuditEntry.objects.values_list("seq", flat=True))
            gone = sorted(seq for seq in alive if seq not in stored)
            assert len(gone) == result.purged
            # A prefix, all older than the day, and the next kept one is not (or is the last).
            assert all(alive[seq].created_at < midnight(before) for seq in gone)
            assert all(seq < min(s for s in alive if s in stored) for seq in gone) if stored & set(alive) else True
            for seq in gone:
                del alive[seq]
            first_kept = min(alive) if alive else None
            if result.purged and first_kept is not None:
                assert alive[first_kept].created_at >= midnight(before)
            report = audit_verify()
            assert report.ok, report
        assert before_count == 0
        transaction.set_rollback(True)


# --- setting and command ---------------------------------------------------------------------------


def test_a_retention_under_180_days_fails_the_system_check_and_the_purge(settings, chain):
    settings.YIZHAN_AUDIT_RETENTION_DAYS = 179
    errors = audit_retention_setting(None)
    assert [e.id for e in errors] == ["core.E001"]
    with pytest.raises(ImproperlyConfigured):
        audit_purge(before=day_ago(400))
    settings.YIZHAN_AUDIT_RETENTION_DAYS = 180
    assert audit_retention_setting(None) == []


def test_a_longer_retention_protects_more(settings, chain):
    settings.YIZHAN_AUDIT_RETENTION_DAYS = 365
    with pytest.raises(ApplicationError):
        audit_purge(before=day_ago(200))
    assert audit_purge(before=day_ago(365)).purged == 1


def test_command_purges_and_explains_refusals(chain, capsys):
    with pytest.raises(CommandError, match="至少保存 180 天"):
        call_command("audit_purge", "--before", day_ago(30).isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit_purge", "--before", "2026-02-30")
    call_command("audit_purge", "--before", day_ago(185).isoformat())
    assert "已清理 4 条审计日志" in capsys.readouterr().out
    call_command("audit_verify")
