from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PositionsConfig(AppConfig):
    name = "yizhan.positions"
    label = "positions"
    verbose_name = _("服务阵地")

    def ready(self) -> None:
        # What this app owns: its models' permissions and personal fields.
        from yizhan.positions import permissions, personal_data  # noqa: F401
