"""The one Django task every job is enqueued as (django-tasks, the backport of `django.tasks`).
The queue carries only the job's id; everything else is on the job record, so the database and
the RQ backend run the same job the same way."""

from django.conf import settings
from django_tasks import task

from yizhan.core.jobs.runner import job_run


@task(queue_name=settings.YIZHAN_JOBS_QUEUE)
def run_job(job_id: int) -> str:
    return job_run(job_id)
