"""Staff pages of the daily ledger (issue 15 §1): the positions whose ledger the actor keeps with
today's state, one day's entry on one phone screen (numeric keypad, yesterday's figures one tap
away, corrections with the version read, a conflict told as such), the days entered, and the xlsx
upload; problem reports and the re-verify queue (§4). Rules are the services'; these pages only
call them."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from yizhan.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE, require
from yizhan.core.views_helpers import add_refusal, int_param, staff_view
from yizhan.ledger import imports, overview, overview_pdf, selectors, services
from yizhan.ledger.choices import PROBLEM_HANDLING, ActivityKind, ProblemStatus
from yizhan.ledger.forms import ActivityForm, LedgerDayForm, LedgerImportForm, ProblemTransitionForm
from yizhan.ledger.models import LEDGER_FIGURES, Activity, DailyLedger
from yizhan.orgs import selectors as org_selectors
from yizhan.positions import photos
from yizhan.positions import selectors as position_selectors

PER_PAGE = 50
TODAY_PER_PAGE = 20  # today's positions, one phone screen or two
SAVED = {
    services.LedgerOutcome.CREATED: _("已录入 {day} 的台账"),
    services.LedgerOutcome.CORRECTED: _("已更正 {day} 的台账，原数字保留在更正记录中"),
    services.LedgerOutcome.UNCHANGED: _("{day} 的台账数字没有变化"),
}
NO_YESTERDAY = _("昨日（{day}）没有录入台账，无法填入")
YESTERDAY_FILLED = _("已填入昨日（{day}）的数字，请核对后保存")
IMPORTED = _("导入完成：新增 {created} 天，更正 {corrected} 天，未变 {unchanged} 天")


@staff_view
def ledger_home(request):
    """The positions whose ledger the actor keeps, each with today's entry (or a link to enter
    it), and the days entered in scope, newest first."""
    actor = request.actor
    today = timezone.localdate()
    may_enter = actor.can(Action.CREATE, DailyLedger)
    positions = []
    today_page = None
    missing_only = request.GET.get("today") == "missing"
    if may_enter:
        # Paged (issue 21: a federation's 288 positions made the page ~21,000 px tall on a phone).
        if missing_only:
            listed = selectors.ledger_positions_missing(actor=actor, day=today)
        else:
            listed = selectors.ledger_positions(actor=actor)
        today_page = Paginator(listed, TODAY_PER_PAGE).get_page(request.GET.get("today_page"))
        listed = list(today_page)
        entered = {
            d.position_id: d
            for d in selectors.ledger_list(actor=actor, date_from=today, date_to=today).filter(
                position__in=[p.pk for p in listed]
            )
        }
        positions = [(p, entered.get(p.pk)) for p in listed]
    filters = {
        "date_from": _date(request.GET.get("from")),
        "date_to": _date(request.GET.get("to")),
        "unit": _unit_param(request),
        "position_id": int_param(request, "position"),
    }
    days = selectors.ledger_list(actor=actor, **filters)
    page = Paginator(days, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/ledger_home.html",
        {
            "today": today,
            "positions": positions,
            "today_page": today_page,
            "missing_only": missing_only,
            "may_enter": may_enter,
            "page": page,
            "totals": selectors.ledger_totals(actor=actor, **filters),
            "unit": filters["unit"],
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def ledger_entry(request, position_id: int, day: str):
    """One day of one position: GET shows the form (the stored figures when the day was entered,
    yesterday's with ?copy=yesterday), POST saves through `services.ledger_day_save`."""
    actor = request.actor
    position = position_selectors.position_get(actor=actor, pk=position_id)
    the_day = _date(day)
    if the_day is None:
        raise Http404
    stored = selectors.ledger_day(actor=actor, position=position, day=the_day)
    if request.method == "POST":
        form = LedgerDayForm(request.POST, position=position)
        if form.is_valid():
            try:
                saved = services.ledger_day_save(
                    actor=actor,
                    position=position,
                    day=the_day,
                    figures=form.figures(),
                    own_items=form.own_items(),
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDeniedError:
                raise
            except ConflictError as error:
                # Someone else saved this day meanwhile: their figures are shown, the typed ones
                # stay in the form for comparison, and the version is the stored one now.
                form.add_error(None, error.message)
                stored = selectors.ledger_day(actor=actor, position=position, day=the_day)
                form.data = form.data.copy()
                form.data["version"] = str(stored.version) if stored else ""
            except ApplicationError as error:
                for problem in error.extra.get("problems", [{"field": error.field, "message": error.message}]):
                    field = problem["field"] if problem["field"] in form.fields else None
                    form.add_error(field, problem["message"])
            else:
                messages.success(request, SAVED[saved.outcome].format(day=the_day.isoformat()))
                return redirect(reverse("ledger_staff:home"))
    else:
        source = stored
        if request.GET.get("copy") == "yesterday":
            yesterday = the_day - timedelta(days=1)
            source = selectors.ledger_day(actor=actor, position=position, day=yesterday)
            if source is None:
                messages.warning(request, NO_YESTERDAY.format(day=yesterday.isoformat()))
                source = stored
            else:
                messages.info(request, YESTERDAY_FILLED.format(day=yesterday.isoformat()))
        initial = LedgerDayForm.initial_from(source, version=stored, position=position)
        form = LedgerDayForm(position=position, initial=initial)
    today = timezone.localdate()
    return render(
        request,
        "ledger/ledger_entry.html",
        {
            "position": position,
            "day": the_day,
            "today": today,
            "stored": stored,
            "form": form,
            "previous_day": the_day - timedelta(days=1),
            "next_day": the_day + timedelta(days=1) if the_day < today else None,
            "revisions": _revisions(actor, stored),
        },
    )


@staff_view
def ledger_today(request, position_id: int):
    """The entry of today (Asia/Shanghai) for a position: the link a station manager bookmarks."""
    return redirect("ledger_staff:entry", position_id=position_id, day=timezone.localdate().isoformat())


@require_http_methods(["GET", "POST"])
@staff_view
def ledger_import(request):
    """The xlsx upload: every problem by row and column, nothing written when there is one."""
    actor = request.actor
    if not actor.can(Action.CREATE, DailyLedger):
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    result = None
    form = LedgerImportForm(request.POST, request.FILES) if request.method == "POST" else LedgerImportForm()
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.ledger_import(actor=actor, file=form.cleaned_data["file"])
        except imports.ImportFileError as error:
            form.add_error("file", error.message)
        else:
            if result.ok:
                messages.success(
                    request,
                    IMPORTED.format(created=result.created, corrected=result.corrected, unchanged=result.unchanged),
                )
                return redirect("ledger_staff:home")
    return render(request, "ledger/ledger_import.html", {"form": form, "result": result})


@staff_view
def ledger_import_template(request):
    response = HttpResponse(imports.ledger_template(actor=request.actor), content_type=imports.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ledger-template.xlsx"'
    return response


def _revisions(actor, stored: DailyLedger | None) -> list:
    """Each earlier version of the day with its non-zero figures by their labels."""
    if stored is None:
        return []
    labels = dict(LEDGER_FIGURES)
    return [
        (revision, [(labels.get(name, name), value) for name, value in revision.figures.items() if value])
        for revision in selectors.ledger_revisions(actor=actor, ledger=stored)
    ]


def _unit_param(request):
    """The `unit` of the query string, a unit in the actor's scope (404 outside it), or None."""
    pk = int_param(request, "unit")
    return org_selectors.unit_get(actor=request.actor, pk=pk) if pk is not None else None


def _date(text) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


# --- problem reports and the re-verify queue ----------------------------------------------------

HANDLED = _("问题反映 #{id} 已变为“{status}”")


@staff_view
def problem_list(request):
    actor = request.actor
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    reports = selectors.problem_report_list(actor=actor, status=status, overdue=overdue, unit=_unit_param(request))
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/problem_list.html",
        {
            "page": page,
            "statuses": ProblemStatus.choices,
            "status": status,
            "overdue": overdue,
            "today": timezone.localdate(),
        },
    )


@staff_view
def problem_detail(request, pk: int):
    report = selectors.problem_report_get(actor=request.actor, pk=pk)
    return _problem_detail(request, report)


def _problem_detail(request, report, form: ProblemTransitionForm | None = None):
    actor = request.actor
    moves = PROBLEM_HANDLING.available_transitions(actor, report)
    return render(
        request,
        "ledger/problem_detail.html",
        {
            "report": report,
            "moves": [(move.target, PROBLEM_HANDLING.move_label(move)) for move in moves],
            "form": form or (ProblemTransitionForm() if moves else None),
            "history": selectors.problem_report_history(actor=actor, report=report),
            "today": timezone.localdate(),
        },
    )


@require_POST
@staff_view
def problem_transition(request, pk: int):
    """Settle a report from its page: back to where it was settled from (the queue), or the page
    with the refusal next to the field."""
    actor = request.actor
    report = selectors.problem_report_get(actor=actor, pk=pk, action=Action.UPDATE)
    form = ProblemTransitionForm(request.POST)
    if form.is_valid():
        try:
            report = services.problem_report_transition(actor=actor, report=report, **form.cleaned_data)
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, HANDLED.format(id=report.pk, status=report.get_status_display()))
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("ledger_staff:problem_detail", args=[report.pk])
            return redirect(target)
    return _problem_detail(request, report, form)


@staff_view
def reverify_queue(request):
    """Positions to check on site: open problem reports by deadline, then stale verified-on dates."""
    entries = selectors.reverify_queue(actor=request.actor, unit=_unit_param(request))
    if request.GET.get("stale") == "1":
        entries = [entry for entry in entries if entry.stale]
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/reverify_queue.html",
        {"page": page, "stale_days": settings.YIZHAN_VERIFIED_STALE_DAYS, "today": timezone.localdate()},
    )


