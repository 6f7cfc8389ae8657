from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "yizhan.coverage"
    label = "coverage"
    verbose_name = _("覆盖与选址")

    def ready(self) -> None:
        # What this app owns: its models' permissions and personal fields.
        from yizhan.coverage import permissions, personal_data  # noqa: F401
