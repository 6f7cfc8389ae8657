from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_name", "remote_addr", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr"]


# The background jobs' queue apps (django-tasks-db's task table, django-rq's dashboard) bring admin
# pages of their own that no scope restricts: not shown. Jobs are followed on their own pages.
def _hide_queue_admins() -> None:
    from django_rq.models import Dashboard
    from django_tasks_db.models import DBTaskResult

    for model in (DBTaskResult, Dashboard):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_hide_queue_admins()
