"""What the job tests that run real processes share: a throw-away instance (a SQLite file, or a
database of its own on the PostgreSQL server DATABASE_URL names, migrated, with a unit and two
accounts), its worker processes on either backend, and this module as a command run in the
instance (`python -m yizhan.tests.core.jobs_support seed|start|wait|run|rerun|cancel|show`), which prints JSON.

Redis for the RQ backend: YIZHAN_TEST_REDIS_URL, by default database 7 of the local server; each
instance uses a queue of its own. Unreachable, the RQ tests skip, except under CI=true."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
PASSWORD = "Jobs-test-pass-2026"
REDIS_URL = os.environ.get("YIZHAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
TIMEOUT = 180


def redis_or_skip() -> str:
    """The test Redis URL; skips the test when Redis does not answer (fails under CI=true)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} is unreachable ({error}): the RQ backend is not tested"
        if os.environ.get("CI") == "true":
            pytest.fail("CI: " + message)
        pytest.skip(message)
    return REDIS_URL


@dataclass
class Instance:
    """`database`: a migrated database of its own from the `child_databases` fixture (a copy of this
    run's freshly migrated test database, core.testing.instances); without it, a new one is made
    and `migrate` runs in a child process."""

    folder: Path
    database: object | None = None
    database_url: str = ""
    queue: str = field(default_factory=lambda: f"yizhan-test-{uuid.uuid4().hex[:8]}")
    _database: str = ""
    _server: str | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)

    def __post_init__(self):
        url = os.environ.get("DATABASE_URL", "")
        if self.database is not None:
            self.database_url = self.database.url
            self.ok(self.helper("seed"))
            return
        if url.startswith("postgres"):
            self._server = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
            self._database = f"yizhan_jobs_{uuid.uuid4().hex[:8]}"
            self._admin(f"CREATE DATABASE {self._database}")
            self.database_url = f"{self._server}/{self._database}"
        else:
            self.database_url = f"sqlite:///{self.folder / 'jobs.sqlite3'}"
        self.ok(self.manage("migrate", "--no-input", "-v0"))
        self.ok(self.helper("seed"))

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"{self._server}/postgres", autocommit=True) as conn:
            conn.execute(statement)

    def env(self, *, rq: bool = False, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "YIZHAN_JOBS_BACKEND", "DEBUG")}
        env.update(
            DATABASE_URL=self.database_url,
            MEDIA_ROOT=str(self.folder / "media"),
            CONN_MAX_AGE="0",
            DJANGO_SETTINGS_MODULE="yizhan.tests.core.jobs_settings",
            YIZHAN_JOBS_QUEUE=self.queue,
            YIZHAN_JOBS_HEARTBEAT_SECONDS="0.2",
            YIZHAN_JOBS_STALE_SECONDS="3",
            PYTHONUNBUFFERED="1",
        )
        if rq:
            env["REDIS_URL"] = redis_or_skip()
        env.update(extra)
        return env

    def manage(self, *args: str, rq: bool = False, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 (this interpreter, the project's manage.py)
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env(rq=rq),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def helper(self, *args: str, rq: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 (this interpreter, the project's manage.py)
            [sys.executable, "-m", "yizhan.tests.core.jobs_support", *args],
            cwd=PROJECT_DIR,
            env=self.env(rq=rq),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    def json(self, *args: str, rq: bool = False) -> dict:
        return json.loads(self.ok(self.helper(*args, rq=rq)).stdout.strip().splitlines()[-1])

    @staticmethod
    def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def start_worker(self, *, rq: bool = False, step_delay: float | None = None) -> subprocess.Popen:
        """A worker in a session of its own, so that killing it kills the processes it forked. It
        looks at an empty database queue every 0.1 s (the default second would add up to one to
        each job); `step_delay` overrides the test kinds' delay per step (jobs_app/kinds.py)."""
        log = open(self.folder / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115 (closed with the process)
        extra = {} if step_delay is None else {"JOBS_TEST_DELAY": str(step_delay)}
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "jobs_worker", "--sweep-seconds", "1", "--interval", "0.1"],
            cwd=PROJECT_DIR,
            env=self.env(rq=rq, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start_server(self, port: int) -> subprocess.Popen:
        log = open(self.folder / "server.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT_DIR,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """The process and everything it started, as a lost machine would: RQ's work horse runs in
        a session of its own (a signal to the worker's group does not reach it)."""
        for pid in [*_descendants(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        process.wait(timeout=30)

    def log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.folder.glob("*.log")))

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)
        if self.database is not None:
            self.database.drop()
        elif self._server:
            self._admin(f"DROP DATABASE IF EXISTS {self._database} WITH (FORCE)")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


# --- Run inside the instance ---------------------------------------------------------------------


def _seed() -> None:
    from yizhan.core.roles import Role
    from yizhan.orgs.choices import RegionLevel
    from yizhan.orgs.tests.factories import MembershipFactory, RegionFactory, UnitFactory

    region = RegionFactory(adcode="210200", name="大连市", level=RegionLevel.CITY)
    city = UnitFactory(code="JT", name="任务测试总工会", region=region)
    district = UnitFactory(code="JT-A", name="甲区总工会", parent=city)
    other = UnitFactory(code="JT-B", name="乙区总工会", parent=city)
    accounts = (
        ("tester", district, Role.UNIT_ADMIN),
        ("outsider", other, Role.UNIT_ADMIN),
        ("auditor", city, Role.AUDITOR),
    )
    for username, unit, role in accounts:
        MembershipFactory(user__username=username, user__password=PASSWORD, unit=unit, role=role)


def _job_json(job_id: int) -> dict:
    from yizhan.core.jobs.models import Job
    from yizhan.core.jobs.services import job_is_stale, jobs_sweep
    from yizhan.core.models import AuditEntry

    job = Job.objects.get(pk=job_id)
    if job_is_stale(job):
        jobs_sweep()
        job = Job.objects.get(pk=job_id)
    digest = hashlib.sha256(job.result_file.read()).hexdigest() if job.result_file else None
    steps = AuditEntry.objects.filter(object_type="jobs_test.step", object_id__startswith=f"{job.pk}-").count()
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "error": job.error,
        "file_sha256": digest,
        "result_filename": job.result_filename,
        "steps_written": steps,
        "rerun_of": job.rerun_of_id,
        "task_id": job.task_id,
    }


def _wait(job_id: int, until: str, seconds: float) -> None:
    """Print the job once it is running (or past it) or finished, or when `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        data = _job_json(job_id)
        reached = data["state"] != "queued" if until == "running" else data["state"] in FINISHED
        if reached or time.monotonic() > deadline:
            print(json.dumps(data, ensure_ascii=False))
            return
        time.sleep(0.1)


def _main(argv: list[str]) -> None:
    import django

    django.setup()
    from yizhan.core.commands import acting_as
    from yizhan.core.jobs.services import job_rerun, job_start

    command, *args = argv
    if command == "seed":
        _seed()
        return
    if command == "start":  # start KIND USER [NAME=VALUE ...]
        kind, username, *pairs = args
        with acting_as(username) as actor:
            job = job_start(actor=actor, kind=kind, params=dict(pair.split("=", 1) for pair in pairs))
        print(json.dumps({"id": job.pk}))
        return
    if command == "rerun":  # rerun ID USER [running|finished SECONDS]: the new job's id, or it waited for
        with acting_as(args[1]) as actor:
            job = job_rerun(actor=actor, job_id=int(args[0]))
        if len(args) > 2:
            _wait(job.pk, args[2], float(args[3]))
        else:
            print(json.dumps({"id": job.pk}))
        return
    if command == "cancel":  # cancel ID USER: as the cancel button does
        from yizhan.core.jobs.services import job_cancel

        with acting_as(args[1]) as actor:
            job_cancel(actor=actor, job_id=int(args[0]))
        print(json.dumps({"id": int(args[0])}))
        return
    if command == "wait":  # wait ID [running|finished] [SECONDS]
        _wait(int(args[0]), args[1] if len(args) > 1 else "finished", float(args[2] if len(args) > 2 else 120))
        return
    if command == "run":  # run running|finished SECONDS KIND USER [NAME=VALUE ...]: start, then wait
        until, seconds, kind, username, *pairs = args
        with acting_as(username) as actor:
            job = job_start(actor=actor, kind=kind, params=dict(pair.split("=", 1) for pair in pairs))
        _wait(job.pk, until, float(seconds))
        return
    if command == "show":
        print(json.dumps(_job_json(int(args[0])), ensure_ascii=False))
        return
    raise SystemExit(f"unknown command {command}")


FINISHED = ("succeeded", "failed", "cancelled")

if __name__ == "__main__":
    _main(sys.argv[1:])
