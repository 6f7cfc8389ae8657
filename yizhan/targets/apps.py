from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "yizhan.targets"
    label = "targets"
    verbose_name = _("目标任务与进度")

    def ready(self) -> None:
        # What this app owns: its permissions, the metrics, its panel of the 工作台 and its section
        # of the annual report.
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.reports.registry import register_report_section
        from yizhan.targets import permissions  # noqa: F401
        from yizhan.targets.dashboard import PANEL
        from yizhan.targets.metrics import register_builtin_metrics
        from yizhan.targets.report import SECTION

        register_builtin_metrics()
        register_dashboard_panel(PANEL)
        register_report_section(SECTION)
