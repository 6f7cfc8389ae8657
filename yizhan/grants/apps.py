from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "yizhan.grants"
    label = "grants"
    verbose_name = _("资金与绩效")

    def ready(self) -> None:
        # What this app owns: its models' permissions.
        from yizhan.grants import permissions  # noqa: F401
