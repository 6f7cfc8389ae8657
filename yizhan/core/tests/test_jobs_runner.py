"""The job runner and services in this process (core/jobs): progress written while a job runs,
a cancel half-way leaving nothing written, failures with their reason, a lost worker's job failed
by the sweeper and run again, results stored. The same jobs through real workers on both backends:
yizhan/tests/core/test_jobs_workers.py."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from yizhan.core.audit import audit_record
from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.jobs import runner, services
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.kinds import AUDIT_VERIFY
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import JobKind, JobResult, register_job_kind, unregister_job_kind
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Action, Role

STEP = "jobs_unit.step"


def _steps(job: Job) -> int:
    return AuditEntry.objects.filter(object_type=STEP, object_id__startswith=f"{job.pk}-").count()


def _write_steps(job: Job, progress, n: int, *, then=None) -> JobResult:
    for step in range(1, n + 1):
        audit_record(action=AuditAction.UPDATE, object_type=STEP, object_id=f"{job.pk}-{step}")
        if then is not None:
            then(job, step)
        progress.report(step, n, f"第 {step} 步")
    return JobResult(data={"written": n}, content=b"a,b\n1,2\n", filename="out.csv")


class Hooks:
    """What the test kinds call at each step, set per test."""

    at_step = None


def _kind_writes(job, progress):
    return _write_steps(job, progress, int(job.params.get("n", 6)), then=Hooks.at_step)


def _kind_fails(job, progress):
    audit_record(action=AuditAction.UPDATE, object_type=STEP, object_id=f"{job.pk}-1")
    raise ValueError("磁盘已满")


def _kind_refuses(job, progress):
    raise ApplicationError("区域内没有需求数据")


def _kind_reads(job, progress):
    n = int(job.params.get("n", 4))
    seen = []
    for step in range(1, n + 1):
        progress.report(step, n, f"已读 {step}")
        if Hooks.at_step is not None:
            seen.append(Hooks.at_step(job, step))
    return {"seen": seen}


KINDS = [
    JobKind("unit.writes", "写入", _kind_writes, (Action.CREATE, "core.job"), check_params=lambda a, p: p),
    JobKind("unit.fails", "出错", _kind_fails, (Action.CREATE, "core.job")),
    JobKind("unit.refuses", "拒绝", _kind_refuses, (Action.CREATE, "core.job")),
    JobKind("unit.reads", "只读", _kind_reads, (Action.CREATE, "core.job"), atomic=False, check_params=lambda a, p: p),
]


@pytest.fixture(autouse=True)
def kinds(settings, monkeypatch):
    settings.YIZHAN_JOBS_HEARTBEAT_SECONDS = 0.05
    # Whatever REDIS_URL the shell has: these jobs are run here, the queue is the database's.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.YIZHAN_JOBS_QUEUE = "default"
    monkeypatch.setattr(runner, "CHECK_SECONDS", 0)  # every report asks whether to stop
    for kind in KINDS:
        register_job_kind(kind)
    Hooks.at_step = None
    yield
    Hooks.at_step = None
    for kind in KINDS:
        unregister_job_kind(kind.name)


@pytest.fixture
def admin(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


def _start(actor, kind, **params) -> Job:
    return services.job_start(actor=actor, kind=kind, params=params or None)


@pytest.mark.django_db(transaction=True)
def test_a_job_succeeds_with_its_result_data_and_file(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = _start(admin, "unit.writes", n=3)
    assert job.state == JobState.QUEUED
    assert runner.job_run(job.pk) == JobState.SUCCEEDED
    job.refresh_from_db()
    assert (job.state, job.progress, job.result, job.error) == (JobState.SUCCEEDED, 100, {"written": 3}, "")
    assert job.result_file.read() == b"a,b\n1,2\n" and job.result_filename == "out.csv"
    assert job.started_at <= job.finished_at and job.worker
    assert _steps(job) == 3
    # The job's writes are audited in its starter's name, from the job.
    entry = AuditEntry.objects.filter(object_type=STEP).first()
    assert entry.actor_id == admin.user.pk and entry.actor_name == f"后台任务:{admin.user.username}"
    assert entry.unit_path == admin.unit.path


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_while_the_job_runs(admin):
    """The heartbeat thread writes the latest progress on its own connection: the job reads it
    back (committed) half-way."""

    def wait_for_own_progress(job, step):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            stored = Job.objects.values("progress", "message", "heartbeat_at").get(pk=job.pk)
            if stored["progress"] == step * 25:
                return stored["message"]
            time.sleep(0.02)
        return None

    Hooks.at_step = wait_for_own_progress
    job = _start(admin, "unit.reads", n=4)
    assert runner.job_run(job.pk) == JobState.SUCCEEDED
    job.refresh_from_db()
    assert job.result == {"seen": ["已读 1", "已读 2", "已读 3", "已读 4"]}


@pytest.mark.django_db(transaction=True)
def test_a_job_cancelled_half_way_leaves_nothing_written(admin):
    """The cancel arrives after three of six steps were written: the job stops at its next report,
    its writes are rolled back, and it ends cancelled with the reason."""

    def cancel_at_three(job, step):
        if step == 3:
            # As the cancel button does; on SQLite the job's own connection must write it (a
            # second one would wait for the job's write lock), which its rollback then undoes.
            Job.objects.filter(pk=job.pk).update(cancel_requested=True)

    Hooks.at_step = cancel_at_three
    before = AuditEntry.objects.count()
    job = _start(admin, "unit.writes", n=6)
    assert runner.job_run(job.pk) == JobState.CANCELLED
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert job.message == str(runner.CANCELLED_MESSAGE)
    assert job.result is None and not job.result_file
    assert _steps(job) == 0 and AuditEntry.objects.count() == before
    assert not job.cancel_requested


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_cancel_from_another_connection_stops_the_job_half_way(admin):
    """PostgreSQL: the cancel button's request, in its own transaction while the job's is open."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite holds one write lock: a cancel cannot be written while an atomic job writes")
    reached = threading.Event()

    def wait_for_cancel(job, step):
        if step == 3:
            reached.set()
            time.sleep(1.0)

    def press_cancel(job_id):
        reached.wait(10)
        try:
            services.job_cancel(actor=admin, job_id=job_id)
        finally:
            connection.close()

    Hooks.at_step = wait_for_cancel
    job = _start(admin, "unit.writes", n=6)
    button = threading.Thread(target=press_cancel, args=(job.pk,))
    button.start()
    assert runner.job_run(job.pk) == JobState.CANCELLED
    button.join()
    assert _steps(job) == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_shows_the_reason_and_writes_nothing(admin):
    job = _start(admin, "unit.fails")
    assert runner.job_run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "ValueError: 磁盘已满" in job.error and "未写入任何数据" in job.error
    assert _steps(job) == 0


