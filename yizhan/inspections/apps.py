from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "yizhan.inspections"
    label = "inspections"
    verbose_name = _("检查与整改")
