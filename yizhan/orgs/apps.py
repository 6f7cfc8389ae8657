from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yizhan.orgs"
    label = "orgs"
    verbose_name = _("组织与区划")

    def ready(self):
        # Receivers: lockouts to the audit chain, login stamps for the session time limits.
        from yizhan.orgs import lockout, session_limits  # noqa: F401
