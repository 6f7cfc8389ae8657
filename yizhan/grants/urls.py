"""Staff pages of grants under /staff/grants/."""

from django.urls import path

from yizhan.grants import views

app_name = "grants"

urlpatterns = [
    path("", views.grant_list, name="grant_list"),
    path("<int:pk>/", views.grant_detail, name="grant_detail"),
    path("<int:pk>/disburse/", views.grant_disburse, name="grant_disburse"),
    path("uses/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
]
