from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.orgs.models import Membership, Region, Unit


@admin.register(Unit)
class UnitAdmin(ScopedReadOnlyAdmin):
    list_display = ["code", "name", "type", "region", "contact_name"]
    list_filter = ["type"]
    search_fields = ["code", "name"]
    exclude = ["path", "depth", "numchild"]


@admin.register(Membership)
class MembershipAdmin(ScopedReadOnlyAdmin):
    list_display = ["user", "unit", "role", "granted_by", "created_at"]
    list_filter = ["role"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Reference data: readable by every staff role, never edited here (use import-regions)."""

    list_display = ["adcode", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["adcode", "name"]
    exclude = ["boundary"]

    def has_module_permission(self, request):
        actor = getattr(request, "actor", None)
        return actor is not None and actor.membership is not None

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
