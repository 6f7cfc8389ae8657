"""Staff pages of grants under /staff/grants/."""

from django.urls import path  # noqa: F401

app_name = "grants"

urlpatterns: list = []
