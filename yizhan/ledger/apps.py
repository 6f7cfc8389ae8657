from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "yizhan.ledger"
    label = "ledger"
    verbose_name = _("台账与意见反馈")

    def ready(self) -> None:
        from yizhan.ledger import checks  # noqa: F401  (settings checks)
