"""Signed exports of the audit log for a date range (issue 5 §3), and their verification.

An export is a zip of three files:
- `entries.jsonl`: one entry a line, every hashed field and the hash, in chain order — what
  `audit_export_verify` recomputes each entry's digest from (`audit.entry_digest`);
- `entries.csv`: the same for reading in a spreadsheet (UTF-8 with BOM, cells that a spreadsheet
  would run as a formula escaped by `exports.safe_cell`);
- `manifest.json`: the range, scope, count, first and last number, the hash of the last exported
  entry, the chain head when exported, the SHA-256 of each file, and an HMAC-SHA256 signature of
  the rest of the manifest (canonical JSON: sorted keys, no spaces, UTF-8).

The signing key is `YIZHAN_AUDIT_SIGNING_KEY`, or when that is empty HMAC-SHA256(SECRET_KEY,
"yizhan.core.audit_export.signing"): whoever holds the key can check an export offline with any
HMAC tool. An auditor's export holds the entries of their scope only, so it can have gaps (entries
of other units); links are checked wherever two exported entries are consecutive, and the number
of gaps is part of the signed manifest.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from tempfile import SpooledTemporaryFile
from typing import BinaryIO

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import _HASHED_FIELDS, audit_record, current_context, entry_digest
from yizhan.core.errors import ApplicationError
from yizhan.core.exports import safe_cell
from yizhan.core.files import HashingWriter
from yizhan.core.models import AuditAction, AuditAnchor, AuditEntry, AuditHead
from yizhan.core.scoping import Actor
from yizhan.core.selectors import audit_entry_list

EXPORT_FORMAT = "yizhan-audit-export/1"
ENTRIES_JSONL = "entries.jsonl"
ENTRIES_CSV = "entries.csv"
MANIFEST = "manifest.json"
SIGNING_SALT = "yizhan.core.audit_export.signing"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
CSV_HEADERS = [
    "序号", "时间", "操作人编号", "操作人", "所属单位路径", "所属单位", "来源地址", "操作",
    "对象类型", "对象编号", "对象", "修改前", "修改后", "前一条哈希", "哈希",
]  # fmt: skip
ALL_UNITS = "全部"
EXPORT_REPR = "审计日志导出 {since}～{until} {count} 条"

RANGE_INVALID = _("请填写起止日期（YYYY-MM-DD），起始日期不能晚于截止日期")
NOT_AN_EXPORT = _("不是审计日志导出文件（无法按 zip 读取，或缺少 manifest.json）")
MANIFEST_UNREADABLE = _("manifest.json 不是可识别的导出清单")
SIGNATURE_INVALID = _("清单签名不符：清单被改动，或签名密钥不同")
FILE_MISSING = _("缺少文件 {name}")
FILE_DIGEST_MISMATCH = _("文件 {name} 的 SHA-256 与清单不符（文件被改动）")
LINE_UNREADABLE = _("entries.jsonl 第 {line} 行无法读取")
ENTRY_DIGEST_MISMATCH = _("第 {seq} 条的内容与哈希不符（该条被修改）")
ENTRY_LINK_BROKEN = _("第 {seq} 条与前一条（第 {prev} 条）的链接不符")
ENTRY_ORDER = _("第 {seq} 条的序号没有按链的顺序递增")
ENTRY_OUT_OF_RANGE = _("第 {seq} 条的时间 {time} 不在导出范围内")
SUMMARY_MISMATCH = _("清单中的{what}（{expected}）与文件内容（{actual}）不符")
SUMMARY_FIELDS = {
    "count": _("条数"),
    "first_seq": _("首条序号"),
    "last_seq": _("末条序号"),
    "last_entry_hash": _("末条哈希"),
    "gaps": _("范围内未导出的条数"),
}


def signing_key() -> bytes:
    """The key of the manifest's HMAC (see the module docstring)."""
    if settings.YIZHAN_AUDIT_SIGNING_KEY:
        return settings.YIZHAN_AUDIT_SIGNING_KEY.encode("utf-8")
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), SIGNING_SALT.encode("utf-8"), hashlib.sha256).digest()


