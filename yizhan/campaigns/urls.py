"""Staff pages of campaigns under /staff/campaigns/."""

from django.urls import path  # noqa: F401

app_name = "campaigns"

urlpatterns: list = []
