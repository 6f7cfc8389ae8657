"""Settings of the job tests' subprocesses (worker, server, CLI): the project's, with the test
kinds of jobs_app (yizhan/tests/core/jobs_app)."""

from yizhan.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "yizhan.tests.core.jobs_app"]  # noqa: F405
