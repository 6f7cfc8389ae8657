"""Jobs from the command line: a command starts a job (`start_and_follow`) and shows a progress
bar in the terminal until it ends, or with --no-wait prints its number and leaves it to the
workers. Ctrl-C while following asks the job to stop.

On a terminal the bar is redrawn in place; into a pipe or a file, one line per step of progress,
so a log shows how the job went."""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.services import job_cancel, job_is_stale, job_start, jobs_sweep
from yizhan.core.scoping import Actor

POLL_SECONDS = 0.5
BAR_WIDTH = 30
# After this long still queued, say that a worker must be running.
NO_WORKER_HINT_SECONDS = 10


def start_and_follow(*, actor: Actor, kind: str, params: dict, stdout, wait: bool = True) -> Job:
    """Start the job and, unless `wait` is off, follow it to its end (see `follow`)."""
    job = job_start(actor=actor, kind=kind, params=params)
    if not wait:
        stdout.write(str(job.pk))
        return job
    stdout.write(_("任务 #%(id)s 已加入队列：%(label)s") % {"id": job.pk, "label": job.kind_label})
    return follow(job_id=job.pk, actor=actor, stdout=stdout)


def follow(*, job_id: int, actor: Actor, stdout, poll: float = POLL_SECONDS) -> Job:
    """Show the job's progress until it ends. Returns the succeeded job; CommandError (exit 1) with
    the reason when it failed or was cancelled."""
    interactive = _is_terminal(stdout)
    shown = None
    waited_since = time.monotonic()
    hinted = False
    try:
        while True:
            job = Job.objects.get(pk=job_id)
            if job_is_stale(job):
                jobs_sweep()
                continue
            line = _line(job)
            if line != shown:
                _draw(stdout, line, interactive)
                shown = line
            if job.finished:
                break
            if job.state == JobState.QUEUED and not hinted and time.monotonic() - waited_since > NO_WORKER_HINT_SECONDS:
                _newline(stdout, interactive)
                stdout.write(_("仍在排队：请确认有后台进程在运行（yizhan jobs-worker）"))
                shown, hinted = None, True
            time.sleep(poll)
    except KeyboardInterrupt:
        _newline(stdout, interactive)
        job = job_cancel(actor=actor, job_id=job_id)
        stdout.write(_("已请求取消任务 #%(id)s") % {"id": job_id})
        raise CommandError(_("已中断")) from None
    _newline(stdout, interactive)
    if job.state == JobState.SUCCEEDED:
        stdout.write(_("任务 #%(id)s 已完成") % {"id": job.pk} + (f"：{job.summary}" if job.summary else ""))
        if job.result_file:
            stdout.write(
                _("结果文件：%(name)s（%(path)s）") % {"name": job.result_filename, "path": job.result_file.name}
            )
        return job
    reason = job.error or job.message or job.get_state_display()
    raise CommandError(
        _("任务 #%(id)s %(state)s：%(reason)s") % {"id": job.pk, "state": job.get_state_display(), "reason": reason}
    )


def _line(job: Job) -> str:
    filled = BAR_WIDTH * job.progress // 100
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    text = job.get_state_display() if job.finished or not job.message else job.message
    return f"[{bar}] {job.progress:3d}% {text}"


def _is_terminal(stdout) -> bool:
    return bool(getattr(stdout, "isatty", lambda: False)())


def _draw(stdout, line: str, interactive: bool) -> None:
    if interactive:
        stdout.write("\r\x1b[2K" + line, ending="")
        stdout.flush()
    else:
        stdout.write(line)


def _newline(stdout, interactive: bool) -> None:
    if interactive:
        stdout.write("")
