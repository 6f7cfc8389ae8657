"""Raw data of coverage and siting, read-only and scoped (core/admin_base.py). The arrays are not
shown (megabytes of binary); their digest is."""

from django.contrib import admin

from yizhan.core.admin_base import ScopedReadOnlyAdmin
from yizhan.coverage.models import CandidateSet, CoverageRun, DemandSet, NetworkFile, SitingRun


class _ArraysAdmin(ScopedReadOnlyAdmin):
    exclude = ["data"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")


@admin.register(DemandSet)
class DemandSetAdmin(_ArraysAdmin):
    list_display = ["name", "unit", "kind", "source", "points", "total_weight", "created_at"]


@admin.register(CandidateSet)
class CandidateSetAdmin(_ArraysAdmin):
    list_display = ["name", "unit", "source", "sites", "created_at"]


@admin.register(NetworkFile)
class NetworkFileAdmin(_ArraysAdmin):
    list_display = ["name", "unit", "nodes", "edges", "length_km", "created_at"]


@admin.register(CoverageRun)
class CoverageRunAdmin(_ArraysAdmin):
    list_display = ["demand_set", "unit", "mode", "reach_m", "stations", "share", "created_at"]


@admin.register(SitingRun)
class SitingRunAdmin(_ArraysAdmin):
    list_display = ["demand_set", "unit", "objective", "k", "target_share", "stations", "created_at"]
