from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yizhan.core"
    label = "core"
    verbose_name = _("平台内核")

    def ready(self) -> None:
        from yizhan.core import audit_retention, signals  # noqa: F401  (retention check, login/logout audit receivers)
        from yizhan.core.roles import CORE_PERMISSIONS, register_permissions

        register_permissions(CORE_PERMISSIONS)
