"""Signed audit exports (issue 5 §3): the page (auditors, their scope) and `yizhan audit-export`
write a zip whose manifest is signed and names the chain head; `audit-verify-export` finds any
change to the manifest, a file or an entry; the export itself is audited."""

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yizhan.core import audit_export as ae
from yizhan.core.audit import audit_context, audit_record
from yizhan.core.models import AuditAction, AuditEntry, AuditHead
from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(dalian):
    """Entries of 中山区, 西岗区 and of no unit, one with a formula-like text."""
    with audit_context(actor_name="测试员", remote_addr="198.51.100.1"):
        audit_record(action=AuditAction.UPDATE, obj=dalian["zs"], before={"name": "甲"}, after={"name": "=1+1"})
        audit_record(action=AuditAction.UPDATE, obj=dalian["xg"], before={"n": 1.5}, after={"n": [1, None, "乙"]})
        audit_record(action=AuditAction.LOGIN_FAILED, object_type="orgs.user", object_repr="@nobody")
    return dalian


def today():
    return timezone.localdate()


def export(actor=None, since=None, until=None) -> bytes:
    buffer = io.BytesIO()
    ae.audit_export(actor=actor, since=since or today(), until=until or today(), out=buffer)
    return buffer.getvalue()


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def verify(content: bytes) -> ae.ExportReport:
    return ae.audit_export_verify(io.BytesIO(content))


def test_full_export_holds_every_entry_and_a_signed_manifest(entries):
    head_before = AuditHead.objects.get(pk=1)
    content = export()
    files = members(content)
    assert set(files) == {ae.ENTRIES_JSONL, ae.ENTRIES_CSV, ae.MANIFEST}
    manifest = json.loads(files[ae.MANIFEST])
    lines = [json.loads(line) for line in files[ae.ENTRIES_JSONL].decode().splitlines()]
    assert [r["seq"] for r in lines] == list(range(1, head_before.seq + 1))
    assert manifest["count"] == head_before.seq
    assert (manifest["first_seq"], manifest["last_seq"], manifest["gaps"]) == (1, head_before.seq, 0)
    assert manifest["chain_head"] == {"seq": head_before.seq, "hash": head_before.hash}
    assert manifest["last_entry_hash"] == head_before.hash
    csv_digest = hashlib.sha256(files[ae.ENTRIES_CSV]).hexdigest()
    assert manifest["files"][ae.ENTRIES_CSV]["sha256"] == csv_digest
    assert manifest["signature"]["algorithm"] == "HMAC-SHA256"
    report = verify(content)
    assert report.ok, report.problems
    assert report.checked == head_before.seq


def test_the_export_is_itself_audited(entries):
    head = AuditHead.objects.get(pk=1)
    manifest_count = json.loads(members(export())[ae.MANIFEST])["count"]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.seq == head.seq + 1
    assert (entry.action, entry.object_type) == (AuditAction.EXPORT, "core.auditentry")
    assert entry.after["count"] == manifest_count


def test_csv_escapes_formulas_and_reads_in_chinese(entries):
    text = members(export())[ae.ENTRIES_CSV].decode("utf-8-sig")
    assert text.startswith("序号,时间")
    assert "'@nobody" in text
    assert ',"=1+1"' not in text and "=1+1" in text  # only inside the escaped JSON cell
    assert "'{" not in text  # JSON cells start with { and need no escaping


def test_signature_uses_the_configured_key(entries, settings):
    content = export()
    assert verify(content).ok
    settings.YIZHAN_AUDIT_SIGNING_KEY = "another-key-entirely-0123456789"
    report = verify(content)
    assert str(ae.SIGNATURE_INVALID) in report.problems
    assert verify(export()).ok


def test_a_changed_manifest_fails_the_signature(entries):
    files = members(export())
    manifest = json.loads(files[ae.MANIFEST])
    manifest["count"] -= 1
    files[ae.MANIFEST] = json.dumps(manifest).encode()
    problems = verify(rezip(files)).problems
    assert str(ae.SIGNATURE_INVALID) in problems


def test_a_changed_entry_fails_the_file_digest_and_the_entry_digest(entries):
    files = members(export())
    lines = files[ae.ENTRIES_JSONL].decode().splitlines()
    record = json.loads(lines[1])
    record["actor_name"] = "别人"
    lines[1] = json.dumps(record, ensure_ascii=False)
    files[ae.ENTRIES_JSONL] = ("\n".join(lines) + "\n").encode()
    problems = verify(rezip(files)).problems
    assert str(ae.FILE_DIGEST_MISMATCH.format(name=ae.ENTRIES_JSONL)) in problems
    assert str(ae.ENTRY_DIGEST_MISMATCH.format(seq=record["seq"])) in problems
    assert str(ae.SIGNATURE_INVALID) not in problems


