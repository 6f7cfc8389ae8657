from django.urls import path

from yizhan.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.feedback_list, name="feedback_list"),
    path("<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("<int:pk>/transition/", views.feedback_transition, name="feedback_transition"),
    path("submitters/", views.feedback_subject, name="feedback_subject"),
]
