from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.ledger.models import DailyLedger, DailyLedgerRevision, Feedback, FeedbackStatusChange


@admin.register(Feedback)
class FeedbackAdmin(ScopedReadOnlyAdmin):
    # Raw data, but the phone stays masked and the client key hidden (spec §11); the full phone
    # only through the audited reveal of the staff pages and the API.
    list_display = ["created_at", "position", "rating", "masked_phone", "source", "status"]
    list_filter = ["status", "source", "rating"]
    fields = ["position", "rating", "text", "masked_phone", "source", "status", "created_at"]
    readonly_fields = ["masked_phone", "created_at"]

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Feedback) -> str:
        return obj.masked_phone


@admin.register(FeedbackStatusChange)
class FeedbackStatusChangeAdmin(ScopedReadOnlyAdmin):
    list_display = ["feedback", "from_state", "to_state", "reason", "actor_name", "created_at"]
    list_filter = ["to_state"]


@admin.register(DailyLedger)
class DailyLedgerAdmin(ScopedReadOnlyAdmin):
    list_display = ["day", "position", "visits_total", "services_total", "version", "entered_by_name", "updated_at"]
    list_filter = ["day"]


@admin.register(DailyLedgerRevision)
class DailyLedgerRevisionAdmin(ScopedReadOnlyAdmin):
    list_display = ["ledger", "version", "reason", "actor_name", "created_at"]
