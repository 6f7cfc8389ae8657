"""The audit chain (spec §11, issue 2 §5): every entry hashed and linked to the one before; tampering
behind the application's back is found and the first broken entry named; the application itself can
only append; a rolled-back change leaves nothing; authentication events are recorded with the address."""

import json
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from yizhan.core.audit import GENESIS_HASH, audit_context, audit_record, audit_verify, entry_digest
from yizhan.core.models import APPEND_ONLY_MESSAGE, AuditAction, AuditEntry, AuditHead
from yizhan.orgs.choices import UnitType
from yizhan.orgs.tests.factories import UserFactory

HASHED = (
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "unit_path",
    "unit_name",
    "remote_addr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "prev_hash",
)
ADDRESS = "203.0.113.7"


@pytest.fixture
def chain(dalian) -> list[AuditEntry]:
    """Some entries of every shape: unit creations (after only), an update (before and after), free ones."""
    with audit_context(actor_id=7, actor_name="测试员", remote_addr="198.51.100.1"):
        audit_record(action=AuditAction.EXPORT, object_type="orgs.unit", object_repr="导出单位", after={"rows": 3})
        street = dalian["street"]
        street.refresh_from_db()
        street.address = "青泥洼桥 1 号"
        street.save()
        audit_record(action=AuditAction.SWITCH_UNIT, unit_path="", unit_name="")
    entries = list(AuditEntry.objects.order_by("seq"))
    assert len(entries) >= 7
    return entries


def sql(statement: str, params=()) -> None:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


def column(name: str) -> str:
    return connection.ops.quote_name(name)


def broken_at(seq: int) -> None:
    report = audit_verify()
    assert not report.ok
    assert report.first_broken_seq == seq, report
    assert report.checked == seq - 1
    assert report.reason
    with pytest.raises(CommandError) as error:
        call_command("audit_verify")
    assert f"第 {seq} 条" in str(error.value)


def test_every_entry_hash_verifies_and_links_to_the_previous(chain):
    previous = GENESIS_HASH
    for expected_seq, entry in enumerate(chain, start=1):
        assert entry.seq == expected_seq
        assert entry.prev_hash == previous
        assert entry.hash == entry_digest(**{f: getattr(entry, f) for f in HASHED})
        previous = entry.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (chain[-1].seq, chain[-1].hash)


def test_entries_record_who_and_from_where(chain):
    export = next(e for e in chain if e.action == AuditAction.EXPORT)
    assert (export.actor_id, export.actor_name, export.remote_addr) == (7, "测试员", "198.51.100.1")
    update = next(e for e in chain if e.action == AuditAction.UPDATE)
    assert update.before == {"address": ""}
    assert update.after == {"address": "青泥洼桥 1 号"}


def test_fresh_chain_verifies(chain):
    report = audit_verify()
    assert report.ok
    assert report.checked == len(chain)
    assert report.first_broken_seq is None
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert str(len(chain)) in out.getvalue()


@pytest.mark.django_db
def test_empty_chain_verifies():
    assert audit_verify().ok


