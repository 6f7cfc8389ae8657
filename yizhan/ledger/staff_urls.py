"""Staff pages of the daily ledger, under /staff/ledger/."""

from django.urls import path

from yizhan.ledger import staff_views

app_name = "ledger_staff"

urlpatterns = [
    path("", staff_views.ledger_home, name="home"),
    path("import/", staff_views.ledger_import, name="import"),
    path("import/template.xlsx", staff_views.ledger_import_template, name="import_template"),
    path("<int:position_id>/today/", staff_views.ledger_today, name="today"),
    path("<int:position_id>/<str:day>/", staff_views.ledger_entry, name="entry"),
]
