"""Reads of the audit log (auditors only, within their scope)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from yizhan.core.models import AuditEntry
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require


def require_audit_reader(actor: Actor | None) -> None:
    require(actor, Action.VIEW, AuditEntry)


def audit_entry_list(
    *,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str = "",
    object_type: str = "",
    actor_name: str = "",
) -> QuerySet[AuditEntry]:
    """Entries in the auditor's scope, newest first, filtered by time range, action, object type, actor."""
    require_audit_reader(actor)
    entries = AuditEntry.objects.restrict(actor)
    if since:
        entries = entries.filter(created_at__gte=since)
    if until:
        entries = entries.filter(created_at__lt=until)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor_name:
        entries = entries.filter(actor_name__icontains=actor_name)
    return entries.order_by("-seq")
