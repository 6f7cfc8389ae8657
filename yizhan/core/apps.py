from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yizhan.core"
    label = "core"
    verbose_name = _("平台内核")

    def ready(self) -> None:
        from yizhan.core import audit_retention, changes, signals  # noqa: F401  (retention check, login/logout audit receivers)
        from yizhan.core.roles import CORE_PERMISSIONS, register_permissions

        register_permissions(CORE_PERMISSIONS)
        from yizhan.core.jobs.kinds import CORE_JOB_KINDS
        from yizhan.core.jobs.registry import register_job_kind

        for kind in CORE_JOB_KINDS:
            register_job_kind(kind)
        from yizhan.core.dashboard import register_dashboard_panel
        from yizhan.core.jobs.dashboard import PANEL as JOBS_PANEL

        register_dashboard_panel(JOBS_PANEL)
        # Every migrate ends with the change feed's triggers in place (core/changes.py): a migration
        # that rebuilds a watched table on SQLite drops them.
        post_migrate.connect(changes.install_after_migrate, sender=self, dispatch_uid="core-change-feed-install")
        # SQLite: planner statistics after a schema change (core/db_sqlite/statistics.py).
        from yizhan.core.db_sqlite.statistics import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="core-sqlite-statistics")
