"""The audit log page (auditors)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.dateparse import parse_date

from yizhan.core.audit import audit_verify
from yizhan.core.models import AuditAction
from yizhan.core.selectors import audit_entry_list, require_audit_reader
from yizhan.core.views_helpers import staff_view


@staff_view
def audit_log(request):
    since = parse_date(request.GET.get("since", "") or "")
    until = parse_date(request.GET.get("until", "") or "")
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
