from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "yizhan.standards"
    label = "standards"
    verbose_name = _("建设标准与评定")

    def ready(self) -> None:
        from yizhan.orgs.signals import federation_created
        from yizhan.standards import permissions, personal_data  # noqa: F401
        from yizhan.standards.services import federation_defaults_load

        # A federation set up by `yizhan federation-create` gets the shipped standards (orgs may not
        # import this app, so it announces the federation and this app answers).
        federation_created.connect(federation_defaults_load, dispatch_uid="standards.federation_defaults_load")
