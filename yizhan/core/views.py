"""The audit log page (auditors)."""

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from yizhan.core.audit import audit_verify
from yizhan.core.models import AuditAction
from yizhan.core.selectors import audit_entry_list, require_audit_reader
from yizhan.core.views_helpers import staff_view


def _day_start(text: str) -> datetime | None:
    """Midnight (Asia/Shanghai) of a YYYY-MM-DD day; None for an empty or impossible date."""
    try:
        day = parse_date(text.strip())
    except ValueError:
        return None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


@staff_view
def audit_log(request):
    since = _day_start(request.GET.get("since", ""))
    until = _day_start(request.GET.get("until", ""))
    if until is not None:
        until += timedelta(days=1)  # the "until" day itself is included
    entries = audit_entry_list(
        actor=request.actor,
        since=since,
        until=until,
        action=request.GET.get("action", ""),
        object_type=request.GET.get("object_type", ""),
        actor_name=request.GET.get("actor", "").strip(),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "actions": AuditAction.choices, "filters": request.GET},
    )


@staff_view
def audit_chain(request):
    require_audit_reader(request.actor)
    return render(request, "core/audit_chain.html", {"report": audit_verify()})