def manifest_signature(manifest: dict) -> str:
    """HMAC-SHA256 of the manifest without its `signature`, as canonical JSON."""
    unsigned = {key: value for key, value in manifest.items() if key != "signature"}
    text = json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(signing_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def export_range(since: date | None, until: date | None) -> tuple[datetime, datetime]:
    """The [start, end) instants of the days `since` to `until` inclusive (Asia/Shanghai)."""
    if since is None or until is None or since > until:
        raise ApplicationError(RANGE_INVALID, field="since")
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    return start, end


def audit_export(*, actor: Actor | None, since: date | None, until: date | None, out: BinaryIO) -> dict:
    """Write the signed export of the entries written from day `since` to day `until` (inclusive)
    into `out` as a zip, record the export as an audit entry, and return the manifest. With an
    actor (the page): an auditor, the entries of their scope (as on the audit log page); without
    (the command line, run by whoever runs the system): every entry."""
    start, end = export_range(since, until)
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    anchor = AuditAnchor.objects.order_by("-seq").first()
    if actor is None:
        entries: QuerySet[AuditEntry] = AuditEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        scope = {"unit_path": "", "unit_name": ALL_UNITS}
    else:
        entries = audit_entry_list(actor=actor, since=start, until=end)
        scope = {"unit_path": actor.unit.path, "unit_name": actor.unit.name}
    # Entries written while exporting come after the head read above: the export is of one state.
    entries = entries.filter(seq__lte=head_seq).order_by("seq")

    summary = _Summary()
    jsonl = HashingWriter()
    with (
        SpooledTemporaryFile(max_size=8 * 1024 * 1024) as csv_file,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        csv_out = _CsvBytes(HashingWriter(csv_file))
        csv_out.writerow(CSV_HEADERS)
        with archive.open(ENTRIES_JSONL, "w") as member:
            jsonl.target = member
            for entry in entries.iterator(chunk_size=2000):
                record = entry_record(entry)
                jsonl.write((json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
                csv_out.writerow([safe_cell(_csv_value(record[name])) for name in (*_HASHED_FIELDS, "hash")])
                summary.add(record)
        csv_file.seek(0)
        with archive.open(ENTRIES_CSV, "w") as member:
            while chunk := csv_file.read(1024 * 1024):
                member.write(chunk)
        manifest = {
            "format": EXPORT_FORMAT,
            "from": since.isoformat(),
            "to": until.isoformat(),
            "timezone": settings.TIME_ZONE,
            "generated_at": timezone.now().isoformat(),
            "generated_by": current_context().actor_name,
            "scope": scope,
            **summary.as_manifest(),
            "chain_head": {"seq": head_seq, "hash": head_hash},
            "chain_start_seq": anchor.seq if anchor else 0,
            "files": {
                ENTRIES_JSONL: jsonl.entry(),
                ENTRIES_CSV: csv_out.target.entry(),
            },
            "signature": {
                "algorithm": SIGNATURE_ALGORITHM,
                "key": "YIZHAN_AUDIT_SIGNING_KEY" if settings.YIZHAN_AUDIT_SIGNING_KEY else "SECRET_KEY",
            },
        }
        manifest["signature"]["value"] = manifest_signature(manifest)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    audit_record(
        action=AuditAction.EXPORT,
        object_type=AuditEntry._meta.label_lower,
        object_repr=EXPORT_REPR.format(since=since.isoformat(), until=until.isoformat(), count=summary.count),
        unit_path=scope["unit_path"],
        unit_name="" if actor is None else scope["unit_name"],
        after={
            "from": since.isoformat(),
            "to": until.isoformat(),
            "count": summary.count,
            "first_seq": summary.first_seq,
            "last_seq": summary.last_seq,
            "signature": manifest["signature"]["value"],
        },
    )
    return manifest


def entry_record(entry: AuditEntry) -> dict:
    """An entry as exported: every field its digest covers, and the hash."""
    record = {name: getattr(entry, name) for name in (*_HASHED_FIELDS, "hash")}
    record["created_at"] = entry.created_at.isoformat()
    return record


assert len(CSV_HEADERS) == len(_HASHED_FIELDS) + 1


def _csv_value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else value


class _CsvBytes:
    """CSV rows as UTF-8 bytes (with a BOM first, so spreadsheets read the Chinese right)."""

    def __init__(self, target: HashingWriter):
        self.target = target
        self._line = io.StringIO()
        self._writer = csv.writer(self._line)
        target.write("\ufeff".encode())

    def writerow(self, row: list) -> None:
        self._writer.writerow(row)
        self.target.write(self._line.getvalue().encode("utf-8"))
        self._line.seek(0)
        self._line.truncate()


@dataclass
class _Summary:
    """What the manifest says of the entries: count, first and last number and hash, and how many
    numbers between the first and the last are not in the file (other units' entries)."""

    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_entry_hash: str = ""

    def add(self, record: dict) -> None:
        if self.first_seq is None:
            self.first_seq = record["seq"]
        self.last_seq = record["seq"]
        self.last_entry_hash = record["hash"]
        self.count += 1

    def as_manifest(self) -> dict:
        gaps = (self.last_seq - self.first_seq + 1 - self.count) if self.count else 0
        return {
            "count": self.count,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "last_entry_hash": self.last_entry_hash,
            "gaps": gaps,
        }


# --- verification -----------------------------------------------------------------------------


@dataclass
class ExportReport:
    problems: list[str] = field(default_factory=list)
    manifest: dict | None = None
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_export_verify(file: BinaryIO | str) -> ExportReport:
    """Check an export: the manifest's signature, each file's SHA-256, every entry's digest
    recomputed from its fields, the link of every two consecutive entries, entries in chain order
    and in the exported range, and the manifest's count, numbers and last hash. Lists every
    problem found (an empty list: the export is what Yizhan wrote)."""
    report = ExportReport()
    try:
        archive = zipfile.ZipFile(file)
        raw_manifest = archive.read(MANIFEST)
    except (zipfile.BadZipFile, KeyError, OSError):
        report.problems.append(str(NOT_AN_EXPORT))
        return report
    with archive:
        try:
            manifest = json.loads(raw_manifest.decode("utf-8"))
            files = manifest["files"]
            signature = manifest["signature"]["value"]
            start, end = export_range(date.fromisoformat(manifest["from"]), date.fromisoformat(manifest["to"]))
        except (ValueError, KeyError, TypeError, ApplicationError):
            report.problems.append(str(MANIFEST_UNREADABLE))
            return report
        report.manifest = manifest
        if manifest.get("format") != EXPORT_FORMAT or not isinstance(files, dict):
            report.problems.append(str(MANIFEST_UNREADABLE))
            return report
        if not isinstance(signature, str) or not hmac.compare_digest(signature, manifest_signature(manifest)):
            report.problems.append(str(SIGNATURE_INVALID))
        for name, expected in sorted(files.items()):
            try:
                content = archive.read(name)
            except KeyError:
                report.problems.append(str(FILE_MISSING.format(name=name)))
                continue
            if not isinstance(expected, dict) or hashlib.sha256(content).hexdigest() != expected.get("sha256"):
                report.problems.append(str(FILE_DIGEST_MISMATCH.format(name=name)))
        try:
            lines = archive.read(ENTRIES_JSONL).decode("utf-8").splitlines()
        except (KeyError, UnicodeDecodeError):
            report.problems.append(str(FILE_MISSING.format(name=ENTRIES_JSONL)))
            return report
    _check_entries(lines, start, end, manifest, report)
    return report


def _check_entries(lines: list[str], start: datetime, end: datetime, manifest: dict, report: ExportReport) -> None:
    summary = _Summary()
    previous: dict | None = None
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            fields = {name: record[name] for name in _HASHED_FIELDS}
            fields["created_at"] = datetime.fromisoformat(record["created_at"])
            digest = entry_digest(**fields)
            seq = int(record["seq"])
        except (ValueError, KeyError, TypeError, AttributeError):
            report.problems.append(str(LINE_UNREADABLE.format(line=number)))
            continue
        if digest != record.get("hash"):
            report.problems.append(str(ENTRY_DIGEST_MISMATCH.format(seq=seq)))
        if previous is not None:
            if seq <= previous["seq"]:
                report.problems.append(str(ENTRY_ORDER.format(seq=seq)))
            elif seq == previous["seq"] + 1 and record["prev_hash"] != previous["hash"]:
                report.problems.append(str(ENTRY_LINK_BROKEN.format(seq=seq, prev=previous["seq"])))
        if not start <= fields["created_at"] < end:
            report.problems.append(str(ENTRY_OUT_OF_RANGE.format(seq=seq, time=record["created_at"])))
        summary.add(record)
        report.checked += 1
        previous = record
    for key, actual in summary.as_manifest().items():
        if manifest.get(key) != actual:
            report.problems.append(
                str(SUMMARY_MISMATCH.format(what=SUMMARY_FIELDS[key], expected=manifest.get(key), actual=actual))
            )
