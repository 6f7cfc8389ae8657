from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.positions.models import HoursException, Position, PositionPhoto, PositionStateChange


@admin.register(Position)
class PositionAdmin(ScopedReadOnlyAdmin):
    list_display = ["code", "official_name", "kind", "state", "unit", "region"]
    list_filter = ["kind", "state", "construction_type"]
    search_fields = ["code", "official_name", "address"]


@admin.register(PositionStateChange)
class PositionStateChangeAdmin(ScopedReadOnlyAdmin):
    list_display = ["position", "from_state", "to_state", "effective_on", "actor_name"]


@admin.register(HoursException)
class HoursExceptionAdmin(ScopedReadOnlyAdmin):
    list_display = ["position", "start", "end", "closed", "reason"]


@admin.register(PositionPhoto)
class PositionPhotoAdmin(ScopedReadOnlyAdmin):
    list_display = ["position", "caption", "uploaded_by", "created_at"]
