from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "yizhan.projects"
    label = "projects"
    verbose_name = _("社会组织服务项目")

    def ready(self) -> None:
        # What this app owns: its models' permissions, personal data and its panel of the 工作台.
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.projects import permissions, personal_data  # noqa: F401
        from yizhan.projects.dashboard import PANEL

        register_dashboard_panel(PANEL)
