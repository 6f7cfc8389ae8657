from django.urls import path

from yizhan.orgs import setup_views, views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-unit/", views.switch_unit, name="switch_unit"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/export.xlsx", views.unit_export, name="unit_export"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:parent_pk>/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("units/<int:pk>/area/", setup_views.unit_area, name="unit_area"),
    path("units/import/", setup_views.unit_import, name="unit_import"),
    path("units/import/template.xlsx", setup_views.unit_import_template, name="unit_import_template"),
    path("regions/", views.region_map, name="region_map"),
    path("regions/<str:adcode>/", views.region_map, name="region_detail"),
    path("regions/<str:adcode>/boundaries.geojson", views.region_boundaries_geojson, name="region_boundaries"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/memberships/<int:pk>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("accounts/import/", setup_views.account_import, name="account_import"),
    path("accounts/import/template.xlsx", setup_views.account_import_template, name="account_import_template"),
    path(
        "accounts/import/<str:token>/passwords.xlsx",
        setup_views.account_import_passwords,
        name="account_import_passwords",
    ),
]
