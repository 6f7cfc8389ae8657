"""Background jobs (issue 18 §1), once for the whole project: long work (coverage of a large area,
network loading, siting, big exports and reports, large imports) runs as a `Job` with progress, a
cancel button, its result kept and its failure shown with the reason.

- `registry.py`: apps register their job kinds (`register_job_kind(JobKind(...))`, from their
  AppConfig.ready()); a kind is a function `run(job, progress)`.
- `services.py`: `job_start`, `job_cancel`, `job_rerun`, `jobs_sweep`; `selectors.py`: reads.
- `runner.py`: the worker side: claims a job, runs its kind with a `Progress` reporter
  (`report(done, total, message)`, `check_cancelled()`), keeps a heartbeat, stores the result.
- `tasks.py`: the one Django task (django-tasks, the backport of Django 6.0's `django.tasks`) that
  every job is enqueued as; the database backend by default, RQ on Redis when REDIS_URL is set.
- `api.py`, `views.py`, `cli.py`: the JSON API, the staff pages, the terminal progress bar.

Nothing here imports a domain app; decisions.md §22 explains the design.
"""
