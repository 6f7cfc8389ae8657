"""The worker side of a job: `job_run(job_id)`, what the queued task calls in whichever worker
takes it (the database backend's `db_worker`, an RQ worker).

1. Claim: queued → running with a conditional UPDATE, so a job delivered twice runs once and a job
   cancelled before it started does not run.
2. Run the kind's function as the starter (their membership's role and unit; audit entries in
   their name), with a `Progress` reporter. A heartbeat thread writes, every
   YIZHAN_JOBS_HEARTBEAT_SECONDS on its own database connection, the time and the latest progress:
   the job's own connection may be inside its transaction, where nothing it writes is seen before
   the end. `check_cancelled()` reads the flag on the job's connection: under READ COMMITTED
   (PostgreSQL) each query sees what was committed before it, and on SQLite nobody else can have
   committed while the job holds the write lock.
3. End: succeeded (result data and file stored), failed (the reason) or cancelled. For an atomic
   kind that final move is written inside the job's own transaction, after its writes (or after
   rolling them back to a savepoint): the result and the writes commit together, and no sweeper can
   slip in between. The move is conditional on the job still running; if a sweeper declared it lost
   meanwhile, the job's writes are rolled back too.

A worker that dies mid-job (killed, machine lost) leaves the job running with a heartbeat that
stops; `services.jobs_sweep` marks it failed with the reason. Its transaction died with its
connection, so nothing it wrote remains.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_context, to_jsonable
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import JobKind, JobResult, job_kind
from yizhan.core.scoping import Actor

logger = logging.getLogger(__name__)

CANCELLED_MESSAGE = _("已按请求取消，未写入任何数据")
UNEXPECTED = _("任务出错：{error}。未写入任何数据，可以重新运行。")
UNKNOWN_KIND = _("没有这种任务：{kind}（提供它的模块未加载）")
OWNER_GONE = _("发起人的账号已停用或已不再担任发起时的角色，任务未运行")
WORKER_STOPPED = _("后台进程在任务运行时被停止（{reason}）；未写入任何数据，可以重新运行。")
SUPERSEDED = "job {job_id} was finished by someone else while it ran; its writes are rolled back"

# The least time between two cancellation checks of one job (each is one small query).
CHECK_SECONDS = 0.25


class Cancelled(BaseException):  # noqa: N818 (it is not an error: a requested stop)
    """Raised inside a job whose cancellation was asked for. A BaseException, like
    KeyboardInterrupt, so that a job's own `except Exception` cannot swallow it."""


class _Superseded(Exception):
    pass


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:150]


