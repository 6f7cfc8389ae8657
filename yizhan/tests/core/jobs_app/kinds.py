"""Job kinds for the tests, deterministic and as slow as asked:

- `jobs_test.count` (atomic): n steps, each writing one audit entry (object_type jobs_test.step,
  object_id "<job>-<step>") and reporting progress; fails on purpose at step `fail_at`; its result
  is the sum of the squares and a CSV of them.
- `jobs_test.slow` (reads only, offered on the jobs page): n steps of `delay` seconds with progress.

A worker whose environment sets JOBS_TEST_DELAY runs every step with that delay instead of the job's
own: a job rerun after its worker was killed (it had to be slow to be killed half-way) need not be.
"""

from __future__ import annotations

import os
import time

from yizhan.core.audit import audit_record
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.registry import JobKind, JobResult
from yizhan.core.models import AuditAction
from yizhan.core.roles import Action

STEP_TYPE = "jobs_test.step"


def count_params(actor, params: dict) -> dict:
    try:
        n = int(params.get("n", 10))
        delay = float(params.get("delay", 0))
        fail_at = int(params["fail_at"]) if params.get("fail_at") not in (None, "") else None
    except (TypeError, ValueError) as error:
        raise ApplicationError(f"参数无效：{error}", field="params") from error
    if not 1 <= n <= 10_000:
        raise ApplicationError("n 须在 1 到 10000 之间", field="n")
    return {"n": n, "delay": delay, "fail_at": fail_at}


def _delay(asked: float) -> float:
    return float(os.environ.get("JOBS_TEST_DELAY", asked))


def count(job, progress) -> JobResult:
    n, delay, fail_at = job.params["n"], _delay(job.params["delay"]), job.params["fail_at"]
    for step in range(1, n + 1):
        audit_record(
            action=AuditAction.UPDATE,
            object_type=STEP_TYPE,
            object_id=f"{job.pk}-{step}",
            object_repr=f"job {job.pk} step {step}",
        )
        if step == fail_at:
            raise RuntimeError(f"step {step} failed on purpose")
        time.sleep(delay)
        progress.report(step, n, f"第 {step} / {n} 步")
    squares = [step * step for step in range(1, n + 1)]
    lines = "".join(f"{step},{square}\n" for step, square in enumerate(squares, start=1))
    return JobResult(
        data={"n": n, "sum_of_squares": sum(squares)},
        content=("step,square\n" + lines).encode(),
        filename="squares.csv",
    )


def slow(job, progress) -> dict:
    n, delay = job.params.get("n", 30), _delay(job.params.get("delay", 0.3))
    for step in range(1, n + 1):
        time.sleep(delay)
        progress.report(step, n, f"第 {step} / {n} 步")
    return {"steps": n}


def slow_params(actor, params: dict) -> dict:
    return {"n": int(params.get("n", 30)), "delay": float(params.get("delay", 0.3))}


TEST_KINDS = [
    JobKind(
        name="jobs_test.count",
        label="计数（测试）",
        run=count,
        permission=(Action.CREATE, "core.job"),
        check_params=count_params,
        summarise=lambda result: f"平方和 {result['sum_of_squares']}",
    ),
    JobKind(
        name="jobs_test.slow",
        label="慢任务（测试）",
        run=slow,
        permission=(Action.CREATE, "core.job"),
        atomic=False,
        check_params=slow_params,
        offered=True,
    ),
]
