from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.grants.models import Grant, GrantUse, SelfEvaluation


@admin.register(Grant)
class GrantAdmin(ScopedReadOnlyAdmin):
    list_display = ["title", "position", "unit", "amount_fen", "spent_fen", "state", "awarded_on", "disbursed_on"]
    list_filter = ["state", "source"]


@admin.register(GrantUse)
class GrantUseAdmin(ScopedReadOnlyAdmin):
    list_display = ["grant", "used_on", "purpose", "amount_fen", "description", "recorded_by"]
    list_filter = ["purpose"]


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ScopedReadOnlyAdmin):
    list_display = ["title", "unit", "source", "due_on", "state", "submitted_on"]
    list_filter = ["state"]
