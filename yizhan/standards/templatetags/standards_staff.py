"""The standards' part of the staff position page (issue 16 §3): the station's stars with their
date, its latest ratings and assessments, links to its history and to a new assessment; shown
only to the roles that read assessments. Included by one line
(`{% load standards_staff %}{% standards_position_panel position %}`)."""

from django import template

from yizhan.core.roles import Action
from yizhan.standards import selectors
from yizhan.standards.models import Assessment

register = template.Library()


@register.inclusion_tag("standards/_position_panel.html", takes_context=True)
def standards_position_panel(context, position):
    actor = getattr(context.get("request"), "actor", None)
    if actor is None or actor.membership is None or not actor.can(Action.VIEW, Assessment):
        return {"shown": False}
    return {
        "shown": True,
        "position": position,
        "ratings": list(selectors.star_rating_history(actor=actor, position_id=position.pk)[:5]),
        "assessments": list(selectors.assessment_list(actor=actor, position_id=position.pk)[:3]),
        "may_assess": actor.can(Action.CREATE, Assessment),
    }
