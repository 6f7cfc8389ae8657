"""`{{ fen|yuan }}`: integer fen shown as yuan with two decimals (grants.money)."""

from django import template

from yizhan.grants.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    return "" if fen is None else fen_to_yuan(int(fen))
