from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yizhan.orgs"
    label = "orgs"
    verbose_name = _("组织与区划")

    def ready(self):
        # Receivers: lockouts to the audit chain, login stamps for the session time limits, restores
        # (boundary caches); what this app owns: its models' permissions and personal fields.
        from yizhan.core.actors import register_actor_resolvers
        from yizhan.orgs import geo, permissions, personal_data  # noqa: F401
        from yizhan.orgs.accounts import lockout, session_limits  # noqa: F401
        from yizhan.orgs.selectors import actor_for_request, membership_choices

        # The kernel finds a request's actor through the accounts this app keeps.
        register_actor_resolvers(actor_for_request=actor_for_request, membership_choices=membership_choices)
        # Its panel of the 工作台.
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.orgs.dashboard import PANEL

        register_dashboard_panel(PANEL)