def test_raw_update_of_a_middle_rows_after_is_found(chain):
    middle = chain[len(chain) // 2]
    sql("UPDATE {table} SET " + column("after") + " = %s WHERE seq = %s", [json.dumps({"forged": True}), middle.seq])
    assert AuditEntry.objects.get(seq=middle.seq).after == {"forged": True}
    broken_at(middle.seq)


def test_raw_update_of_a_middle_rows_actor_is_found(chain):
    middle = chain[len(chain) // 2]
    sql("UPDATE {table} SET actor_name = %s WHERE seq = %s", ["别人", middle.seq])
    broken_at(middle.seq)


def test_raw_update_of_the_first_row_is_found(chain):
    sql("UPDATE {table} SET remote_addr = %s WHERE seq = %s", ["10.0.0.1", 1])
    broken_at(1)


def test_deleting_a_middle_row_is_found(chain):
    middle = chain[len(chain) // 2]
    sql("DELETE FROM {table} WHERE seq = %s", [middle.seq])
    broken_at(middle.seq)


def test_deleting_the_last_row_is_found(chain):
    last = chain[-1]
    sql("DELETE FROM {table} WHERE seq = %s", [last.seq])
    broken_at(last.seq)


def test_deleting_and_renumbering_is_found(chain):
    # Remove an entry and close the gap: the next entry's link no longer matches.
    middle = chain[len(chain) // 2]
    sql("DELETE FROM {table} WHERE seq = %s", [middle.seq])
    for entry in chain[middle.seq :]:
        sql("UPDATE {table} SET seq = %s WHERE seq = %s", [entry.seq - 1, entry.seq])
    broken_at(middle.seq)


def test_changing_a_rows_prev_hash_is_found(chain):
    middle = chain[len(chain) // 2]
    sql("UPDATE {table} SET prev_hash = %s WHERE seq = %s", ["f" * 64, middle.seq])
    broken_at(middle.seq)


def test_rehashing_a_forged_row_is_still_found_at_the_next(chain):
    # A forger who recomputes the edited row's own hash breaks the link of the row after it.
    middle = chain[len(chain) // 2]
    fields = {f: getattr(middle, f) for f in HASHED}
    fields["actor_name"] = "别人"
    sql(
        "UPDATE {table} SET actor_name = %s, " + column("hash") + " = %s WHERE seq = %s",
        ["别人", entry_digest(**fields), middle.seq],
    )
    broken_at(middle.seq + 1)


def test_entries_written_after_verification_still_verify(chain, make_unit):
    make_unit(UnitType.CITY_FEDERATION, name="沈阳市总工会")
    assert audit_verify().ok


def test_application_cannot_change_an_entry(chain):
    entry = AuditEntry.objects.get(seq=chain[0].seq)
    entry.actor_name = "别人"
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        entry.save()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        entry.delete()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry.objects.filter(seq=entry.seq).update(actor_name="别人")
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry.objects.filter(seq=entry.seq).delete()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry._base_manager.filter(seq=entry.seq).update(actor_name="别人")
    with pytest.raises(PermissionError, match=APPEND_ONLY_MESSAGE):
        AuditEntry._base_manager.all().delete()
    assert AuditEntry.objects.get(seq=entry.seq).actor_name == chain[0].actor_name
    assert AuditEntry.objects.count() == len(chain)
    assert audit_verify().ok


def test_a_new_instance_cannot_overwrite_an_existing_entry(chain):
    target = chain[1]
    forged = AuditEntry(**{f.attname: getattr(target, f.attname) for f in AuditEntry._meta.concrete_fields})
    forged.actor_name = "别人"

    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()

    assert AuditEntry.objects.get(seq=target.seq).actor_name == target.actor_name
    assert audit_verify().ok


def test_rolled_back_transaction_leaves_no_entry(chain, make_unit):
    head = AuditHead.objects.get(pk=1)

    with pytest.raises(RuntimeError), transaction.atomic():
        make_unit(UnitType.CITY_FEDERATION, name="沈阳市总工会", code="SY")
        audit_record(action=AuditAction.EXPORT, object_repr="导出")
        assert AuditEntry.objects.count() == len(chain) + 2
        raise RuntimeError("abort")

    assert AuditEntry.objects.count() == len(chain)
    assert AuditHead.objects.get(pk=1).hash == head.hash
    assert audit_verify().ok
    # The next entry continues the chain from where the committed entries left it.
    entry = audit_record(action=AuditAction.EXPORT, object_repr="导出")
    assert (entry.seq, entry.prev_hash) == (chain[-1].seq + 1, chain[-1].hash)


# --- authentication events ------------------------------------------------------------------------


@pytest.fixture
def account(db):
    return UserFactory(username="wang")


def newest() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def test_login_is_recorded_with_the_address(account):
    client = Client(REMOTE_ADDR=ADDRESS)
    response = client.post("/login/", {"username": "wang", "password": "Test-pass-2026"})
    assert response.status_code == 302
    entry = newest()
    assert entry.action == AuditAction.LOGIN
    assert (entry.actor_id, entry.actor_name, entry.remote_addr) == (account.pk, "wang", ADDRESS)
    assert (entry.object_type, entry.object_id) == ("orgs.user", str(account.pk))
    assert audit_verify().ok


def test_logout_is_recorded_with_the_address(account):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(account)
    count = AuditEntry.objects.count()

    client.post("/logout/")

    assert AuditEntry.objects.count() == count + 1
    entry = newest()
    assert entry.action == AuditAction.LOGOUT
    assert (entry.actor_id, entry.actor_name, entry.remote_addr) == (account.pk, "wang", ADDRESS)


def test_failed_login_names_the_attempted_username(account):
    client = Client(REMOTE_ADDR=ADDRESS)
    count = AuditEntry.objects.count()

    response = client.post("/login/", {"username": "wang", "password": "wrong-password"})

    assert response.status_code == 200
    assert AuditEntry.objects.count() == count + 1
    entry = newest()
    assert entry.action == AuditAction.LOGIN_FAILED
    assert (entry.actor_id, entry.actor_name, entry.remote_addr) == (None, "wang", ADDRESS)
    assert entry.object_id == str(account.pk)
    assert "wrong-password" not in json.dumps([entry.before, entry.after, entry.object_repr])


def test_failed_login_of_an_unknown_account_names_it_too(db):
    client = Client(REMOTE_ADDR=ADDRESS)

    client.post("/login/", {"username": "nobody", "password": "whatever-123"})

    entry = newest()
    assert entry.action == AuditAction.LOGIN_FAILED
    assert (entry.actor_name, entry.object_repr, entry.remote_addr) == ("nobody", "nobody", ADDRESS)
    assert entry.object_id == ""
    assert audit_verify().ok


def test_entries_written_in_one_batch_chain_like_single_ones(chain):
    """`audit_record_many` (bulk writes such as an import) links each entry to the one before it,
    continues the head, and a forged entry inside the batch is found at its own number."""
    from yizhan.core.audit import audit_record_many

    head = AuditHead.objects.get(pk=1)
    written = audit_record_many(
        {"action": AuditAction.IMPORT, "object_type": "orgs.unit", "object_id": str(n), "after": {"n": n}}
        for n in range(5)
    )
    assert [e.seq for e in written] == list(range(head.seq + 1, head.seq + 6))
    assert written[0].prev_hash == head.hash
    assert all(b.prev_hash == a.hash for a, b in zip(written, written[1:], strict=False))
    stored = AuditEntry.objects.get(seq=written[2].seq)
    assert stored.hash == entry_digest(**{f: getattr(stored, f) for f in HASHED})
    assert AuditHead.objects.get(pk=1).seq == written[-1].seq
    assert audit_verify().ok
    sql("UPDATE {table} SET " + column("after") + " = %s WHERE seq = %s", [json.dumps({"n": 99}), written[2].seq])
    broken_at(written[2].seq)


def test_an_empty_batch_writes_nothing(chain):
    from yizhan.core.audit import audit_record_many

    head = AuditHead.objects.get(pk=1)
    assert audit_record_many([]) == []
    assert AuditHead.objects.get(pk=1).seq == head.seq


# --- the digest of a bulk write (snapshots encoded once) ------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _plain_digest(fields: dict) -> str:
    """The digest as first written: the whole payload through json.dumps at once."""
    import hashlib

    payload = {**fields, "created_at": fields["created_at"].isoformat()}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=2**62),
    actor_id=st.none() | st.integers(min_value=1, max_value=2**40),
    texts=st.lists(st.text(max_size=30), min_size=7, max_size=7),
    before=st.none() | st.dictionaries(st.text(max_size=10), _json_values, max_size=6),
    after=st.none() | st.dictionaries(st.text(max_size=10), _json_values, max_size=6),
    created_at=st.datetimes(timezones=st.just(UTC)),
)
def test_digest_pieces_equal_the_whole_payload(seq, actor_id, texts, before, after, created_at):
    """`entry_digest` and the bulk writer's `_digest` (each snapshot encoded apart, shared members
    remembered) hash exactly what json.dumps of the whole payload hashes: old chains still verify."""
    from yizhan.core.audit import _canonical, _digest

    actor_name, unit_path, unit_name, remote_addr, object_type, object_id, object_repr = texts
    fields = {
        "seq": seq, "created_at": created_at, "actor_id": actor_id, "actor_name": actor_name,
        "unit_path": unit_path, "unit_name": unit_name, "remote_addr": remote_addr, "action": "create",
        "object_type": object_type, "object_id": object_id, "object_repr": object_repr,
        "before": before, "after": after, "prev_hash": "a" * 64,
    }  # fmt: skip
    expected = _plain_digest(fields)
    assert entry_digest(**fields) == expected
    shared: dict = {}
    for _ in range(2):  # the second time from what the first remembered
        assert _digest(fields, _canonical(before), _canonical(after), shared) == expected


def test_bulk_entries_store_their_snapshots_as_json(chain):
    """The snapshot text written by `audit_write_many` reads back as the snapshot, and verifies."""
    from yizhan.core.audit import audit_write_many

    snapshot = {"名称": "驿站", "n": 1.5, "list": ["a", None, True], "nested": {"z": 1, "a": [1, 2]}}
    (row, (before, after)), *_ = audit_write_many([{"action": AuditAction.IMPORT, "after": snapshot}])
    assert after == snapshot and before is None
    stored = AuditEntry.objects.get(seq=row[0])
    assert stored.after == snapshot and stored.before is None
    assert stored.hash == entry_digest(**{f: getattr(stored, f) for f in HASHED})
    assert audit_verify().ok
