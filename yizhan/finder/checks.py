"""Refuse to start with finder settings that would fail on the first request."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from yizhan.core.geo.geocoder import NONE, geocoder_service
from yizhan.finder.ratelimit import parse_rate
from yizhan.finder.selectors import REPORTED_CLOSED_MODES


@register()
def finder_settings(app_configs, **kwargs):
    errors = []
    try:
        parse_rate(settings.YIZHAN_PUBLIC_RATE)
    except ImproperlyConfigured as error:
        errors.append(Error(str(error), id="finder.E001"))
    if not settings.YIZHAN_WALK_SPEED_KMH > 0:
        errors.append(Error("YIZHAN_WALK_SPEED_KMH must be a positive number of km/h", id="finder.E002"))
    if not settings.YIZHAN_WALK_DETOUR_FACTOR >= 1:
        errors.append(Error("YIZHAN_WALK_DETOUR_FACTOR must be at least 1", id="finder.E003"))
    if not settings.YIZHAN_GEOCODER_TIMEOUT_SECONDS > 0:
        errors.append(Error("YIZHAN_GEOCODER_TIMEOUT_SECONDS must be a positive number of seconds", id="finder.E004"))
    if settings.YIZHAN_FINDER_REPORTED_CLOSED not in REPORTED_CLOSED_MODES:
        errors.append(
            Error(
                f"YIZHAN_FINDER_REPORTED_CLOSED must be one of {', '.join(REPORTED_CLOSED_MODES)}",
                id="finder.E005",
            )
        )
    if settings.YIZHAN_GEOCODER != NONE and geocoder_service() == NONE:
        errors.append(
            Warning(
                f"YIZHAN_GEOCODER is {settings.YIZHAN_GEOCODER} but no key is set (YIZHAN_GEOCODER_KEY): "
                "the finder searches areas and its own positions' names and addresses only",
                id="finder.W001",
            )
        )
    return errors
