"""/api/v1/jobs: background jobs — start one, follow its progress, cancel it, run a failed one
again, download its result file. A job outside the caller's sight answers 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from yizhan.core.errors import NotFoundError
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.selectors import job_list
from yizhan.core.jobs.services import job_cancel, job_current, job_rerun, job_start
from yizhan.core.pagination import BoundedPagination
from yizhan.core.scoping import OUT_OF_SCOPE_MESSAGE

router = Router(tags=["jobs"])


class JobIn(Schema):
    kind: str = Field(..., description="任务类型，如 core.audit_verify")
    params: dict[str, Any] = Field(default_factory=dict, description="任务参数（由任务类型规定）")


class JobOut(Schema):
    id: int
    kind: str
    kind_label: str
    state: str = Field(..., description="queued、running、succeeded、failed 或 cancelled")
    state_label: str
    progress: int = Field(..., description="进度百分比 0–100")
    done: int
    total: int | None
    message: str
    cancel_requested: bool
    result: dict | None
    summary: str
    result_filename: str
    result_url: str | None = Field(None, description="结果文件的下载地址")
    error: str = Field(..., description="失败原因")
    owner_name: str
    unit_name: str
    rerun_of: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    page_url: str

    @staticmethod
    def resolve_state_label(job: Job) -> str:
        return job.get_state_display()

    @staticmethod
    def resolve_rerun_of(job: Job) -> int | None:
        return job.rerun_of_id

    @staticmethod
    def resolve_result_url(job: Job) -> str | None:
        return reverse("api:job_file", kwargs={"job_id": job.pk}) if job.result_file else None

    @staticmethod
    def resolve_page_url(job: Job) -> str:
        return reverse("jobs:detail", kwargs={"job_id": job.pk})


@router.get("", response=list[JobOut], summary="List the jobs the caller sees")
@paginate(BoundedPagination)
def jobs(request, state: str = "", kind: str = "", mine: bool = False):
    return job_list(actor=request.actor, state=state, kind=kind, mine=mine)


@router.post("", response={201: JobOut}, summary="Start a job")
def jobs_start(request, payload: JobIn):
    return Status(201, job_start(actor=request.actor, kind=payload.kind, params=payload.params))


@router.get("/{int:job_id}", response=JobOut, summary="A job: state, progress, result or failure reason")
def job_detail(request, job_id: int):
    return job_current(actor=request.actor, job_id=job_id)


@router.post("/{int:job_id}/cancel", response=JobOut, summary="Cancel a queued or running job")
def job_cancel_endpoint(request, job_id: int):
    return job_cancel(actor=request.actor, job_id=job_id)


@router.post("/{int:job_id}/rerun", response={201: JobOut}, summary="Run a failed or cancelled job again")
def job_rerun_endpoint(request, job_id: int):
    return Status(201, job_rerun(actor=request.actor, job_id=job_id))


@router.get("/{int:job_id}/file", url_name="job_file", summary="Download a job's result file")
def job_file(request, job_id: int):
    job = job_current(actor=request.actor, job_id=job_id)
    if not job.result_file:
        raise NotFoundError(OUT_OF_SCOPE_MESSAGE)
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_filename)