@pytest.mark.django_db(transaction=True)
def test_a_refusal_of_the_kind_is_the_reason_as_written(admin):
    job = _start(admin, "unit.refuses")
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error) == (JobState.FAILED, "区域内没有需求数据")


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_once(admin):
    job = _start(admin, "unit.writes", n=1)
    assert runner.job_run(job.pk) == JobState.SUCCEEDED
    assert runner.job_run(job.pk) == "skipped"
    assert _steps(job) == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_worker_fails_the_job_which_runs_again(admin, settings):
    """A worker killed mid-job stops its heartbeat: the sweeper fails the job with the reason (its
    transaction died with the worker), and it can be run again as a new job."""
    settings.YIZHAN_JOBS_STALE_SECONDS = 60
    job = _start(admin, "unit.writes", n=2)
    assert runner._claim(job.pk) is not None  # a worker took it, then died
    assert services.jobs_sweep() == 0  # its heartbeat is fresh
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    job.refresh_from_db()
    assert services.job_is_stale(job)
    assert services.jobs_sweep() == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "后台进程已停止" in job.error and "60 秒" in job.error and "可以重新运行" in job.error
    assert job.rerunnable

    again = services.job_rerun(actor=admin, job_id=job.pk)
    assert (again.state, again.rerun_of_id, again.kind, again.params) == (JobState.QUEUED, job.pk, job.kind, job.params)
    assert runner.job_run(again.pk) == JobState.SUCCEEDED
    assert _steps(again) == 2
    # A late worker that comes back cannot finish the swept job.
    assert runner.job_run(job.pk) == "skipped"


