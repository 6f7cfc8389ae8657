from django.contrib.admin.apps import AdminConfig


class YizhanAdminConfig(AdminConfig):
    default_site = "yizhan.core.admin_base.YizhanAdminSite"
