"""A metric's value (an exact Fraction) written for people: two decimals at most, no trailing zeros."""

from django import template

from yizhan.targets.progress import as_decimal

register = template.Library()


@register.filter
def figure(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{as_decimal(value).normalize():f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
