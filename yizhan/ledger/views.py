"""Staff pages of feedback: a scoped, read-only list and detail. Phones are masked; a role that
replies to feedback reveals one with a button, which is audited (spec §11). The submitters' page
answers a person's request for a copy or the deletion of their data (PIPL art. 45, 47)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Action
from yizhan.core.scoping import require
from yizhan.core.views_helpers import staff_view
from yizhan.ledger import selectors, services
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import Feedback

PER_PAGE = 50
ERASED = _("已删除该提交人的个人信息：{count} 条意见的联系电话与内容已清除，评分保留")
ERASE_UNCONFIRMED = _("请勾选确认后再删除")


@staff_view
def feedback_list(request):
    status = request.GET.get("status", "")
    feedback = selectors.feedback_list(actor=request.actor, status=status)
    page = Paginator(feedback, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/feedback_list.html",
        {
            "page": page,
            "statuses": FeedbackStatus.choices,
            "status": status,
            "can_answer_requests": request.actor.can(Action.EXPORT, Feedback),
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
    return render(
        request,
        "ledger/feedback_detail.html",
        {"feedback": feedback, "phone": phone, "can_reveal": actor.can(Action.UPDATE, Feedback)},
    )


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
