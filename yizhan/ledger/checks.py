"""Refuse to start with feedback limits that would fail on the first submission."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from yizhan.ledger.limits import configured_windows


@register()
def ledger_settings(app_configs, **kwargs):
    try:
        configured_windows()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="ledger.E001")]
    return []
