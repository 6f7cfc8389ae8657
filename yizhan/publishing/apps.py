from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "yizhan.publishing"
    label = "publishing"
    verbose_name = _("数据发布")

    def ready(self) -> None:
        from yizhan.core import changes
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.core.jobs.registry import register_job_kind
        from yizhan.orgs.models import Unit
        from yizhan.positions.models import HoursException, Position
        from yizhan.publishing import permissions, personal_data  # noqa: F401
        from yizhan.publishing.dashboard import PANEL
        from yizhan.publishing.publication import TOPIC, UNIT_TOPIC
        from yizhan.publishing.webhooks import JOB_KIND

        # Webhook deliveries run as background jobs (publishing/webhooks.py); out-of-date map
        # points are work on the 工作台.
        register_job_kind(JOB_KIND)
        register_dashboard_panel(PANEL)

        # The published records read positions, their hours exceptions and their units: every
        # write to them, by anyone, reaches the kernel's change feed (publishing/publication.py).
        changes.watch(Position, topic=TOPIC, ignore=["facility_mask"])
        changes.watch(HoursException, topic=TOPIC, key="position")
        changes.watch(Unit, topic=UNIT_TOPIC)
