"""Public pages of the ledger (no login), beside the finder's /p/<code>/ pages."""

from django.urls import path

from yizhan.ledger import public_views

app_name = "ledger_public"

urlpatterns = [
    path("p/<str:code>/report/", public_views.problem_report, name="report"),
    path("p/<str:code>/report/thanks/", public_views.problem_report_thanks, name="thanks"),
]
