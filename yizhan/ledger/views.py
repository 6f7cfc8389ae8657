"""Staff pages of feedback: a scoped list and detail. Phones are masked; a role that replies to
feedback reveals one with a button, which is audited (spec §11), and handles it: marks it read,
resolves it with a note, reopens it (`choices.FEEDBACK_HANDLING`). The submitters' page answers a
person's request for a copy or the deletion of their data (PIPL art. 45, 47)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import require
from yizhan.core.views_helpers import add_refusal, staff_view
from yizhan.ledger import selectors, services
from yizhan.ledger.choices import FEEDBACK_HANDLING, FeedbackStatus
from yizhan.ledger.forms import FeedbackRecordForm, FeedbackTransitionForm
from yizhan.ledger.models import Feedback
from yizhan.orgs import selectors as org_selectors

PER_PAGE = 50
ERASED = _("已删除该提交人的个人信息：{count} 条意见的联系电话与内容已清除，评分保留")
ERASE_UNCONFIRMED = _("请勾选确认后再删除")
HANDLED = _("意见 #{id} 已变为“{status}”")
HIDDEN = _("内容已隐藏，原文保留在审计日志中")
SHOWN = _("内容已恢复显示")
RECORDED = _("已录入意见 #{id}")


@staff_view
def feedback_list(request):
    status = request.GET.get("status", "")
    position = request.GET.get("position", "")
    position_id = int(position) if position.isdecimal() and len(position) < 10 else None
    unit = request.GET.get("unit", "")
    unit = org_selectors.unit_get(actor=request.actor, pk=int(unit)) if unit.isdecimal() and len(unit) < 10 else None
    feedback = selectors.feedback_list(
        actor=request.actor,
        status=status,
        position_id=position_id,
        unit=unit,
        date_from=_date(request.GET.get("from")),
        date_to=_date(request.GET.get("to")),
        rated=request.GET.get("rated") == "1",
    )
    page = Paginator(feedback, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/feedback_list.html",
        {
            "page": page,
            "statuses": FeedbackStatus.choices,
            "status": status,
            "can_answer_requests": request.actor.can(Action.EXPORT, Feedback),
            "can_record": request.actor.can(Action.CREATE, Feedback),
            "satisfaction": selectors.satisfaction(actor=request.actor, position_id=position_id),
            # The list offers the one move that needs no note; the rest is on the detail page.
            "can_mark_read": request.actor.can(Action.UPDATE, Feedback),
            "new": FeedbackStatus.NEW,
            "read": FeedbackStatus.READ,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_view
def feedback_detail(request, pk: int):
    """GET shows the feedback with the phone masked; POST (the reveal button) shows it in full."""
    actor = request.actor
    phone = None
    if request.method == "POST":
        feedback = selectors.feedback_get(actor=actor, pk=pk, action=Action.UPDATE)
        phone = services.feedback_phone_reveal(actor=actor, feedback=feedback)
    else:
        feedback = selectors.feedback_get(actor=actor, pk=pk)
    return _detail(request, feedback, phone=phone)


def _detail(
    request,
    feedback: Feedback,
    *,
    phone: str | None = None,
    form: FeedbackTransitionForm | None = None,
    moderation_error: str = "",
):
    actor = request.actor
    moves = FEEDBACK_HANDLING.available_transitions(actor, feedback)
    return render(
        request,
        "ledger/feedback_detail.html",
        {
            "feedback": feedback,
            "phone": phone,
            "can_reveal": services.may_reveal_phone(actor, feedback),
            "can_moderate": actor.can(Action.UPDATE, Feedback),
            "moderation_error": moderation_error,
            "moves": [(move.target, FEEDBACK_HANDLING.move_label(move)) for move in moves],
            "transition_form": form or (FeedbackTransitionForm() if moves else None),
            "history": selectors.feedback_history(actor=actor, feedback=feedback),
        },
    )


@require_POST
@staff_view
def feedback_transition(request, pk: int):
    """Handle a feedback (the detail page's buttons, the list's 标记已读): back to where it was
    handled from, or the detail page with the refusal next to the field."""
    actor = request.actor
    feedback = selectors.feedback_get(actor=actor, pk=pk, action=Action.UPDATE)
    form = FeedbackTransitionForm(request.POST)
    if form.is_valid():
        try:
            feedback = services.feedback_transition(actor=actor, feedback=feedback, **form.cleaned_data)
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, HANDLED.format(id=feedback.pk, status=feedback.get_status_display()))
            return redirect(_safe_next(request, reverse("ledger:feedback_detail", args=[feedback.pk])))
    return _detail(request, feedback, form=form)


@require_POST
@staff_view
def feedback_moderate(request, pk: int):
    """Hide a feedback's text (with the reason) or show it again, from its page."""
    actor = request.actor
    feedback = selectors.feedback_get(actor=actor, pk=pk, action=Action.UPDATE)
    hidden = request.POST.get("hidden") == "1"
    try:
        feedback = services.feedback_moderate(
            actor=actor, feedback=feedback, hidden=hidden, reason=request.POST.get("reason", "")
        )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        return _detail(request, feedback, moderation_error=error.message)
    messages.success(request, HIDDEN if feedback.hidden else SHOWN)
    return redirect("ledger:feedback_detail", pk=feedback.pk)


@require_http_methods(["GET", "POST"])
@staff_view
def feedback_create(request):
    """Type in feedback from a suggestion box, a register or a questionnaire, for a position in
    scope (?position=<id> preselects it, as the position page's link does)."""
    actor = request.actor
    require(actor, Action.CREATE, Feedback)
    form = FeedbackRecordForm(request.POST or None, actor=actor, initial={"position": request.GET.get("position")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_record(
                actor=actor,
                position=data["position"],
                source=data["source"],
                rating=data["rating"],
                text=data["text"],
                phone=data["phone"],
            )
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, RECORDED.format(id=feedback.pk))
            return redirect("ledger:feedback_detail", pk=feedback.pk)
    return render(request, "ledger/feedback_form.html", {"form": form})


def _date(text):
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
@staff_view
def feedback_subject(request):
    """A submitter's request, by the phone they gave: POST `find` lists their feedback in scope,
    `export` downloads it as JSON, `erase` (confirmed) anonymises it. The phone travels in POST
    bodies only, so it never reaches an access log's request line."""
    actor = request.actor
    require(actor, Action.EXPORT, Feedback)
    context = {"phone": "", "feedback": None, "can_erase": actor.can(Action.DELETE, Feedback)}
    if request.method == "POST":
        phone = request.POST.get("phone", "")
        context["phone"] = phone.strip()[:40]
        step = request.POST.get("step", "find")
        try:
            if step == "export":
                export = services.feedback_subject_export(actor=actor, phone=phone)
                response = HttpResponse(export.content, content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
                return response
            if step == "erase":
                if request.POST.get("confirm") != "yes":
                    raise ApplicationError(ERASE_UNCONFIRMED, field="confirm")
                count = services.feedback_subject_erase(actor=actor, phone=phone)
                messages.success(request, ERASED.format(count=count))
                return redirect("ledger:feedback_subject")
            context["feedback"] = list(
                selectors.feedback_of_submitter(actor=actor, phone=services.subject_phone(phone))
            )
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            context["error"] = error.message
    return render(request, "ledger/feedback_subject.html", context)
