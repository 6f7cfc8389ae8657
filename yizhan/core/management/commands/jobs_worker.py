"""`yizhan jobs-worker`: one worker of background jobs (core/jobs) on the configured backend —
the database queue by default (django-tasks-db's `db_worker`), RQ on Redis when REDIS_URL is set
(django-rq's `rqworker` with django-tasks-rq's job class). Start as many as wanted, on as many
machines as share the database (and Redis). Each also fails now and then the jobs whose worker was
lost (`jobs_sweep`). Ctrl-C (SIGINT) or SIGTERM stops it after the job it is running; a second
one stops it at once, and that job is failed with the reason."""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from yizhan.core.jobs.services import jobs_sweep

logger = logging.getLogger("yizhan.core.jobs")


class Sweeper(threading.Thread):
    def __init__(self, every: float):
        super().__init__(name="jobs-sweeper", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                swept = jobs_sweep()
            except Exception:  # noqa: BLE001 — a database hiccup must not end the sweeper
                logger.exception("sweeping lost jobs failed")
            else:
                if swept:
                    logger.warning("%s job(s) whose worker stopped marked failed", swept)
            finally:
                connection.close()


class Command(BaseCommand):
    help = "Run one background-job worker (database queue, or RQ when REDIS_URL is set)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="run the jobs waiting now, then exit")
        parser.add_argument(
            "--sweep-seconds", type=float, default=30, help="how often to fail jobs whose worker was lost"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1,
            help="database queue: seconds between looks at an empty queue (RQ waits on Redis instead)",
        )

    def handle(self, *args, burst: bool, sweep_seconds: float, interval: float, verbosity: int, **options):
        backend, queue = settings.YIZHAN_JOBS_BACKEND, settings.YIZHAN_JOBS_QUEUE
        where = "Redis (RQ)" if backend == "rq" else "数据库队列"
        self.stdout.write(f"驿站后台任务进程：{where}，队列 {queue}（Ctrl-C 停止）")
        swept = jobs_sweep()
        if swept:
            self.stdout.write(f"{swept} 个任务的后台进程已停止，已标记为失败")
        connection.close()
        sweeper = Sweeper(sweep_seconds)
        sweeper.start()
        try:
            if backend == "rq":
                call_command("rqworker", queue, job_class="django_tasks_rq.Job", burst=burst, verbosity=verbosity)
            else:
                call_command(
                    "db_worker",
                    queue_name=queue,
                    batch=burst,
                    reload=False,
                    startup_delay=False,
                    interval=interval,
                    verbosity=verbosity,
                )
        finally:
            sweeper.stopped.set()
