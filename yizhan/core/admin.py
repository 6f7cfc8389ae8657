from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_name", "remote_addr", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr"]