@pytest.mark.django_db(transaction=True)
def test_a_job_found_finished_by_the_sweeper_rolls_its_writes_back(admin):
    """The sweeper won the race (the job's heartbeat looked stopped): the job's final move finds it
    no longer running, and its writes do not stay behind a failed job."""

    def swept_meanwhile(job, step):
        if step == 2:
            # What the sweeper writes, here on the job's own connection (SQLite's one write lock).
            Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="swept")

    Hooks.at_step = swept_meanwhile
    job = _start(admin, "unit.writes", n=3)
    assert runner.job_run(job.pk) == "superseded"
    assert _steps(job) == 0


@pytest.mark.django_db(transaction=True)
def test_a_withdrawn_role_stops_the_job(admin):
    job = _start(admin, "unit.writes", n=1)
    admin.membership.delete()
    assert runner.job_run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.error == str(runner.OWNER_GONE)


@pytest.mark.django_db(transaction=True)
def test_cancel_before_start_and_after_the_end(admin):
    job = _start(admin, "unit.writes", n=1)
    cancelled = services.job_cancel(actor=admin, job_id=job.pk)
    assert cancelled.state == JobState.CANCELLED and cancelled.message == str(services.CANCELLED_BEFORE_START)
    assert runner.job_run(job.pk) == "skipped"
    with pytest.raises(ApplicationError, match="无法取消"):
        services.job_cancel(actor=admin, job_id=job.pk)
    done = _start(admin, "unit.writes", n=1)
    runner.job_run(done.pk)
    with pytest.raises(ApplicationError, match="只有失败或已取消的任务可以重新运行"):
        services.job_rerun(actor=admin, job_id=done.pk)


@pytest.mark.django_db
def test_start_refuses_unknown_kinds_bad_params_and_roles(admin, dalian, make_actor):
    with pytest.raises(ApplicationError, match="没有这种任务"):
        _start(admin, "unit.nonexistent")
    with pytest.raises(ApplicationError, match="不需要参数"):
        _start(admin, "unit.fails", x=1)
    with pytest.raises(ApplicationError, match="须是一个对象"):
        services.job_start(actor=admin, kind="unit.writes", params=["n"])
    # Verifying the audit chain is the auditors' (their permission on audit entries).
    with pytest.raises(PermissionDeniedError):
        _start(admin, AUDIT_VERIFY)
    auditor = make_actor(Role.AUDITOR, dalian["city"])
    assert _start(auditor, AUDIT_VERIFY).state == JobState.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_start_is_enqueued_on_the_database_backend_after_commit(admin):
    from django_tasks_db.models import DBTaskResult

    job = _start(admin, "unit.writes", n=1)
    job.refresh_from_db()
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.task_path == "yizhan.core.jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_a_queue_that_refuses_fails_the_job_with_the_reason(admin, monkeypatch):
    from yizhan.core.jobs import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis 无法连接")

    monkeypatch.setattr(tasks, "run_job", SimpleNamespace(enqueue=refuse))
    job = _start(admin, "unit.writes", n=1)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "无法加入任务队列" in job.error and "Redis 无法连接" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_audit_chain_verification_job(dalian, make_actor):
    auditor = make_actor(Role.AUDITOR, dalian["city"])
    job = _start(auditor, AUDIT_VERIFY)
    assert runner.job_run(job.pk) == JobState.SUCCEEDED
    job.refresh_from_db()
    assert job.result["ok"] is True and job.result["checked"] == AuditEntry.objects.count()
    assert job.summary.startswith("链完好")
