"""Writing and verifying the audit chain (issue 2 §5).

`audit_record` appends one entry; `AuditedModel` calls it for every save and delete of business
data, with before/after snapshots; services call it directly for changes that bypass `save()`
(tree moves, bulk operations). Who acts, for which unit and from which address comes from
`audit_context`, set per request by `ActorMiddleware` and per command by the CLI.
"""

from __future__ import annotations

import contextvars
import functools
import getpass
import hashlib
import json
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.bulk import JSONText, bulk_insert_rows
from yizhan.core.models import AuditAction, AuditAnchor, AuditEntry, AuditHead
from yizhan.core.personal_data import audit_masked

GENESIS_HASH = "0" * 64

CHAIN_MISSING = _("缺少第 {seq} 条（已被删除）")
CHAIN_LINK_BROKEN = _("与前一条的链接不符（前一条被修改或删除）")
CHAIN_ENTRY_CHANGED = _("内容与哈希不符（该条被修改）")
CHAIN_HEAD_MISMATCH = _("链头记录到第 {seq} 条，末尾条目被删除或链头被改")
CHAIN_ANCHOR_UNCONFIRMED = _("清理锚点（至第 {seq} 条）没有对应的清理记录，锚点被改动")


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_name: str = ""
    unit_path: str = ""
    unit_name: str = ""
    remote_addr: str = ""


@functools.cache  # the process's user does not change; every request outside a login asks
def _default_context() -> AuditContext:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return AuditContext(actor_name=f"命令行:{who}")


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("yizhan_audit", default=None)


def current_context() -> AuditContext:
    return _context.get() or _default_context()


@contextmanager
def audit_context(**fields) -> Iterator[AuditContext]:
    """Run a block with the given actor/unit/address recorded on every audit entry it writes."""
    ctx = replace(current_context(), **fields)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def to_jsonable(value):
    """Plain JSON types for a snapshot (dates, decimals and UUIDs as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def entry_digest(
    *,
    seq,
    created_at,
    actor_id,
    actor_name,
    unit_path,
    unit_name,
    remote_addr,
    action,
    object_type,
    object_id,
    object_repr,
    before,
    after,
    prev_hash,
) -> str:
    """SHA-256 of the entry's fields and the previous hash as canonical JSON (sorted keys, no spaces)."""
    fields = {
        "seq": seq,
        "created_at": created_at,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "unit_path": unit_path,
        "unit_name": unit_name,
        "remote_addr": remote_addr,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "prev_hash": prev_hash,
    }
    return _digest(fields, _canonical(before), _canonical(after))


# Canonical JSON: what json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
# writes. The snapshots are encoded on their own, so a bulk write stores that same text as the
# entry's before/after instead of encoding them again (test_audit_chain checks both spellings agree).
# Snapshots are plain JSON data, never circular: the encoder need not look for cycles.
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
_ENCODED_APART = frozenset(("created_at", "before", "after"))


def _digest(fields: dict, before_json: str, after_json: str, shared: dict | None = None) -> str:
    """`entry_digest` with the snapshots already canonical JSON. The payload is one flat object, so
    its canonical text is its members in key order, each value canonical. `shared` keeps the text
    of the members a batch of entries has in common (who, which unit, when)."""
    members = {}
    for key, value in fields.items():
        if key in _ENCODED_APART:
            continue
        if shared is not None and key in _SHARED:
            text = shared.get((key, type(value), value))
            if text is None:
                text = shared[(key, type(value), value)] = _canonical(value)
            members[key] = text
        else:
            members[key] = _canonical(value)
    created_at = fields["created_at"]
    created_json = shared.get(("created_at", created_at)) if shared is not None else None
    if created_json is None:
        created_json = _canonical(created_at.isoformat())
        if shared is not None:
            shared[("created_at", created_at)] = created_json
    members.update(created_at=created_json, before=before_json, after=after_json)
    canonical = "{" + ",".join(f'"{key}":{members[key]}' for key in sorted(members)) + "}"
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_SHARED = frozenset(("actor_id", "actor_name", "unit_path", "unit_name", "remote_addr", "action", "object_type"))


def _digest_of(entry: AuditEntry) -> str:
    return entry_digest(**{f: getattr(entry, f) for f in _HASHED_FIELDS})


