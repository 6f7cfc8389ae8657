from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "yizhan.centres"
    label = "centres"
    verbose_name = _("职工服务中心考核验收")

    def ready(self) -> None:
        # What this app owns: its permissions, personal data, its 工作台 panel and its section of
        # the annual report (yizhan.reports.registry).
        from yizhan.centres import permissions, personal_data  # noqa: F401
        from yizhan.centres.dashboard import PANEL
        from yizhan.core.dashboard import register_dashboard_panel

        register_dashboard_panel(PANEL)
        from yizhan.centres.report import SECTION
        from yizhan.reports.registry import register_report_section

        register_report_section(SECTION)
