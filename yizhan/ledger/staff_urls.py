"""Staff pages of the daily ledger, problem reports and the re-verify queue, under /staff/ledger/."""

from django.urls import path

from yizhan.ledger import staff_views

app_name = "ledger_staff"

urlpatterns = [
    path("", staff_views.ledger_home, name="home"),
    path("import/", staff_views.ledger_import, name="import"),
    path("import/template.xlsx", staff_views.ledger_import_template, name="import_template"),
    path("reports/", staff_views.problem_list, name="problem_list"),
    path("reports/<int:pk>/", staff_views.problem_detail, name="problem_detail"),
    path("reports/<int:pk>/transition/", staff_views.problem_transition, name="problem_transition"),
    path("reverify/", staff_views.reverify_queue, name="reverify"),
    path("dashboard/", staff_views.unit_overview, name="overview"),
    path("idle/", staff_views.idle_list, name="idle"),
    path("activities/", staff_views.activity_list, name="activity_list"),
    path("activities/<int:pk>/", staff_views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/photos/", staff_views.activity_photo_add, name="activity_photo_add"),
    path("<int:position_id>/week/", staff_views.ledger_week, name="week"),
    path("<int:position_id>/today/", staff_views.ledger_today, name="today"),
    path("<int:position_id>/<str:day>/", staff_views.ledger_entry, name="entry"),
]
