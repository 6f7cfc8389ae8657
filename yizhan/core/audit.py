"""Writing and verifying the audit chain (issue 2 §5).

`audit_record` appends one entry; `AuditedModel` calls it for every save and delete of business
data, with before/after snapshots; services call it directly for changes that bypass `save()`
(tree moves, bulk operations). Who acts, for which unit and from which address comes from
`audit_context`, set per request by `ActorMiddleware` and per command by the CLI.
"""

from __future__ import annotations

import contextvars
import getpass
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.bulk import bulk_insert
from yizhan.core.models import AuditAction, AuditEntry, AuditHead

GENESIS_HASH = "0" * 64

CHAIN_MISSING = _("缺少第 {seq} 条（已被删除）")
CHAIN_LINK_BROKEN = _("与前一条的链接不符（前一条被修改或删除）")
CHAIN_ENTRY_CHANGED = _("内容与哈希不符（该条被修改）")
CHAIN_HEAD_MISMATCH = _("链头记录到第 {seq} 条，末尾条目被删除或链头被改")


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_name: str = ""
    unit_path: str = ""
    unit_name: str = ""
    remote_addr: str = ""


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
    payload = {
        "seq": seq,
        "created_at": created_at.isoformat(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "unit_path": unit_path,
        "unit_name": unit_name,
        "remote_addr": remote_addr,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    chain head and with one bulk insert: what a bulk write (an import) records for its rows."""
    ctx = current_context()
    entries: list[AuditEntry] = []
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
        seq, prev_hash = head.seq, head.hash
        # Microseconds survive every backend's datetime column, so the digest recomputes exactly.
        now = timezone.now()
        for record in records:
            seq += 1
            fields = _entry_fields(ctx, **record)
            fields.update(seq=seq, created_at=now, prev_hash=prev_hash)
            prev_hash = entry_digest(**fields)
            entries.append(AuditEntry(**fields, hash=prev_hash))
        if not entries:
            return entries
        bulk_insert(entries)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return entries


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
            before = previous.audit_snapshot() if previous is not None else None
        with transaction.atomic():
            super().save(*args, **kwargs)
            after = self.audit_snapshot()
            if before is None:
                audit_record(action=AuditAction.CREATE, obj=self, after=after)
            elif before != after:
                changed = {k for k in after if before.get(k) != after.get(k)}
                audit_record(
                    action=AuditAction.UPDATE,
                    obj=self,
                    before={k: before.get(k) for k in sorted(changed)},
                    after={k: after[k] for k in sorted(changed)},
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
        """Every stored field as plain JSON (dates, decimals and UUIDs as DjangoJSONEncoder writes
        them), converted field by field: a bulk import snapshots every row it writes."""
        data = {}
        for field in self._meta.concrete_fields:
            if field.name in self.audit_exclude:
                continue
            value = field.value_from_object(self)
            if isinstance(value, FieldFile):
                value = value.name  # files are recorded by their stored name
            data[field.attname] = _plain(value)
        return data


_ENCODER = DjangoJSONEncoder()


def _plain(value):
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (dict, list)):
        return value if _is_json(value) else to_jsonable(value)
    return to_jsonable(_ENCODER.default(value))


def _is_json(value) -> bool:
    """Whether a JSON field's content is already made of plain JSON types only."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    return False


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def audit_verify(batch_size: int = 2000) -> ChainReport:
    """Recompute the chain from the first entry: each entry's hash, its link to the previous one,
    unbroken sequence numbers, and the head. Names the first entry that does not hold."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    entries = AuditEntry.objects.order_by("seq")
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, CHAIN_MISSING.format(seq=expected_seq))
        if entry.prev_hash != expected_prev:
            return ChainReport(False, checked, entry.seq, str(CHAIN_LINK_BROKEN))
        if _digest_of(entry) != entry.hash:
            return ChainReport(False, checked, entry.seq, str(CHAIN_ENTRY_CHANGED))
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(False, checked, checked + 1, CHAIN_HEAD_MISMATCH.format(seq=head_seq))
    return ChainReport(True, checked)
