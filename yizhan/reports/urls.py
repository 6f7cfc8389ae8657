"""Staff pages of the annual report under /staff/reports/."""

from django.urls import path

from yizhan.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("pdf/", views.report_pdf_view, name="report_pdf"),
    path("docx/", views.report_docx_view, name="report_docx"),
]
