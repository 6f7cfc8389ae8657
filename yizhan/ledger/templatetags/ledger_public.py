"""The ledger's part of the public position page (issue 15 §4): the open problem reports as a
notice ("有职工反映：…，x月x日") and the one-tap report buttons, included by one line
(`{% load ledger_public %}{% problem_box p %}`) so the finder's page needs no code of ours."""

from django import template
from django.conf import settings

from yizhan.ledger import selectors
from yizhan.ledger.choices import ProblemKind

register = template.Library()


@register.inclusion_tag("ledger/_public_problems.html", takes_context=True)
def problem_box(context, position):
    return {
        "request": context.get("request"),
        "p": position,
        "notices": selectors.problem_notices(position_id=position.pk),
        "kinds": ProblemKind.choices,
        "csrf_token": context.get("csrf_token"),
        "photo_max_mb": settings.YIZHAN_PHOTO_MAX_BYTES // (1024 * 1024),
    }
