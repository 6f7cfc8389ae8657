from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "yizhan.ledger"
    label = "ledger"
    verbose_name = _("台账与意见反馈")

    def ready(self) -> None:
        # Settings checks; what this app owns: its models' permissions and personal fields, and its
        # panels of the 工作台 (issue 21 §6).
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.ledger import checks, permissions, personal_data  # noqa: F401
        from yizhan.ledger.dashboard import LEDGER_PANEL, PANEL, PROBLEMS_PANEL

        register_dashboard_panel(LEDGER_PANEL)
        register_dashboard_panel(PANEL)
        register_dashboard_panel(PROBLEMS_PANEL)
