"""Coverage shares (fractions 0–1) written as people read them: a percentage."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, places: int = 1) -> str:
    """0.55078 → "55.1%" (`places` decimals, rounded half up; number_format alone cuts a float's
    digits off); nothing → "—"."""
    if value is None or value == "":
        return "—"
    places = int(places)
    rounded = (Decimal(str(value)) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, places)}%"
