"""Staff pages of the daily ledger (issue 15 §1): the positions whose ledger the actor keeps with
today's state, one day's entry on one phone screen (numeric keypad, yesterday's figures one tap
away, corrections with the version read, a conflict told as such), the days entered, and the xlsx
upload. Rules are the services'; these pages only call them."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from yizhan.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import FORBIDDEN_MESSAGE
from yizhan.core.views_helpers import staff_view
from yizhan.ledger import imports, selectors, services
from yizhan.ledger.forms import LedgerDayForm, LedgerImportForm
from yizhan.ledger.models import LEDGER_FIGURES, DailyLedger
from yizhan.positions import selectors as position_selectors

PER_PAGE = 50
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
    if may_enter:
        listed = list(selectors.ledger_positions(actor=actor)[:200])
        entered = {
            d.position_id: d
            for d in selectors.ledger_list(actor=actor, date_from=today, date_to=today).filter(
                position__in=[p.pk for p in listed]
            )
        }
        positions = [(p, entered.get(p.pk)) for p in listed]
    days = selectors.ledger_list(
        actor=actor, date_from=_date(request.GET.get("from")), date_to=_date(request.GET.get("to"))
    )
    page = Paginator(days, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/ledger_home.html",
        {"today": today, "positions": positions, "may_enter": may_enter, "page": page},
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
    form = LedgerImportForm(request.POST or None, request.FILES or None)
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


def _date(text) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
