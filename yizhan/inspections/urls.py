"""Staff pages of inspections under /staff/inspections/."""

from django.urls import path

from yizhan.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/findings/", views.inspection_findings, name="inspection_findings"),
    path("<int:pk>/transition/", views.inspection_transition, name="inspection_transition"),
    path("<int:pk>/rectify/", views.rectification_open, name="rectification_open"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/submit/", views.rectification_submit, name="rectification_submit"),
    path("rectifications/<int:pk>/transition/", views.rectification_transition, name="rectification_transition"),
    path("report/", views.report, name="report"),
]
