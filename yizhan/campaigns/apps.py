from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "yizhan.campaigns"
    label = "campaigns"
    verbose_name = _("评选活动")

    def ready(self) -> None:
        # What this app owns: its models' permissions and personal fields, and its 工作台 panel.
        from yizhan.campaigns import permissions, personal_data  # noqa: F401
        from yizhan.campaigns.dashboard import PANEL
        from yizhan.core.dashboard import register_dashboard_panel

        register_dashboard_panel(PANEL)
