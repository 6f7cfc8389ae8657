from django.apps import AppConfig


class JobsTestConfig(AppConfig):
    name = "yizhan.tests.core.jobs_app"
    label = "jobs_test"

    def ready(self) -> None:
        from yizhan.core.jobs.registry import register_job_kind
        from yizhan.tests.core.jobs_app.kinds import TEST_KINDS

        for kind in TEST_KINDS:
            register_job_kind(kind)
