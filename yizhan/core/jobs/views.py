"""Staff pages of background jobs: 我的任务 (the jobs the actor sees, and the kinds they may start
without parameters), a job's page with its progress bar (static/yizhan/js/jobs.js polls the API
while it runs), the cancel and run-again buttons, the result or the failure reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import job_kinds
from yizhan.core.jobs.selectors import job_list
from yizhan.core.jobs.services import job_cancel, job_current, job_rerun, job_start
from yizhan.core.roles import Action
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE
from yizhan.core.views_helpers import staff_view

STARTED = _("已开始任务 #{id}：{label}")
CANCEL_ASKED = _("已请求取消任务 #{id}")
RERUN_STARTED = _("已重新运行为任务 #{id}")


def _offered_kinds(actor) -> list:
    """The kinds without parameters the actor's role may start (buttons on the list)."""
    if not actor.can(Action.CREATE, Job):
        return []
    return [kind for kind in job_kinds() if kind.offered and actor.can(*kind.permission)]


@staff_view
def job_list_page(request):
    actor = request.actor
    mine = request.GET.get("mine") == "1"
    state = request.GET.get("state", "")
    jobs = job_list(actor=actor, state=state if state in JobState.values else "", mine=mine)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/jobs/job_list.html",
        {"page": page, "mine": mine, "state": state, "states": JobState.choices, "kinds": _offered_kinds(actor)},
    )


@staff_view
@require_POST
def job_start_page(request):
    try:
        job = job_start(actor=request.actor, kind=request.POST.get("kind", ""))
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("jobs:list")
    messages.success(request, STARTED.format(id=job.pk, label=job.kind_label))
    return redirect("jobs:detail", job_id=job.pk)


@staff_view
def job_detail_page(request, job_id: int):
    job = job_current(actor=request.actor, job_id=job_id)
    return render(
        request,
        "core/jobs/job_detail.html",
        {
            "job": job,
            "api_url": reverse("api:job_detail", kwargs={"job_id": job.pk}),
            "may_operate": request.actor.can(Action.OPERATE, Job),
            "may_rerun": request.actor.can(Action.CREATE, Job),
        },
    )


@staff_view
@require_POST
def job_cancel_page(request, job_id: int):
    try:
        job = job_cancel(actor=request.actor, job_id=job_id)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, CANCEL_ASKED.format(id=job.pk))
    return redirect("jobs:detail", job_id=job_id)


@staff_view
@require_POST
def job_rerun_page(request, job_id: int):
    try:
        job = job_rerun(actor=request.actor, job_id=job_id)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("jobs:detail", job_id=job_id)
    messages.success(request, RERUN_STARTED.format(id=job.pk))
    return redirect("jobs:detail", job_id=job.pk)


@staff_view
def job_file_page(request, job_id: int):
    job = job_current(actor=request.actor, job_id=job_id)
    if not job.result_file:
        raise Http404(OUT_OF_SCOPE_MESSAGE)
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_filename)
