from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "yizhan.reports"
    label = "reports"
    verbose_name = _("年度报告")

    def ready(self) -> None:
        # The sections of apps that register none themselves (positions, campaigns, grants, the
        # ledger); targets and centres register theirs from their own ready().
        from yizhan.reports.registry import register_report_section
        from yizhan.reports.sections import SECTIONS

        for section in SECTIONS:
            register_report_section(section)