class Progress:
    """What a running job reports through: `report(done, total, message)` records how far it got
    (written to the job by the heartbeat) and stops a cancelled job; `check_cancelled()` only
    stops it. Both raise `Cancelled`, and ask the database at most every CHECK_SECONDS."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self._lock = threading.Lock()
        self._latest: tuple[int, int, int | None, str] = (job.progress, job.done, job.total, job.message)
        self._sent: tuple | None = None
        self._checked = 0.0

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        done = max(0, int(done))
        with self._lock:
            percent = self._latest[0]
            if total:
                percent = max(0, min(100, done * 100 // int(total)))
            self._latest = (percent, done, int(total) if total else None, str(message)[:255])
        self.check_cancelled()

    def check_cancelled(self) -> None:
        now = time.monotonic()
        if now - self._checked < CHECK_SECONDS:
            return
        self._checked = now
        if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise Cancelled

    def latest(self) -> dict | None:
        """The progress not written yet (None when the last one was)."""
        with self._lock:
            if self._latest == self._sent:
                return None
            self._sent = self._latest
            progress, done, total, message = self._latest
        return {"progress": progress, "done": done, "total": total, "message": message}


class Heartbeat:
    """A thread that writes the job's heartbeat and latest progress every interval, on its own
    connection, while the job runs. A write that finds the database locked (SQLite, while an atomic
    job holds its write lock) is simply tried again at the next beat."""

    def __init__(self, job: Job, progress: Progress):
        self.job_id = job.pk
        self.progress = progress
        self.interval = settings.YIZHAN_JOBS_HEARTBEAT_SECONDS
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job.pk}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        # Not waited for longer: a beat blocked by a lock ends by itself, and writes nothing once
        # the job has left the running state.
        self._thread.join(timeout=self.interval * 2)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
        fields.update(self.progress.latest() or {})
        try:
            Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(**fields)
        except DatabaseError as error:
            logger.debug("job %s: heartbeat not written (%s)", self.job_id, error)


@dataclass(frozen=True)
class Outcome:
    state: str
    result: JobResult | None = None
    error: str = ""
    message: str = ""


def job_run(job_id: int) -> str:
    """Run the job `job_id` here (see the module docstring). Returns the state it ended in, or
    "skipped" when it was not waiting to run (already run, cancelled, unknown)."""
    with translation.override(settings.LANGUAGE_CODE):  # stored messages in the platform's language
        job = _claim(job_id)
        if job is None:
            return "skipped"
        try:
            return _execute(job)
        except (KeyboardInterrupt, SystemExit) as stop:
            # A worker told to stop at once (a second Ctrl-C, SIGTERM after a warm shutdown).
            reason = type(stop).__name__
            _finish_after_crash(job, str(WORKER_STOPPED.format(reason=reason)))
            raise
        except Exception as error:  # noqa: BLE001 — the job must end with its reason, whatever broke
            logger.exception("job %s: the runner itself failed", job_id)
            _finish_after_crash(job, str(UNEXPECTED.format(error=_describe(error))))
            return JobState.FAILED


def _claim(job_id: int) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
    )
    return Job.objects.filter(pk=job_id).first() if claimed else None


def _execute(job: Job) -> str:
    kind = job_kind(job.kind)
    if kind is None:
        return _finish_simple(job, Outcome(JobState.FAILED, error=str(UNKNOWN_KIND.format(kind=job.kind))))
    actor = _actor_of(job)
    if actor is None:
        return _finish_simple(job, Outcome(JobState.FAILED, error=str(OWNER_GONE)))
    job.actor = actor
    progress = Progress(job)
    with (
        Heartbeat(job, progress),
        audit_context(
            actor_id=actor.user.pk,
            actor_name=f"后台任务:{actor.user.get_username()}",
            unit_path=actor.unit.path,
            unit_name=actor.unit.name,
            remote_addr=job.remote_addr,
        ),
    ):
        try:
            with transaction.atomic() if kind.atomic else nullcontext():
                outcome = _attempt(kind, job, progress)
                _finish(job, outcome)
        except _Superseded:
            logger.warning(SUPERSEDED.format(job_id=job.pk))
            return "superseded"
    return outcome.state


def _attempt(kind: JobKind, job: Job, progress: Progress) -> Outcome:
    """Run the kind's function; its writes are kept only when it succeeds."""
    try:
        with transaction.atomic() if kind.atomic else nullcontext():
            value = kind.run(job, progress)
    except Cancelled:
        return Outcome(JobState.CANCELLED, message=str(CANCELLED_MESSAGE))
    except ApplicationError as error:
        return Outcome(JobState.FAILED, error=error.message)
    except Exception as error:  # noqa: BLE001 — the reason goes to the job, the traceback to the log
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return Outcome(JobState.FAILED, error=str(UNEXPECTED.format(error=_describe(error))))
    if isinstance(value, JobResult):
        result = value
    else:
        result = JobResult(data=value)
    return Outcome(JobState.SUCCEEDED, result=result)


def _finish(job: Job, outcome: Outcome) -> None:
    """Write how the job ended, if it is still running (inside the job's transaction when there is one)."""
    fields: dict[str, Any] = {
        "state": outcome.state,
        "finished_at": timezone.now(),
        "error": outcome.error,
        "cancel_requested": False,
    }
    if outcome.message:
        fields["message"] = outcome.message
    saved_file = ""
    if outcome.state == JobState.SUCCEEDED:
        result = outcome.result or JobResult()
        fields["progress"] = 100
        fields["result"] = to_jsonable(result.data) if result.data is not None else None
        if result.content is not None:
            name = result.filename or f"job-{job.pk}"
            saved_file = job.result_file.storage.save(
                job.result_file.field.generate_filename(job, name), ContentFile(result.content)
            )
            fields["result_file"] = saved_file
            fields["result_filename"] = name
    updated = Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(**fields)
    if not updated:
        if saved_file:
            job.result_file.storage.delete(saved_file)
        raise _Superseded


def _finish_simple(job: Job, outcome: Outcome) -> str:
    try:
        _finish(job, outcome)
    except _Superseded:
        return "superseded"
    return outcome.state


def _finish_after_crash(job: Job, error: str) -> None:
    """Best effort, on a fresh connection (the old one may be what failed)."""
    try:
        connection.close()
        close_old_connections()
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
            state=JobState.FAILED, finished_at=timezone.now(), error=error, cancel_requested=False
        )
    except Exception:  # noqa: BLE001 — the sweeper will mark it failed when its heartbeat stops
        logger.exception("job %s: could not record the failure", job.pk)


def _actor_of(job: Job) -> Actor | None:
    """The starter acting through the membership the job was started with; None when the account
    is inactive or no longer holds it. (`memberships` is the accounts app's relation to a user;
    core/commands.py reads it the same way.)"""
    user = job.owner
    if user is None or not user.is_active:
        return None
    membership = user.memberships.select_related("unit").filter(pk=job.membership_id).first()
    if membership is None:
        return None
    return Actor(user=user, membership=membership)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}"[:500] if text else type(error).__name__
