from django.urls import path

from yizhan.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.feedback_list, name="feedback_list"),
    path("<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("new/", views.feedback_create, name="feedback_create"),
    path("<int:pk>/transition/", views.feedback_transition, name="feedback_transition"),
    path("<int:pk>/moderate/", views.feedback_moderate, name="feedback_moderate"),
    path("submitters/", views.feedback_subject, name="feedback_subject"),
]
