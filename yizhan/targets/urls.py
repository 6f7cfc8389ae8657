"""Staff pages of targets under /staff/targets/."""

from django.urls import path

from yizhan.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.target_list, name="target_list"),
    path("new/", views.target_create, name="target_create"),
    path("<int:pk>/", views.target_detail, name="target_detail"),
    path("<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("figures/", views.figure_list, name="figure_list"),
]