_HASHED_FIELDS = (
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
# An entry's columns in the model's order, so that a row is also the positional form of an instance.
_COLUMNS = tuple(field.attname for field in AuditEntry._meta.concrete_fields)
assert set(_COLUMNS) == {*_HASHED_FIELDS, "hash"}, _COLUMNS


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit_path: str | None = None,
    unit_name: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (rolled back with it)."""
    (entry,) = audit_record_many(
        [
            {
                "action": action,
                "obj": obj,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "unit_path": unit_path,
                "unit_name": unit_name,
                "before": before,
                "after": after,
            }
        ]
    )
    return entry


def audit_record_many(records: Iterable[dict]) -> list[AuditEntry]:
    """Append entries (each a dict of `audit_record`'s arguments) in order, under one lock of the
    chain head and with one bulk insert: what a bulk write (an import) records for its rows. Each
    snapshot is encoded once, for the digest, and stored as that text."""
    rows = audit_write_many(records)
    alias = router.db_for_write(AuditEntry)
    entries = []
    for row, (before, after) in rows:
        entry = AuditEntry(*row)
        entry.before, entry.after = before, after
        entry._state.adding = False
        entry._state.db = alias
        entries.append(entry)
    return entries


def audit_write_many(records: Iterable[dict]) -> list[tuple[tuple, tuple]]:
    """`audit_record_many` without building an instance per entry (a bulk import has no use for
    them): returns each row as written (snapshots as JSON text) with its snapshots as given."""
    ctx = current_context()
    rows: list[tuple[tuple, tuple]] = []
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
        seq, prev_hash = head.seq, head.hash
        # Microseconds survive every backend's datetime column, so the digest recomputes exactly.
        now = timezone.now()
        shared: dict = {}
        for record in records:
            seq += 1
            fields = _entry_fields(ctx, **record)
            fields.update(seq=seq, created_at=now, prev_hash=prev_hash)
            before, after = fields["before"], fields["after"]
            before_json, after_json = _canonical(before), _canonical(after)
            prev_hash = fields["hash"] = _digest(fields, before_json, after_json, shared)
            fields["before"] = None if before is None else JSONText(before_json)
            fields["after"] = None if after is None else JSONText(after_json)
            rows.append((tuple(fields[name] for name in _COLUMNS), (before, after)))
        if not rows:
            return []
        bulk_insert_rows(AuditEntry, _COLUMNS, [row for row, _snapshots in rows])
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return rows


def _entry_fields(
    ctx: AuditContext,
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    unit_path: str | None = None,
    unit_name: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    snapshot: bool = False,
) -> dict:
    """The entry's fields but its place in the chain. `snapshot` says before/after come from
    `audit_snapshot()`, already plain JSON (converting them again would cost as much)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
        owner = getattr(obj, "audit_unit", None)
        unit = owner() if callable(owner) else None
        if unit is not None and unit_path is None:
            unit_path, unit_name = unit.path, unit.name
    return {
        "actor_id": ctx.actor_id,
        "actor_name": ctx.actor_name[:150],
        "unit_path": ctx.unit_path if unit_path is None else unit_path,
        "unit_name": (ctx.unit_name if unit_name is None else unit_name)[:200],
        "remote_addr": ctx.remote_addr,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "object_repr": object_repr[:255],
        "before": before if before is None or snapshot else to_jsonable(before),
        "after": after if after is None or snapshot else to_jsonable(after),
    }


def audit_create_records(objs: Iterable[AuditedModel]) -> Iterator[dict]:
    """The entries `AuditedModel.save()` writes for new objects, for objects saved in bulk."""
    for obj in objs:
        yield {"action": AuditAction.CREATE, "obj": obj, "after": obj.audit_snapshot(), "snapshot": True}


class AuditedModel(models.Model):
    """Mixin for business data: every save and delete writes an audit entry with the values before
    and after. Subclasses name the unit a record belongs to with `audit_unit()`."""

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding or self.pk is None
        before = None
        if not adding:
            previous = type(self)._base_manager.filter(pk=self.pk).first()
            before = previous.audit_values() if previous is not None else None
        with transaction.atomic():
            super().save(*args, **kwargs)
            after = self.audit_values()
            label = self._meta.label_lower
            if before is None:
                audit_record(action=AuditAction.CREATE, obj=self, after=audit_masked(label, after))
            elif before != after:
                # Changes are found on the stored values, so that a personal field whose masked
                # form stays the same (138****5678 → 138****5678) is still recorded as changed.
                changed = {k for k in after if before.get(k) != after.get(k)}
                audit_record(
                    action=AuditAction.UPDATE,
                    obj=self,
                    before=audit_masked(label, {k: before.get(k) for k in sorted(changed)}),
                    after=audit_masked(label, {k: after[k] for k in sorted(changed)}),
                )

    def delete(self, *args, **kwargs):
        before = self.audit_snapshot()
        pk = self.pk
        with transaction.atomic():
            audit_record(action=AuditAction.DELETE, obj=self, object_id=str(pk), before=before)
            return super().delete(*args, **kwargs)

    def audit_unit(self):
        return None

    def audit_snapshot(self) -> dict:
        """What the chain keeps of the record: `audit_values()` with the personal fields the
        inventory declares `audit_masked` masked (spec §11, core/personal_data.py)."""
        return audit_masked(self._meta.label_lower, self.audit_values())

    def audit_values(self) -> dict:
        """Every stored field as plain JSON (dates, decimals and UUIDs as DjangoJSONEncoder writes
        them), converted field by field: a bulk import snapshots every row it writes."""
        names, read = _snapshot_reader(type(self))
        data = dict(zip(names, read(self), strict=True))
        for name, value in data.items():
            if type(value) not in _SCALARS:
                if isinstance(value, FieldFile):
                    value = value.name  # files are recorded by their stored name
                data[name] = _plain(value)
        return data


_SNAPSHOT_READERS: dict[type, tuple] = {}


def _snapshot_reader(model: type[AuditedModel]) -> tuple[list[str], Callable]:
    """The snapshot's keys and a function reading their values from an instance at once: each
    field's `value_from_object`, which for almost every field is the attribute itself."""
    reader = _SNAPSHOT_READERS.get(model)
    if reader is None:
        fields = [f for f in model._meta.concrete_fields if f.name not in model.audit_exclude]
        names = [f.attname for f in fields]
        if all(type(f).value_from_object is models.Field.value_from_object for f in fields):
            read = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
        else:
            read = lambda obj: [f.value_from_object(obj) for f in fields]  # noqa: E731
        reader = _SNAPSHOT_READERS[model] = (names, read)
    return reader


_ENCODER = DjangoJSONEncoder()
_SCALARS = frozenset((str, bool, int, float, type(None)))


def _plain(value):
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (dict, list)):
        return value if _is_json(value) else to_jsonable(value)
    encoded = _ENCODER.default(value)
    # What DjangoJSONEncoder makes of dates, times, decimals and UUIDs is already a plain string.
    return encoded if type(encoded) is str else to_jsonable(encoded)


def _is_json(value) -> bool:
    """Whether a JSON field's content is already made of plain JSON types only."""
    if type(value) in _SCALARS or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(type(item) in _SCALARS or _is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and (type(item) in _SCALARS or _is_json(item)) for key, item in value.items())
    return False


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    # The last purged entry (`AuditAnchor`); the chain is checked from the entry after it.
    start_seq: int = 0


def audit_verify(batch_size: int = 2000, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute the chain from the first entry (after a purge, from the newest anchor): each
    entry's hash, its link to the previous one, unbroken sequence numbers, and the head. An anchor
    counts only when the purge's own entry in the chain names the same number and hash. Names the
    first entry that does not hold. `progress(checked)` is called after every `batch_size` entries
    (the background job's progress bar; whatever it raises stops the check)."""
    anchor = AuditAnchor.objects.order_by("-seq").first()
    start_seq, expected_prev = (anchor.seq, anchor.hash) if anchor else (0, GENESIS_HASH)
    expected_seq = start_seq + 1
    anchor_confirmed = anchor is None
    checked = 0
    entries = AuditEntry.objects.filter(seq__gt=start_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, CHAIN_MISSING.format(seq=expected_seq), start_seq)
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.seq, str(CHAIN_LINK_BROKEN), start_seq)
        if _digest_of(entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, str(CHAIN_ENTRY_CHANGED), start_seq)
        if not anchor_confirmed and entry.action == AuditAction.PURGE:
            after = entry.after or {}
            anchor_confirmed = (after.get("through_seq"), after.get("through_hash")) == (anchor.seq, anchor.hash)
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
        if progress is not None and checked % batch_size == 0:
            progress(checked)
    if not anchor_confirmed:
        return ChainReport(False, checked, anchor.seq, CHAIN_ANCHOR_UNCONFIRMED.format(seq=anchor.seq), start_seq)
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != start_seq + checked or head_hash != expected_prev:
        return ChainReport(False, checked, start_seq + checked + 1, CHAIN_HEAD_MISMATCH.format(seq=head_seq), start_seq)
    return ChainReport(True, checked, start_seq=start_seq)