# --- activities ---------------------------------------------------------------------------------

ACTIVITY_SAVED = _("活动已保存")
ACTIVITY_PHOTO_ADDED = _("照片已上传")


@require_http_methods(["GET", "POST"])
@staff_view
def activity_list(request):
    """The activities in scope, latest first, with the form to register one (for the roles that may)."""
    actor = request.actor
    may_create = actor.can(Action.CREATE, Activity)
    form = None
    if may_create:
        initial = {"unit": actor.unit.pk if actor.unit else None, "position": request.GET.get("position")}
        form = ActivityForm(request.POST or None, actor=actor, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                activity = services.activity_create(actor=actor, **form.cleaned_data)
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, ACTIVITY_SAVED)
                return redirect("ledger_staff:activity_detail", pk=activity.pk)
    elif request.method == "POST":
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    activities = selectors.activity_list(
        actor=actor,
        kind=request.GET.get("kind", ""),
        unit=_unit_param(request),
        position_id=int_param(request, "position"),
        date_from=_date(request.GET.get("from")),
        date_to=_date(request.GET.get("to")),
    )
    page = Paginator(activities, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/activity_list.html",
        {"page": page, "form": form, "kinds": ActivityKind.choices, "kind": request.GET.get("kind", "")},
    )


@require_http_methods(["GET", "POST"])
@staff_view
def activity_detail(request, pk: int):
    """One activity: its facts and photos; POST corrects it (the roles that may)."""
    actor = request.actor
    activity = selectors.activity_get(actor=actor, pk=pk)
    may_update = actor.can(Action.UPDATE, Activity)
    form = None
    if may_update:
        initial = {name: getattr(activity, name) for name in ("unit", "position", "title", "kind", "held_on")}
        initial.update(participants=activity.participants, description=activity.description)
        form = ActivityForm(request.POST or None, actor=actor, initial=initial)
        form.fields["unit"].disabled = True
        if request.method == "POST" and form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
            try:
                activity = services.activity_update(actor=actor, activity=activity, **changes)
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, ACTIVITY_SAVED)
                return redirect("ledger_staff:activity_detail", pk=activity.pk)
    elif request.method == "POST":
        raise PermissionDeniedError(FORBIDDEN_MESSAGE)
    return render(
        request,
        "ledger/activity_detail.html",
        {
            "activity": activity,
            "form": form,
            "photos": selectors.activity_photos(actor=actor, activity=activity),
            "photo_max_mb": settings.YIZHAN_PHOTO_MAX_BYTES // (1024 * 1024),
        },
    )


