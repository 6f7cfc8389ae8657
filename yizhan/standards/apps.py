from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "yizhan.standards"
    label = "standards"
    verbose_name = _("建设标准与评定")

    def ready(self) -> None:
        from yizhan.standards import permissions, personal_data  # noqa: F401
