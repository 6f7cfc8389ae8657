"""The audit log page (auditors): filters, chain verification, signed export of a date range."""

from datetime import date, datetime, time, timedelta
from tempfile import SpooledTemporaryFile
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from yizhan.core.audit import audit_verify
from yizhan.core.audit_export import audit_export
from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.models import AuditAction
from yizhan.core.selectors import audit_entry_list, require_audit_reader
from yizhan.core.views_helpers import staff_view


def _day(text: str) -> date | None:
    """A YYYY-MM-DD day; None for an empty or impossible date."""
    try:
        return parse_date(text.strip())
    except ValueError:
        return None


def _day_start(text: str) -> datetime | None:
    """Midnight (Asia/Shanghai) of a YYYY-MM-DD day; None for an empty or impossible date."""
    day = _day(text)
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


@staff_view
def audit_export_download(request):
    """The signed zip of the entries in the auditor's scope from `since` to `until` (inclusive);
    a missing or reversed range goes back to the log page with the reason."""
    since, until = _day(request.GET.get("since", "")), _day(request.GET.get("until", ""))
    # Handed to FileResponse, which closes it once sent.
    buffer = SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    try:
        audit_export(actor=request.actor, since=since, until=until, out=buffer)
    except PermissionDeniedError:
        buffer.close()
        raise
    except ApplicationError as error:
        buffer.close()
        messages.error(request, error.message)
        kept = {key: request.GET[key] for key in ("since", "until") if request.GET.get(key)}
        return redirect(reverse("audit:log") + ("?" + urlencode(kept) if kept else ""))
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=f"audit-{since:%Y%m%d}-{until:%Y%m%d}.zip", content_type="application/zip"
    )
