from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "yizhan.inspections"
    label = "inspections"
    verbose_name = _("检查与整改")

    def ready(self) -> None:
        # What this app owns: its models' permissions and personal fields, and its panel of the
        # 工作台 (overdue rectifications, inspections to carry out).
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.inspections import permissions, personal_data  # noqa: F401
        from yizhan.inspections.dashboard import PANEL

        register_dashboard_panel(PANEL)
