"""Read-only admin of inspections' raw data (core/admin_base.py): scoped like every view, personal
fields left out for the roles the inventory hides them from (spec §11)."""

from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin, request_actor
from yizhan.core.personal_data import masked_fields
from yizhan.inspections.models import Inspection, Rectification, SpotCheckDraw


class _Admin(ScopedReadOnlyAdmin):
    def get_exclude(self, request, obj=None):
        return masked_fields(request_actor(request), self.model)


@admin.register(SpotCheckDraw)
class SpotCheckDrawAdmin(_Admin):
    list_display = ["drawn_on", "unit", "source", "seed", "eligible", "picked", "ends_on"]
    list_filter = ["source"]


@admin.register(Inspection)
class InspectionAdmin(_Admin):
    list_display = ["position", "kind", "unit", "state", "starts_on", "ends_on", "inspected_on"]
    list_filter = ["kind", "state"]


@admin.register(Rectification)
class RectificationAdmin(_Admin):
    list_display = ["position", "owner_unit", "state", "deadline"]
    list_filter = ["state"]
