from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin, request_actor
from yizhan.core.personal_data import masked_fields
from yizhan.orgs.models import Membership, Region, Unit


@admin.register(Unit)
class UnitAdmin(ScopedReadOnlyAdmin):
    list_display = ["code", "name", "type", "region", "contact_name"]
    list_filter = ["type"]
    search_fields = ["code", "name"]

    # Spec §11: the contact person's name and phone only for the roles the inventory names.
    def get_exclude(self, request, obj=None):
        return ["path", "depth", "numchild", *masked_fields(request_actor(request), Unit)]

    def get_list_display(self, request):
        hidden = masked_fields(request_actor(request), Unit)
        return [name for name in super().get_list_display(request) if name not in hidden]


@admin.register(Membership)
class MembershipAdmin(ScopedReadOnlyAdmin):
    list_display = ["user", "unit", "role", "granted_by", "created_at"]
    list_filter = ["role"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Reference data: readable by every staff role, never edited here (use import-regions)."""

    list_display = ["adcode", "name", "level", "parent"]
    list_select_related = ["parent"]
    list_filter = ["level"]
    search_fields = ["adcode", "name"]
    exclude = ["boundary"]

    def get_queryset(self, request):
        # The boundaries (GeoJSON) are shown by no admin page: not decoded for its lists.
        return super().get_queryset(request).defer("boundary", "parent__boundary")

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
