"""Refuse to start with feedback or problem-report limits that would fail on the first submission."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from yizhan.ledger.limits import SETTINGS, configured_windows


@register()
def ledger_settings(app_configs, **kwargs):
    errors = []
    for kind in SETTINGS:
        try:
            configured_windows(kind)
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="ledger.E001"))
    return errors
