from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinderConfig(AppConfig):
    name = "yizhan.finder"
    label = "finder"
    verbose_name = _("公众查找")

    def ready(self) -> None:
        from yizhan.finder import checks, signals  # noqa: F401  (index freshness receivers, settings checks)
