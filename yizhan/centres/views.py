"""Staff pages of the service-centre acceptance (spec §8). Rules are the services'; these pages
only call them and show their refusals as messages."""

from __future__ import annotations

import datetime as dt
import mimetypes
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yizhan.centres import exports, selectors, services
from yizhan.centres.choices import ACCEPTANCE_FLOW, ApplicationState, Method, Part
from yizhan.centres.grading import Grade, percent
from yizhan.centres.models import AcceptanceRound, Application, ModelCentre
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.core.views_helpers import run_action, staff_view
from yizhan.orgs import selectors as org_selectors
from yizhan.positions.models import Position

PER_PAGE = 50
SAVED = _("已保存")
BAD_DATE = _("“{label}”应为日期，例如 2024-10-30")
BAD_NUMBER = _("“{label}”应为不小于 0 的整数")
BAD_AMOUNT = _("“{label}”应为以元为单位的金额，最多两位小数")
MOVED = _("验收申报已变为“{state}”")
GRADED = _("评定结果：{grade}")
DOCUMENTS = {"form": _("验收申报表"), "self-check": _("自查报告")}


def _date(request, name: str, label, *, required: bool = True) -> dt.date | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        if required:
            raise ApplicationError(str(BAD_DATE).format(label=label), field=name)
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ApplicationError(str(BAD_DATE).format(label=label), field=name) from None


def _int(raw: str, label, *, required: bool = False) -> int | None:
    raw = (raw or "").strip()
    if not raw and not required:
        return None
    if not raw.isdecimal() or len(raw) > 7:
        raise ApplicationError(str(BAD_NUMBER).format(label=label))
    return int(raw)


def _pk(raw: str) -> int:
    return int(raw) if raw and raw.isdecimal() and len(raw) < 10 else 0


def _back(application_id: int) -> str:
    return reverse("centres:application_detail", kwargs={"application_id": application_id})


# ------------------------------------------------------------------ lists


