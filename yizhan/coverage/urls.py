from django.urls import path

from yizhan.coverage import views

app_name = "coverage"

urlpatterns = [
    path("", views.coverage_page, name="page"),
    path("start/", views.coverage_start_page, name="start"),
    path("runs/<int:pk>/", views.coverage_run_page, name="run"),
    path("siting/", views.siting_page, name="siting"),
    path("siting/start/", views.siting_start_page, name="siting_start"),
    path("siting/<int:pk>/", views.siting_run_page, name="siting_run"),
    path("siting/<int:pk>/plan/", views.siting_plan_page, name="siting_plan"),
    path("candidates/", views.candidates_page, name="candidates"),
    path("demand/", views.demand_page, name="demand"),
    path("demand/grid/", views.demand_grid_page, name="demand_grid"),
    path("candidates/template.xlsx", views.candidates_template, name="candidates_template"),
]
