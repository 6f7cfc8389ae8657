from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "yizhan.centres"
    label = "centres"
    verbose_name = _("职工服务中心考核验收")
