"""Partners as raw data, read-only and scoped (core/admin_base.py), without their contact person.
Keys and usage are shown on the partner's page only; published rows are public data with their
own API. Neither has an admin."""

from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.publishing.models import MapMarking, Partner


@admin.register(Partner)
class PartnerAdmin(ScopedReadOnlyAdmin):
    list_display = ["name", "unit", "rate_per_minute", "active", "created_at"]
    exclude = ["contact_name", "contact_phone", "contact_email"]


@admin.register(MapMarking)
class MapMarkingAdmin(ScopedReadOnlyAdmin):
    list_display = ["unit", "platform", "marked_by", "marked_at", "rows"]
