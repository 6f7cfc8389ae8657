from django.urls import path

from yizhan.centres import views

app_name = "centres"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:round_id>/results.<str:fmt>", views.results_export, name="results_export"),
    path("new/", views.application_create, name="application_create"),
    path("models/", views.model_centre_list, name="model_centre_list"),
    path("<int:application_id>/", views.application_detail, name="application_detail"),
    path("<int:application_id>/self-check/", views.self_check, name="self_check"),
    path("<int:application_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:application_id>/file/", views.application_file, name="application_file"),
    path("<int:application_id>/transition/", views.application_transition, name="application_transition"),
    path("<int:application_id>/review/", views.review, name="review"),
    path("<int:application_id>/grade/", views.grade, name="grade"),
    path("<int:application_id>/reward/", views.reward, name="reward"),
    path("<int:application_id>/<str:document>.<str:fmt>", views.application_export, name="application_export"),
    path("attachments/<int:attachment_id>/", views.attachment_file, name="attachment_file"),
]
