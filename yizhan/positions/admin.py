from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin, request_actor
from yizhan.core.personal_data import masked_fields
from yizhan.positions.models import HoursException, Position, PositionPhoto, PositionStateChange


@admin.register(Position)
class PositionAdmin(ScopedReadOnlyAdmin):
    list_display = ["code", "official_name", "kind", "state", "unit", "region"]
    list_filter = ["kind", "state", "construction_type"]
    search_fields = ["code", "official_name", "address"]

    def get_exclude(self, request, obj=None):
        # Spec §11: the manager's name and phone only for the roles the inventory shows them to.
        return masked_fields(request_actor(request), Position)


@admin.register(PositionStateChange)
class PositionStateChangeAdmin(ScopedReadOnlyAdmin):
    list_display = ["position", "from_state", "to_state", "effective_on", "actor_name"]


@admin.register(HoursException)
class HoursExceptionAdmin(ScopedReadOnlyAdmin):
    list_display = ["position", "start", "end", "closed", "reason"]


@admin.register(PositionPhoto)
class PositionPhotoAdmin(ScopedReadOnlyAdmin):
    list_display = ["position", "caption", "uploaded_by", "created_at"]
