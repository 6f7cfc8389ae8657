from django.urls import path

from yizhan.finder import views

app_name = "finder"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language, name="language"),
    path("p/boundaries.json", views.boundaries, name="boundaries"),
    path("p/points.json", views.points, name="points"),
    path("p/<str:code>/", views.position, name="position"),
    path("p/<str:code>/qr.svg", views.position_qr, name="position_qr"),
    path("p/<str:code>/feedback/", views.feedback, name="feedback"),
    path("p/<str:code>/feedback/thanks/", views.feedback_thanks, name="feedback_thanks"),
]
