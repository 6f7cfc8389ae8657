"""Staff pages of inspections under /staff/inspections/."""

from django.urls import path  # noqa: F401

app_name = "inspections"

urlpatterns: list = []
