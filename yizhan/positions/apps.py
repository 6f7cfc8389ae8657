from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "yizhan.positions"
    label = "positions"
    verbose_name = _("服务阵地")

    def ready(self) -> None:
        # What this app owns: its models' permissions and personal fields, and its panel of the 工作台.
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.positions import permissions, personal_data  # noqa: F401
        from yizhan.positions.dashboard import PANEL

        register_dashboard_panel(PANEL)