@require_POST
@staff_view
def activity_photo_add(request, pk: int):
    """Upload a photo of an activity (the positions' pipeline: checked, re-encoded, no EXIF)."""
    activity = selectors.activity_get(actor=request.actor, pk=pk, action=Action.UPDATE)
    upload = request.FILES.get("image")
    limit = settings.YIZHAN_PHOTO_MAX_BYTES
    try:
        if upload is not None and upload.size > limit:
            raise ApplicationError(photos.PHOTO_TOO_LARGE.format(limit=limit // (1024 * 1024)), field="image")
        data = upload.read() if upload is not None else b""
        services.activity_photo_add(
            actor=request.actor, activity=activity, data=data, caption=request.POST.get("caption", "")
        )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ACTIVITY_PHOTO_ADDED)
    return redirect("ledger_staff:activity_detail", pk=activity.pk)


# --- the dashboard of a unit (issue 15 §6) -----------------------------------------------------


@staff_view
def unit_overview(request):
    """A unit's dashboard over its subtree for a period (default: the actor's unit, the last 30
    days); ?format=xlsx downloads it (the figures and the ledger rows), ?format=pdf as a report
    with its charts."""
    actor = request.actor
    require(actor, Action.VIEW, DailyLedger)
    unit = _unit_param(request) or actor.unit
    result = overview.overview(
        actor=actor,
        unit=unit,
        date_from=_date(request.GET.get("from")),
        date_to=_date(request.GET.get("to")),
        trend_by=request.GET.get("by", "month"),
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(overview.overview_xlsx(actor=actor, result=result), content_type=imports.XLSX_TYPE)
        name = f"dashboard-{unit.code}-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if request.GET.get("format") == "pdf":
        response = HttpResponse(overview_pdf.overview_pdf(result), content_type="application/pdf")
        name = f"dashboard-{unit.code}-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    charts = {
        "trend": [{"label": s.label, "value": s.value, "url": s.url} for s in result.trend],
        "states": [{"label": s.label, "value": s.value, "url": s.url} for s in result.by_state if s.value],
    }
    return render(
        request,
        "ledger/overview.html",
        {
            "o": result,
            "charts": charts,
            "units": org_selectors.unit_list(actor=actor).order_by("path")[:500],
            "trend_choices": [(key, overview.TREND_CHOICES[key]) for key in overview.TREND_TITLES],
            "query": request.GET.urlencode(),
            "usage_map_url": reverse("api:usage_map")
            + "?"
            + urlencode({"unit": unit.pk, "date_from": result.date_from, "date_to": result.date_to}),
        },
    )


@staff_view
def idle_list(request):
    """Operating positions without visits in the last 30 days up to ?to= (a dashboard figure's rows)."""
    actor = request.actor
    unit = _unit_param(request) or actor.unit
    positions = overview.idle_positions(actor=actor, unit=unit, until=_date(request.GET.get("to")))
    return render(
        request,
        "ledger/idle_list.html",
        {"positions": positions, "unit": unit, "idle_days": overview.IDLE_DAYS},
    )


# --- a week as a table (issue 15 §1) ------------------------------------------------------------

WEEK_SAVED = _("已保存 {n} 天的台账")


class _WeekRefused(Exception):
    """A day of the week was refused: roll back the others (all or none)."""


WEEK_NOTHING = _("没有需要保存的数字")


@require_http_methods(["GET", "POST"])
@staff_view
def ledger_week(request, position_id: int):
    """Seven days of a position as one table (a row per count, a column per day, ?start= the
    Monday; future days closed). POST saves every day that has figures through
    `services.ledger_day_save`, each with the version it was read at, all or none."""
    actor = request.actor
    position = position_selectors.position_get(actor=actor, pk=position_id)
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or today
    start -= timedelta(days=start.weekday())
    days = [start + timedelta(days=n) for n in range(7)]
    week = selectors.ledger_list(actor=actor, position_id=position.pk, date_from=days[0], date_to=days[-1])
    stored = {d.day: d for d in week}
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {key: value for key, value in request.POST.items() if "__" in key}
        saved = 0
        try:
            with transaction.atomic():
                for day in days:
                    if day > today:
                        continue
                    key = day.isoformat()
                    figures = {name: request.POST.get(f"{key}__{name}", "") for name, _label in LEDGER_FIGURES}
                    if not any(str(v).strip() for v in figures.values()) and day not in stored:
                        continue
                    version = request.POST.get(f"{key}__version", "")
                    try:
                        services.ledger_day_save(
                            actor=actor,
                            position=position,
                            day=day,
                            figures=figures,
                            own_items=(stored[day].own_items if day in stored else {}),
                            expected_version=int(version) if version.isdecimal() else None,
                        )
                    except PermissionDeniedError:
                        raise
                    except ApplicationError as error:
                        problems = error.extra.get("problems") or [{"field": error.field, "message": error.message}]
                        for problem in problems:
                            errors[f"{key}__{problem['field']}"] = problem["message"]
                        errors.setdefault(key, problems[0]["message"])
                    else:
                        saved += 1
                if errors:
                    raise _WeekRefused
        except _WeekRefused:
            pass  # every day rolled back; the refusals are shown next to their cells
        else:
            messages.success(request, WEEK_SAVED.format(n=saved) if saved else WEEK_NOTHING)
            return redirect(f"{reverse('ledger_staff:week', args=[position.pk])}?start={start.isoformat()}")
    rows = []
    for name, label in LEDGER_FIGURES:
        cells = []
        for day in days:
            key = f"{day.isoformat()}__{name}"
            if key in values:
                value = values[key]
            else:
                value = getattr(stored[day], name) if day in stored else ""
            cells.append({"name": key, "value": value, "closed": day > today, "error": errors.get(key, "")})
        rows.append({"label": label, "cells": cells})
    columns = [
        {
            "day": day,
            "version": stored[day].version if day in stored else "",
            "closed": day > today,
            "error": errors.get(day.isoformat(), ""),
        }
        for day in days
    ]
    return render(
        request,
        "ledger/ledger_week.html",
        {
            "position": position,
            "columns": columns,
            "rows": rows,
            "has_errors": bool(errors),
            "previous": (start - timedelta(days=7)).isoformat(),
            "next": (start + timedelta(days=7)).isoformat() if start + timedelta(days=7) <= today else "",
        },
    )
