from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "yizhan.coverage"
    label = "coverage"
    verbose_name = _("覆盖与选址")

    def ready(self) -> None:
        # What this app owns: its models' permissions and personal fields.
        from yizhan.core.jobs.registry import register_job_kind
        from yizhan.coverage import permissions, personal_data  # noqa: F401
        from yizhan.coverage.jobs import COVERAGE_JOB_KINDS

        # Its long work, as background jobs (issue 18 §6).
        for kind in COVERAGE_JOB_KINDS:
            register_job_kind(kind)