def test_a_removed_entry_is_found_even_with_a_re_signed_manifest(entries):
    """Someone holding the key who drops an entry and re-signs the count and digests still
    leaves a gap the signed manifest did not announce."""
    files = members(export())
    lines = files[ae.ENTRIES_JSONL].decode().splitlines()
    lines.pop(1)
    files[ae.ENTRIES_JSONL] = ("\n".join(lines) + "\n").encode()
    assert str(ae.FILE_DIGEST_MISMATCH.format(name=ae.ENTRIES_JSONL)) in verify(rezip(files)).problems
    manifest = json.loads(files[ae.MANIFEST])
    manifest["count"] -= 1
    manifest["files"][ae.ENTRIES_JSONL]["sha256"] = hashlib.sha256(files[ae.ENTRIES_JSONL]).hexdigest()
    manifest["signature"]["value"] = ae.manifest_signature(manifest)
    files[ae.MANIFEST] = json.dumps(manifest).encode()
    problems = verify(rezip(files)).problems
    assert problems == [str(ae.SUMMARY_MISMATCH.format(what=ae.SUMMARY_FIELDS["gaps"], expected=0, actual=1))]


def test_a_reordered_file_is_found(entries):
    files = members(export())
    lines = files[ae.ENTRIES_JSONL].decode().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    files[ae.ENTRIES_JSONL] = ("\n".join(lines) + "\n").encode()
    problems = verify(rezip(files)).problems
    assert str(ae.ENTRY_ORDER.format(seq=2)) in problems


def test_a_file_that_is_not_an_export_is_refused():
    assert verify(b"not a zip").problems == [str(ae.NOT_AN_EXPORT)]
    assert verify(rezip({"x.txt": b"x"})).problems == [str(ae.NOT_AN_EXPORT)]
    assert verify(rezip({ae.MANIFEST: b"{"})).problems == [str(ae.MANIFEST_UNREADABLE)]


def test_range_only_takes_those_days(entries):
    yesterday = today() - timedelta(days=1)
    manifest = json.loads(members(export(since=yesterday, until=yesterday))[ae.MANIFEST])
    assert manifest["count"] == 0
    with pytest.raises(ae.ApplicationError):
        export(since=today(), until=yesterday)


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def zs_auditor(entries, make_user, login):
    return login(make_user(Role.AUDITOR, entries["zs"]))


def test_page_export_is_scoped_like_the_log(entries, zs_auditor):
    response = zs_auditor.get("/staff/audit/export/", {"since": today(), "until": today()})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    files = members(content)
    records = [json.loads(line) for line in files[ae.ENTRIES_JSONL].decode().splitlines()]
    assert records and all(r["unit_path"].startswith(entries["zs"].path) for r in records)
    manifest = json.loads(files[ae.MANIFEST])
    assert manifest["scope"]["unit_name"] == "中山区总工会"
    assert manifest["gaps"] > 0
    assert verify(content).ok
    last = AuditEntry.objects.order_by("-seq").first()
    assert (last.action, last.unit_path) == (AuditAction.EXPORT, entries["zs"].path)


@pytest.mark.parametrize(
    "query", [{}, {"since": "2026-02-30", "until": "x"}, {"since": "2026-05-02", "until": "2026-05-01"}]
)
def test_page_export_with_a_bad_range_explains_in_chinese(entries, zs_auditor, query):
    response = zs_auditor.get("/staff/audit/export/", query, follow=True)
    assert response.status_code == 200
    assert str(ae.RANGE_INVALID) in response.content.decode()


@pytest.mark.parametrize("role", [Role.FEDERATION_ADMIN, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN])
def test_only_auditors_export(entries, make_user, login, role):
    client = login(make_user(role, entries["city"]))
    assert client.get("/staff/audit/export/", {"since": today(), "until": today()}).status_code == 403


# --- the commands -------------------------------------------------------------------------------


def test_commands_export_and_verify(entries, tmp_path):
    out = tmp_path / "audit.zip"
    call_command("audit_export", "--from", str(today()), "--to", str(today()), "--out", str(out), stdout=io.StringIO())
    printed = io.StringIO()
    call_command("audit_verify_export", str(out), stdout=printed)
    assert "完好" in printed.getvalue()
    files = members(out.read_bytes())
    files[ae.ENTRIES_CSV] += b"x"
    out.write_bytes(rezip(files))
    with pytest.raises(CommandError, match="entries.csv"):
        call_command("audit_verify_export", str(out))


def test_export_command_refuses_a_bad_range(db, tmp_path):
    out = tmp_path / "audit.zip"
    with pytest.raises(CommandError, match="起止日期"):
        call_command("audit_export", "--from", "2026-05-02", "--to", "2026-05-01", "--out", str(out))
    assert not out.exists()
