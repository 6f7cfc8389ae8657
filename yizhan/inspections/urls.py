"""Staff pages of inspections under /staff/inspections/."""

from django.urls import path

from yizhan.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
]
