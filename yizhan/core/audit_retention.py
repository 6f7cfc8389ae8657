"""Retention of the audit log (spec §11: entries kept at least 180 days; Cybersecurity Law art. 21:
network logs at least six months).

`YIZHAN_AUDIT_RETENTION_DAYS` (default 180) is how long entries are kept; a lower value is refused
by a system check and by the purge itself. `audit_purge` is the one place that deletes entries: a
prefix of the chain, all of it older than the retention period, replaced by an `AuditAnchor` (the
last purged entry's number and hash) so that what remains still verifies from the anchor, and
recorded by an audit entry of its own naming that anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_record, audit_verify
from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditAction, AuditAnchor, AuditEntry, AuditHead

MIN_RETENTION_DAYS = 180
RETENTION_TOO_SHORT = (
    "YIZHAN_AUDIT_RETENTION_DAYS must be a whole number of days, at least 180 "
    "(spec §11; Cybersecurity Law art. 21: network logs are kept at least six months)"
)
PURGE_WITHIN_RETENTION = _(
    "审计日志至少保存 {days} 天：只能清理 {cutoff} 及之前的日期，{before} 之前的条目仍有未到期的"
)
PURGE_CHAIN_BROKEN = _("审计链校验未通过（第 {seq} 条：{reason}），为保留证据拒绝清理；请先查明原因")
PURGE_REPR = "清理 {before} 之前的审计日志 {count} 条"


def retention_days() -> int:
    """The configured retention in days; ImproperlyConfigured below the legal minimum."""
    raw = getattr(settings, "YIZHAN_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(RETENTION_TOO_SHORT)
    return raw


@register()
def audit_retention_setting(app_configs, **kwargs):
    """Refuse to start (runserver, migrate, every command) with a retention under 180 days."""
    try:
        retention_days()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="core.E001")]
    return []


def latest_purgeable_day(*, now: datetime | None = None) -> date:
    """The latest `before` day a purge accepts today: every entry older than its midnight
    (Asia/Shanghai) is older than the retention period."""
    cutoff = timezone.localtime(now or timezone.now()) - timedelta(days=retention_days())
    return cutoff.date()


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    through_seq: int = 0
    through_hash: str = ""
    entry: AuditEntry | None = None


def audit_purge(*, before: date) -> PurgeResult:
    """Delete the audit entries written before midnight (Asia/Shanghai) of `before`, which must lie
    outside the retention period (ApplicationError otherwise). Only a prefix of the chain goes:
    from the first entry written on or after that midnight on, everything is kept, even an older
    entry behind it (a clock set back). The chain must verify first (a broken chain is evidence).
    Leaves an `AuditAnchor` at the last purged entry and records the purge as an entry naming it;
    nothing to purge writes nothing."""
    days = retention_days()
    if before > latest_purgeable_day():
        raise ApplicationError(
            PURGE_WITHIN_RETENTION.format(days=days, cutoff=latest_purgeable_day().isoformat(), before=before),
            field="before",
        )
    start = timezone.make_aware(datetime.combine(before, time.min))
    with transaction.atomic():
        # The head's lock keeps writers out until the purge and its own entry are written.
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            return PurgeResult(0)
        report = audit_verify()
        if not report.ok:
            raise ApplicationError(PURGE_CHAIN_BROKEN.format(seq=report.first_broken_seq, reason=report.reason))
        kept_from = (
            AuditEntry.objects.filter(seq__gt=report.start_seq, created_at__gte=start)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        through = head.seq if kept_from is None else kept_from - 1
        if through <= report.start_seq:
            return PurgeResult(0)
        last = AuditEntry.objects.get(seq=through)
        count = through - report.start_seq
        _delete_prefix(through)
        AuditAnchor(
            seq=through, hash=last.hash, purged_before=start, purged_count=count, created_at=timezone.now()
        ).save()
        entry = audit_record(
            action=AuditAction.PURGE,
            object_type=AuditEntry._meta.label_lower,
            object_repr=PURGE_REPR.format(before=before.isoformat(), count=count),
            unit_path="",
            unit_name="",
            after={
                "through_seq": through,
                "through_hash": last.hash,
                "count": count,
                "before": before.isoformat(),
                "retention_days": days,
            },
        )
    return PurgeResult(count, through, last.hash, entry)


def _delete_prefix(through: int) -> None:
    """The one delete of audit entries: raw SQL, since the model and its querysets refuse."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [through])  # noqa: S608 (table name quoted)
