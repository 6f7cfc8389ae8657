"""The kernel's own job kind: verifying the audit chain (`yizhan audit-verify`, the audit log's
校验 page) in the background, with progress, for a chain of millions of entries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_verify
from yizhan.core.jobs.registry import JobKind
from yizhan.core.jobs.snapshot import read_snapshot
from yizhan.core.models import AuditAnchor, AuditHead
from yizhan.core.roles import Action

AUDIT_VERIFY = "core.audit_verify"
VERIFYING = _("已校验 {done} / {total} 条")
CHAIN_OK = _("链完好：共 {checked} 条，逐条哈希与链接均一致")
CHAIN_BROKEN = _("链已损坏：第 {seq} 条，{reason}")
BATCH = 500


def audit_verify_job(job, progress) -> dict:
    """The whole chain as it stood when the check began (entries appended meanwhile are not part of
    it, and do not make the head look moved)."""
    with read_snapshot():
        anchor = AuditAnchor.objects.order_by("-seq").first()
        head = AuditHead.objects.filter(pk=1).first()
        total = max(0, (head.seq if head else 0) - (anchor.seq if anchor else 0))
        progress.report(0, total, VERIFYING.format(done=0, total=total))
        report = audit_verify(
            batch_size=BATCH,
            progress=lambda done: progress.report(done, total, VERIFYING.format(done=done, total=total)),
        )
    return {
        "ok": report.ok,
        "checked": report.checked,
        "first_broken_seq": report.first_broken_seq,
        "reason": str(report.reason),
        "start_seq": report.start_seq,
    }


def audit_verify_summary(result: dict) -> str:
    if result.get("ok"):
        return CHAIN_OK.format(checked=result.get("checked"))
    return CHAIN_BROKEN.format(seq=result.get("first_broken_seq"), reason=result.get("reason"))


CORE_JOB_KINDS = [
    JobKind(
        name=AUDIT_VERIFY,
        label=_("校验审计哈希链"),
        run=audit_verify_job,
        permission=(Action.VIEW, "core.auditentry"),
        atomic=False,  # reads only, from a snapshot
        summarise=audit_verify_summary,
        offered=True,
    )
]
