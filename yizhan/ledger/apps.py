from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "yizhan.ledger"
    label = "ledger"
    verbose_name = _("台账与意见反馈")

    def ready(self) -> None:
        # Settings checks; what this app owns: its models' permissions and personal fields.
        from yizhan.ledger import checks, permissions, personal_data  # noqa: F401
