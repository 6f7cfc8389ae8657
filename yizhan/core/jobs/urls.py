from django.urls import path

from yizhan.core.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list_page, name="list"),
    path("start/", views.job_start_page, name="start"),
    path("<int:job_id>/", views.job_detail_page, name="detail"),
    path("<int:job_id>/cancel/", views.job_cancel_page, name="cancel"),
    path("<int:job_id>/rerun/", views.job_rerun_page, name="rerun"),
    path("<int:job_id>/file/", views.job_file_page, name="file"),
]