@staff_view
def application_list(request):
    """Rounds and applications in scope, filtered by round, state, grade and overdue, with counts."""
    actor = request.actor
    rounds = list(selectors.round_list(actor=actor))
    round_id = _pk(request.GET.get("round", "")) or None
    state = request.GET.get("state", "")
    state = state if state in ApplicationState.values else ""
    grade = request.GET.get("grade", "")
    grade = grade if grade in Grade.values else ""
    overdue = request.GET.get("overdue") == "1"
    applications = selectors.application_list(actor=actor, round_id=round_id, state=state, grade=grade, overdue=overdue)
    counts = dict(
        selectors.application_list(actor=actor, round_id=round_id)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    page = Paginator(applications, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    current = next((r for r in rounds if r.pk == round_id), rounds[0] if rounds else None)
    centres = (
        list(selectors.centres_without_application(actor=actor, acceptance_round=current)[:200])
        if current is not None and actor.can(Action.CREATE, Application)
        else []
    )
    return render(
        request,
        "centres/application_list.html",
        {
            "rounds": rounds,
            "round_id": round_id,
            "current": current,
            "state": state,
            "grade": grade,
            "overdue": overdue,
            "states": ApplicationState.choices,
            "grades": Grade.choices,
            "counts": [(label, counts.get(value, 0)) for value, label in ApplicationState.choices],
            "overdue_count": selectors.application_list(actor=actor, round_id=round_id, overdue=True).count(),
            "page": page,
            "today": today,
            "centres": centres,
            "may_create_round": actor.can(Action.CREATE, AcceptanceRound) and actor.role == Role.FEDERATION_ADMIN,
            "may_export": actor.can(Action.EXPORT, Application),
        },
    )


@require_POST
@staff_view
def round_create(request):
    actor = request.actor
    try:
        year = _int(request.POST.get("year", ""), _("年度"), required=True)
        acceptance_round = services.round_create(
            actor=actor,
            unit=actor.unit,
            year=year,
            title=request.POST.get("title", ""),
            deadline=_date(request, "deadline", _("申报截止日期")),
            review_ends_on=_date(request, "review_ends_on", _("考核结束日期"), required=False),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("centres:application_list")
    messages.success(request, SAVED)
    return redirect(f"{_list_url()}?round={acceptance_round.pk}")


def _list_url():
    return reverse("centres:application_list")


@require_POST
@staff_view
def application_create(request):
    actor = request.actor
    acceptance_round = selectors.round_get(actor=actor, pk=_pk(request.POST.get("round", "")))
    centre = Position.objects.restrict(actor).filter(pk=_pk(request.POST.get("centre", ""))).first()
    if centre is None:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    try:
        application = services.application_create(
            actor=actor,
            acceptance_round=acceptance_round,
            centre=centre,
            large_state_owned=request.POST.get("large_state_owned") == "1",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(f"{_list_url()}?round={acceptance_round.pk}")
    messages.success(request, _("已开始自查：请逐项填写并上传台账、照片"))
    return redirect(_back(application.pk))


# ------------------------------------------------------------------ one application


@staff_view
def application_detail(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id)
    items = list(application.items.all())
    moves = [
        (step.target, ACCEPTANCE_FLOW.move_label(step), step.reason_required)
        for step in ACCEPTANCE_FLOW.available_transitions(actor, application)
        if step.target in (ApplicationState.DRAFT, ApplicationState.FILED) and step.source != ApplicationState.DRAFT
    ]
    is_federation = actor.role == Role.FEDERATION_ADMIN
    may_update = actor.can(Action.UPDATE, Application)
    self_rates = application.rates(review=False)
    review_rates = application.rates()
    today = timezone.localdate()
    return render(
        request,
        "centres/application_detail.html",
        {
            "application": application,
            "items": items,
            "hardware": [i for i in items if i.part == Part.HARDWARE],
            "mechanism": [i for i in items if i.part == Part.MECHANISM],
            "attachments": list(application.attachments.select_related("item")),
            "history": selectors.application_history(actor=actor, application=application),
            "moves": moves,
            "may_self_check": may_update and application.state == ApplicationState.DRAFT,
            "may_file": application.state == ApplicationState.DRAFT and actor.can(Action.OPERATE, Application),
            "may_review": is_federation and application.state == ApplicationState.FILED,
            "may_finish_review": is_federation and application.state == ApplicationState.FILED,
            "may_grade": is_federation and application.state == ApplicationState.REVIEWED,
            "may_reward": is_federation and application.state == ApplicationState.GRADED,
            "may_export": actor.can(Action.EXPORT, Application),
            "self_rates": {k: percent(v) for k, v in self_rates.items()},
            "review_rates": {k: percent(v) for k, v in review_rates.items()},
            "verdict": _verdict_label(application) if application.state == ApplicationState.REVIEWED else None,
            "methods": Method.choices,
            "overdue": application.state == ApplicationState.DRAFT and today > application.round.deadline,
            "today": today,
        },
    )


def _verdict_label(application) -> str | None:
    verdict = application.verdict()
    return None if verdict is None else str(Grade(verdict.grade).label)


def _answers(request, items, prefix: str) -> dict[str, dict]:
    answers = {}
    for item in items:
        key = item.key
        raw_met = request.POST.get(f"{prefix}met-{key}")
        answer = {"note": request.POST.get(f"{prefix}note-{key}", "")}
        if raw_met in ("1", "0"):
            answer["met"] = raw_met == "1"
        if f"{prefix}number-{key}" in request.POST:
            answer["number"] = request.POST.get(f"{prefix}number-{key}", "").strip() or None
        if prefix == "r-":
            answer["methods"] = request.POST.getlist(f"r-methods-{key}")
        answers[key] = answer
    return answers


@require_POST
@staff_view
def self_check(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.UPDATE)

    def save():
        services.self_check_save(
            actor=actor,
            application=application,
            answers=_answers(request, application.items.all(), "s-"),
            self_report=request.POST.get("self_report", ""),
        )
        return SAVED

    return run_action(request, _back(application.pk), save)


@require_POST
@staff_view
def attachment_add(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.UPDATE)
    upload = request.FILES.get("file")

    def add():
        limit = 10 * 1024 * 1024 + 1
        data = upload.read(limit) if upload is not None else b""
        services.attachment_add(
            actor=actor,
            application=application,
            data=data,
            caption=request.POST.get("caption", ""),
            item_key=request.POST.get("item", ""),
        )
        return _("已上传")

    return run_action(request, _back(application.pk), add)


@staff_view
def attachment_file(request, attachment_id: int):
    """An attachment, for those who may read the application (404 outside the scope): the files
    live outside MEDIA_ROOT, this view is their only way out."""
    attachment = selectors.attachment_get(actor=request.actor, pk=attachment_id)
    content_type = mimetypes.guess_type(attachment.file.name)[0] or "application/octet-stream"
    response = FileResponse(attachment.file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_view
def application_file(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.OPERATE)

    def file():
        moved = services.application_file(actor=actor, application=application)
        return str(MOVED).format(state=moved.get_state_display())

    return run_action(request, _back(application.pk), file)


@require_POST
@staff_view
def application_transition(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.OPERATE)

    def move():
        moved = services.application_transition(
            actor=actor,
            application=application,
            to_state=request.POST.get("to_state", ""),
            reason=request.POST.get("reason", ""),
        )
        return str(MOVED).format(state=moved.get_state_display())

    return run_action(request, _back(application.pk), move)


@require_POST
@staff_view
def review(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.UPDATE)

    def save():
        ledger = None
        if request.POST.get("use_ledger") == "1":
            ledger = services.ledger_satisfaction_for(actor=actor, application=application)
        services.review_save(
            actor=actor,
            application=application,
            answers=_answers(request, application.items.all(), "r-"),
            questionnaire_responses=_int(request.POST.get("questionnaire_responses", ""), _("问卷样本数")),
            questionnaire_satisfied=_int(request.POST.get("questionnaire_satisfied", ""), _("问卷满意数")),
            ledger_satisfaction=ledger,
            summary=request.POST.get("summary", ""),
        )
        if request.POST.get("finish") == "1":
            services.application_transition(actor=actor, application=application, to_state=ApplicationState.REVIEWED)
            return str(MOVED).format(state=ApplicationState.REVIEWED.label)
        return SAVED

    return run_action(request, _back(application.pk), save)


@require_POST
@staff_view
def grade(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.OPERATE)

    def run():
        graded = services.application_grade(actor=actor, application=application)
        return str(GRADED).format(grade=graded.get_grade_display())

    return run_action(request, _back(application.pk), run)


@require_POST
@staff_view
def reward(request, application_id: int):
    actor = request.actor
    application = selectors.application_get(actor=actor, pk=application_id, action=Action.UPDATE)

    def save():
        raw = request.POST.get("amount", "").strip().replace(",", "")
        amount = None
        if raw:
            try:
                value = Decimal(raw)
            except InvalidOperation:
                raise ApplicationError(str(BAD_AMOUNT).format(label=_("奖励金额"))) from None
            if not value.is_finite() or value <= 0 or value.quantize(Decimal("0.01")) != value:
                raise ApplicationError(str(BAD_AMOUNT).format(label=_("奖励金额")))
            amount = int(value * 100)
        services.reward_record(
            actor=actor, application=application, reward=request.POST.get("reward", ""), amount_fen=amount
        )
        return SAVED

    return run_action(request, _back(application.pk), save)


def _download(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
    return response


@staff_view
def application_export(request, application_id: int, document: str, fmt: str):
    if fmt not in exports.FORMATS or document not in DOCUMENTS:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    application = selectors.application_get(actor=request.actor, pk=application_id, action=Action.EXPORT)
    with exports.in_chinese():
        sheet = exports.application_sheet(application) if document == "form" else exports.self_check_sheet(application)
        data = exports.render(sheet, fmt)
    return _download(data, fmt, f"{DOCUMENTS[document]}-{application.pk}")


@staff_view
def results_export(request, round_id: int, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    actor = request.actor
    acceptance_round = selectors.round_get(actor=actor, pk=round_id)
    if not actor.can(Action.EXPORT, Application):
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    with exports.in_chinese():
        results = selectors.acceptance_results(acceptance_round.unit, acceptance_round.year, actor=actor)
        data = exports.render(exports.results_sheet(acceptance_round, results), fmt)
    return _download(data, fmt, f"验收结果-{acceptance_round.year}")


# ------------------------------------------------------------------ model centres


@staff_view
def model_centre_list(request):
    """The model centres of a year and the units still owing one (flagged)."""
    actor = request.actor
    year = _pk(request.GET.get("year", "")) or timezone.localdate().year
    if request.method == "POST":
        centre = Position.objects.restrict(actor).filter(pk=_pk(request.POST.get("centre", ""))).first()
        if centre is None:
            raise Http404(OUT_OF_SCOPE_MESSAGE)
        unit = org_selectors.unit_get(actor=actor, pk=_pk(request.POST.get("unit", "")))
        try:
            year = _int(request.POST.get("year", ""), _("年度"), required=True)
            services.model_centre_designate(
                actor=actor, unit=unit, centre=centre, year=year, note=request.POST.get("note", "")
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, SAVED)
        return redirect(f"{_list_url()}models/?year={year}")
    owing = selectors.units_owing_model_centre(actor=actor, year=year)
    return render(
        request,
        "centres/model_centre_list.html",
        {
            "year": year,
            "models": selectors.model_centre_list(actor=actor, year=year),
            "owing": owing,
            "may_create": actor.can(Action.CREATE, ModelCentre),
            "units": org_selectors.unit_list(actor=actor)[:200],
            "centres": Position.objects.restrict(actor).filter(kind="centre").select_related("unit")[:200],
        },
    )
