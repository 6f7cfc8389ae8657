"""Coverage shares (fractions 0–1) written as people read them: a percentage."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, places: int = 1) -> str:
    """0.2043 → "20.4%" (`places` decimals); nothing → "—"."""
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, int(places))}%"
