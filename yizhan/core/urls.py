from django.urls import path

from yizhan.core import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("verify/", views.audit_chain, name="verify"),
    path("export/", views.audit_export_download, name="export"),
]
