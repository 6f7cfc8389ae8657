from django.urls import path

from yizhan.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("export.xlsx", views.project_list_export, name="project_list_export"),
    path("<int:project_id>/", views.project_detail, name="project_detail"),
    path("<int:project_id>/score-sheet/<str:fmt>/", views.score_sheet_export, name="score_sheet_export"),
    path("<int:project_id>/transition/", views.project_transition, name="project_transition"),
    path("<int:project_id>/apply/", views.project_apply, name="project_apply"),
    path("<int:project_id>/select/", views.project_select, name="project_select"),
    path("<int:project_id>/agreement/", views.project_sign, name="project_sign"),
    path("<int:project_id>/reports/", views.report_submit, name="report_submit"),
    path("<int:project_id>/archive/", views.project_archive, name="project_archive"),
    path("<int:project_id>/score/", views.score_sheet_confirm, name="score_sheet_confirm"),
    path("<int:project_id>/subsidies/", views.subsidy_pay, name="subsidy_pay"),
    path("applications/<int:application_id>/check/", views.application_check, name="application_check"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
]
