from django.urls import path

from yizhan.positions import views

app_name = "positions"

urlpatterns = [
    path("", views.position_list, name="list"),
    path("bulk-transition/", views.position_bulk_transition, name="bulk_transition"),
    path("map/", views.position_map, name="map"),
    path("map/points.json", views.position_map_points, name="map_points"),
    path("new/", views.position_create, name="create"),
    path("<int:pk>/", views.position_detail, name="detail"),
    path("<int:pk>/edit/", views.position_edit, name="edit"),
    path("<int:pk>/transition/", views.position_transition, name="transition"),
]
