"""Background jobs through real worker processes (`yizhan jobs-worker`) on both backends — the
database queue and RQ on Redis — against a throw-away instance (jobs_support.Instance): the same
job gives the same result on both, a worker killed mid-job leaves its job failed with the reason
and nothing written, and the job runs again; the command line shows the progress."""

from __future__ import annotations

import re
import time

import pytest

from yizhan.tests.core.jobs_support import Instance, redis_or_skip

BACKENDS = [pytest.param(False, id="database"), pytest.param(True, id="rq")]


@pytest.fixture(scope="module")
def instance(tmp_path_factory, child_databases):
    folder = tmp_path_factory.mktemp("jobs")
    made = Instance(folder, database=child_databases(folder, "jobs"))
    yield made
    made.close()


def _run(instance: Instance, rq: bool, kind: str, user: str, *params: str) -> dict:
    """Start the job in a process of its own (as a page's request would) and wait there for the end."""
    return instance.json("run", "finished", "90", kind, user, *params, rq=rq)


def test_both_backends_run_the_same_job_to_the_same_result(instance):
    redis_or_skip()
    workers = [instance.start_worker(rq=False), instance.start_worker(rq=True)]
    try:
        # The audit chain first (a count job writes entries), on each backend in turn.
        verified = {rq: _run(instance, rq, "core.audit_verify", "auditor") for rq in (False, True)}
        counted = {rq: _run(instance, rq, "jobs_test.count", "tester", "n=12") for rq in (False, True)}
    finally:
        for worker in workers:
            instance.kill(worker)
    log = instance.log()
    for rq in (False, True):
        assert verified[rq]["state"] == "succeeded", (verified[rq], log)
        assert counted[rq]["state"] == "succeeded", (counted[rq], log)
        assert counted[rq]["steps_written"] == 12
    assert verified[False]["result"] == verified[True]["result"]
    assert verified[False]["result"]["ok"] is True and verified[False]["result"]["checked"] > 0
    assert counted[False]["result"] == counted[True]["result"] == {"n": 12, "sum_of_squares": 650}
    assert counted[False]["file_sha256"] == counted[True]["file_sha256"] is not None
    # Each ran where it was sent: the RQ worker's log names the RQ jobs, the database queue's ids are UUIDs.
    for job in (verified[True], counted[True]):
        assert f"run_job({job['id']})" in log
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    assert uuid.match(counted[False]["task_id"]) and not uuid.match(counted[True]["task_id"])


@pytest.mark.parametrize("rq", BACKENDS)
def test_a_worker_killed_mid_job_leaves_it_failed_and_it_runs_again(instance, rq):
    if rq:
        redis_or_skip()
    worker = instance.start_worker(rq=rq)
    # 50 s of steps (it is killed long before, even on a busy machine), each writing an audit entry
    # inside the job's transaction.
    running = instance.json("run", "running", "60", "jobs_test.count", "tester", "n=100", "delay=0.5", rq=rq)
    job_id = running["id"]
    assert running["state"] == "running", (running, instance.log())
    time.sleep(1)
    instance.kill(worker)  # SIGKILL to the worker and whatever it forked (RQ's work horse)

    failed = instance.json("wait", str(job_id), "finished", "30")
    assert failed["state"] == "failed", failed
    assert "处理该任务的后台进程已停止" in failed["error"] and "可以重新运行" in failed["error"]
    assert failed["steps_written"] == 0  # its transaction died with it

    # The same job again, on a worker that runs the test kinds' steps without their delay.
    worker = instance.start_worker(rq=rq, step_delay=0)
    try:
        done = instance.json("rerun", str(job_id), "tester", "finished", "90", rq=rq)
    finally:
        instance.kill(worker)
    assert (done["state"], done["rerun_of"], done["steps_written"]) == ("succeeded", job_id, 100), instance.log()
    assert done["result"] == {"n": 100, "sum_of_squares": 338350}


def test_a_job_cancelled_half_way_through_a_worker(instance):
    """From another process, while the worker runs it. On SQLite an atomic job holds the one write
    lock, so the cancel is shown with a job that reads (its writes would have been rolled back as
    in test_jobs_runner); on PostgreSQL with the atomic one, which must leave nothing written."""
    postgres = instance.database_url.startswith("postgres")
    kind = "jobs_test.count" if postgres else "jobs_test.slow"
    worker = instance.start_worker()
    try:
        job_id = instance.json("run", "running", "60", kind, "tester", "n=300", "delay=0.2")["id"]  # a minute
        instance.ok(instance.helper("cancel", str(job_id), "tester"))
        done = instance.json("wait", str(job_id), "finished", "30")
    finally:
        instance.kill(worker)
    assert done["state"] == "cancelled", done
    assert done["message"] == "已按请求取消，未写入任何数据"
    assert 0 < done["progress"] < 100 or not postgres
    assert done["steps_written"] == 0


def test_the_command_line_shows_progress_until_the_end(instance):
    start = ("jobs_start", "--as", "tester")
    worker = instance.start_worker()
    try:
        followed = instance.manage(*start, "jobs_test.slow", "--param", "n=8", "--param", "delay=0.5")
        no_wait = instance.manage(*start, "jobs_test.slow", "--param", "n=1", "--no-wait")
        failing = instance.manage(*start, "jobs_test.count", "--param", "n=3", "--param", "fail_at=2")
        refused = instance.manage(*start, "core.audit_verify")
    finally:
        instance.kill(worker)
    assert followed.returncode == 0, followed.stdout + followed.stderr
    lines = followed.stdout.splitlines()
    assert re.match(r"任务 #\d+ 已加入队列：慢任务（测试）", lines[0])
    percents = [int(m.group(1)) for line in lines if (m := re.match(r"\[[#.]{30}\]\s+(\d+)% ", line))]
    assert percents == sorted(percents) and percents[-1] == 100
    assert any(0 < p < 100 for p in percents), followed.stdout  # seen half-way
    assert any("第 " in line and " / 8 步" in line for line in lines)
    assert re.search(r"任务 #\d+ 已完成", lines[-1])

    assert no_wait.returncode == 0 and re.fullmatch(r"\d+", no_wait.stdout.strip()), no_wait.stdout
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "失败：任务出错：RuntimeError: step 2 failed on purpose" in failing.stderr, failing.stderr
    assert refused.returncode == 1 and "您的角色无权执行此操作" in refused.stderr, refused.stdout + refused.stderr
