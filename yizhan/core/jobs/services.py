"""Starting, cancelling and re-running jobs, and failing the ones whose worker was lost."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import current_context
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import job_kind
from yizhan.core.jobs.selectors import job_get
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require

logger = logging.getLogger(__name__)

UNKNOWN_KIND = _("没有这种任务：{kind}")
NO_PARAMS = _("这种任务不需要参数")
PARAMS_NOT_AN_OBJECT = _("任务参数须是一个对象（键和值）")
NOT_CANCELLABLE = _("任务已经{state}，无法取消")
NOT_RERUNNABLE = _("只有失败或已取消的任务可以重新运行（该任务{state}）")
CANCELLED_BEFORE_START = _("开始前已按请求取消")
CANCEL_REQUESTED = _("已请求取消，正在停止……")
DATABASE_BUSY = _("数据库正忙（SQLite 上一个写入数据的任务运行时独占数据库），请等该任务结束后再试")
ENQUEUE_FAILED = _("无法加入任务队列（{error}），任务未运行，可以重新运行")
WORKER_LOST = _(
    "处理该任务的后台进程已停止（超过 {seconds} 秒没有心跳：进程被终止或所在机器重启）。"
    "任务未完成，未写入任何数据，可以重新运行。"
)


def stored(message) -> str:
    """A message as stored on the job: in the platform's language, whoever's request wrote it."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


# How long a sweep or a cancel waits for SQLite's write lock before giving up (milliseconds).
SQLITE_LOCK_WAIT_MS = 200


@contextmanager
def briefly_waiting_for_locks() -> Iterator[None]:
    """On SQLite, wait only SQLITE_LOCK_WAIT_MS for the database's one write lock (instead of the
    connection's 20 s): a job whose kind is atomic holds it for its whole run, and a page showing
    that job must not hang on it (OperationalError then, which the callers answer for)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    waited = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_LOCK_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {waited}")


def job_start(*, actor: Actor, kind: str, params: dict | None = None, rerun_of: Job | None = None) -> Job:
    """Create a job of `kind` for the actor's unit and enqueue it once the transaction commits
    (a worker never sees a job that is not stored, and a start that is rolled back enqueues
    nothing). Refuses a role that may not start jobs or may not do what the kind does (403), an
    unknown kind and parameters the kind refuses (ApplicationError)."""
    require(actor, Action.CREATE, Job)
    job_kind_ = job_kind(kind)
    if job_kind_ is None:
        raise ApplicationError(UNKNOWN_KIND.format(kind=kind), field="kind")
    require(actor, *job_kind_.permission)
    params = params if params is not None else {}
    if not isinstance(params, dict):
        raise ApplicationError(PARAMS_NOT_AN_OBJECT, field="params")
    if job_kind_.check_params is not None:
        params = job_kind_.check_params(actor, params)
    elif params:
        raise ApplicationError(NO_PARAMS, field="params")
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            params=params,
            owner=actor.user,
            owner_name=actor.user.get_username(),
            membership_id=actor.membership.pk,
            unit_path=actor.unit.path,
            unit_name=actor.unit.name,
            remote_addr=current_context().remote_addr,
            rerun_of=rerun_of,
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        from yizhan.core.jobs.tasks import run_job

        result = run_job.enqueue(job_id)
    except Exception as error:  # noqa: BLE001 — a queue that is down fails the job with the reason
        logger.exception("job %s could not be enqueued", job_id)
        Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.FAILED, finished_at=timezone.now(), error=stored(ENQUEUE_FAILED).format(error=error)
        )
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def job_cancel(*, actor: Actor, job_id: int) -> Job:
    """Cancel a job: one still queued ends at once; a running one is asked to stop (it stops at its
    next progress report or check, its writes rolled back). A finished job is refused."""
    job = get_for_actor(Job.objects, actor, Action.OPERATE, pk=job_id)
    try:
        with briefly_waiting_for_locks():
            return _cancel(job)
    except OperationalError as error:
        raise ApplicationError(DATABASE_BUSY) from error


def _cancel(job: Job) -> Job:
    for _attempt in range(3):  # the job may move between the read and the write
        now = timezone.now()
        if job.state == JobState.QUEUED:
            done = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
                state=JobState.CANCELLED, finished_at=now, message=stored(CANCELLED_BEFORE_START)
            )
        elif job.state == JobState.RUNNING:
            done = Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
                cancel_requested=True, message=stored(CANCEL_REQUESTED)
            )
        else:
            raise ApplicationError(NOT_CANCELLABLE.format(state=job.get_state_display()))
        job = Job.objects.get(pk=job.pk)
        if done:
            return job
    return job


def job_rerun(*, actor: Actor, job_id: int) -> Job:
    """A new job of the same kind and parameters, started by the actor (their permissions and
    unit), linked to the failed or cancelled one it repeats. The old job keeps its reason."""
    job = get_for_actor(Job.objects, actor, Action.CREATE, pk=job_id)
    if not job.rerunnable:
        raise ApplicationError(NOT_RERUNNABLE.format(state=job.get_state_display()))
    return job_start(actor=actor, kind=job.kind, params=job.params, rerun_of=job)


def jobs_sweep(*, now=None) -> int:
    """Fail the running jobs whose heartbeat stopped more than YIZHAN_JOBS_STALE_SECONDS ago (their
    worker was killed or its machine lost), with the reason; returns how many. Run by every worker
    now and then, and by the pages and the API when they show such a job."""
    now = now or timezone.now()
    seconds = settings.YIZHAN_JOBS_STALE_SECONDS
    stale = Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=now - timedelta(seconds=seconds))
    try:
        with briefly_waiting_for_locks():
            return _fail_lost(stale, now, seconds)
    except OperationalError:
        # SQLite's write lock is held: by an atomic job, whose heartbeat cannot be written meanwhile
        # (it is alive, or its worker's death would have released the lock). Next time.
        return 0


def _fail_lost(stale, now, seconds: int) -> int:
    return stale.update(
        state=JobState.FAILED,
        finished_at=now,
        cancel_requested=False,
        error=stored(WORKER_LOST).format(seconds=seconds),
    )


def job_is_stale(job: Job, *, now=None) -> bool:
    """Whether a running job's heartbeat stopped (what `jobs_sweep` fails)."""
    if job.state != JobState.RUNNING or job.heartbeat_at is None:
        return False
    return job.heartbeat_at < (now or timezone.now()) - timedelta(seconds=settings.YIZHAN_JOBS_STALE_SECONDS)


def job_current(*, actor: Actor, job_id: int) -> Job:
    """The job as the actor may see it (NotFoundError otherwise); a running job whose worker was
    lost is failed first, so whoever looks at it learns why it stopped."""
    job = job_get(actor=actor, job_id=job_id)
    if job_is_stale(job):
        jobs_sweep()
        job = job_get(actor=actor, job_id=job_id)
    return job
