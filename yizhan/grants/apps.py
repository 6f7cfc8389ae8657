from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "yizhan.grants"
    label = "grants"
    verbose_name = _("资金与绩效")

    def ready(self) -> None:
        # What this app owns: its models' permissions and its panel of the 工作台.
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.grants import permissions  # noqa: F401
        from yizhan.grants.dashboard import PANEL

        register_dashboard_panel(PANEL)
