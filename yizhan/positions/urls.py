from django.urls import path

from yizhan.positions import views
from yizhan.positions.imports import views as import_views

app_name = "positions"

urlpatterns = [
    path("", views.position_list, name="list"),
    path("bulk-transition/", views.position_bulk_transition, name="bulk_transition"),
    path("map/", views.position_map, name="map"),
    path("export/", views.position_export, name="export"),
    path("map/points.json", views.position_map_points, name="map_points"),
    path("new/", views.position_create, name="create"),
    path("import/", import_views.position_import, name="import"),
    path("import/template.xlsx", import_views.position_import_template, name="import_template"),
    path("import/<str:token>/", import_views.position_import_status, name="import_status"),
    path("import/<str:token>/progress.json", import_views.position_import_progress, name="import_progress"),
    path("import/<str:token>/annotated.xlsx", import_views.position_import_annotated, name="import_annotated"),
    path("<int:pk>/", views.position_detail, name="detail"),
    path("<int:pk>/photos/", views.position_photo_add, name="photo_add"),
    path("<int:pk>/photos/<int:photo_pk>/remove/", views.position_photo_remove, name="photo_remove"),
    path("<int:pk>/edit/", views.position_edit, name="edit"),
    path("<int:pk>/reveal/", views.position_reveal, name="reveal"),
    path("<int:pk>/poster.pdf", views.position_poster, name="poster"),
    path("<int:pk>/transition/", views.position_transition, name="transition"),
    path("<int:pk>/hours-exceptions/new/", views.hours_exception_create, name="hours_exception_create"),
    path("<int:pk>/hours-exceptions/<int:exception_pk>/edit/", views.hours_exception_edit, name="hours_exception_edit"),
    path(
        "<int:pk>/hours-exceptions/<int:exception_pk>/delete/",
        views.hours_exception_delete,
        name="hours_exception_delete",
    ),
]
