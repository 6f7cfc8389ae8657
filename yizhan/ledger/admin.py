from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.ledger.models import (
    Activity,
    ActivityPhoto,
    DailyLedger,
    DailyLedgerRevision,
    Feedback,
    FeedbackStatusChange,
    ProblemReport,
    ProblemReportStateChange,
)


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


@admin.register(ProblemReport)
class ProblemReportAdmin(ScopedReadOnlyAdmin):
    # The sender's address key stays out (spec §11).
    list_display = ["created_at", "position", "kind", "text", "status", "due_on", "settled_on"]
    list_filter = ["status", "kind"]
    fields = ["position", "kind", "text", "status", "due_on", "settled_on", "settled_on_site", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(ProblemReportStateChange)
class ProblemReportStateChangeAdmin(ScopedReadOnlyAdmin):
    list_display = ["report", "from_state", "to_state", "on_site", "reason", "actor_name", "created_at"]
    list_filter = ["to_state"]


@admin.register(Activity)
class ActivityAdmin(ScopedReadOnlyAdmin):
    list_display = ["held_on", "title", "kind", "unit", "position", "participants"]
    list_filter = ["kind"]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ScopedReadOnlyAdmin):
    list_display = ["activity", "caption", "uploaded_by", "created_at"]
