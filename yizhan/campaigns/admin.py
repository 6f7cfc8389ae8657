"""Read-only admin of campaigns' raw data (core/admin_base.py): scoped like every view, personal
fields left out for the roles the inventory hides them from (spec §11)."""

from django.contrib import admin

from yizhan.campaigns.models import (
    Campaign,
    Honour,
    Nomination,
    Objection,
    Quota,
    ReviewAssignment,
    ReviewMeeting,
    ReviewMember,
)
from yizhan.core.admin_base import ScopedReadOnlyAdmin, request_actor
from yizhan.core.personal_data import masked_fields


class _Admin(ScopedReadOnlyAdmin):
    def get_exclude(self, request, obj=None):
        return masked_fields(request_actor(request), self.model)


@admin.register(Campaign)
class CampaignAdmin(_Admin):
    list_display = ["name", "year", "federation", "state", "total_quota", "notice_starts_on", "notice_ends_on"]
    list_filter = ["state", "year"]


@admin.register(Quota)
class QuotaAdmin(_Admin):
    list_display = ["campaign", "unit", "computed", "quota", "submitted_on"]


@admin.register(ReviewMember)
class ReviewMemberAdmin(_Admin):
    list_display = ["campaign", "unit", "group_role", "confirmed"]
    list_filter = ["group_role", "confirmed"]


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(_Admin):
    list_display = ["campaign", "held_on", "place"]


@admin.register(Nomination)
class NominationAdmin(_Admin):
    list_display = ["campaign", "unit", "position", "state"]
    list_filter = ["state"]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(_Admin):
    list_display = ["nomination", "total", "result", "verified_on"]
    list_filter = ["result"]


@admin.register(Objection)
class ObjectionAdmin(_Admin):
    list_display = ["campaign", "nomination", "status", "outcome", "resolved_on"]
    list_filter = ["status", "outcome"]


@admin.register(Honour)
class HonourAdmin(_Admin):
    list_display = ["campaign", "position", "title", "awarded_on", "plaque_issued_on"]
