"""The ledger's part of the staff position page (issue 21 §7, issue 15): the position's feedback
(unread, to handle, a link to its list and to type one in), its open problem reports and its
daily ledger (last day entered, today's entry), each shown only to the roles that may read it;
included by one line (`{% load ledger_staff %}{% ledger_position_panel position %}`)."""

from django import template
from django.utils import timezone

from yizhan.core.roles import Action
from yizhan.ledger import selectors
from yizhan.ledger.choices import FeedbackStatus, ProblemStatus
from yizhan.ledger.models import DailyLedger, Feedback, ProblemReport

register = template.Library()


@register.inclusion_tag("ledger/_position_panel.html", takes_context=True)
def ledger_position_panel(context, position):
    actor = getattr(context.get("request"), "actor", None)
    if actor is None or actor.membership is None:
        return {"shown": False}
    panel = {
        "shown": False,
        "position": position,
        "today": timezone.localdate(),
        "feedback_shown": False,
        "problems_shown": False,
        "ledger_shown": False,
    }
    if actor.can(Action.VIEW, Feedback):
        feedback = selectors.feedback_list(actor=actor, position_id=position.pk)
        panel.update(
            shown=True,
            feedback_shown=True,
            feedback_unread=feedback.filter(status=FeedbackStatus.NEW).count(),
            feedback_open=feedback.exclude(status=FeedbackStatus.RESOLVED).count(),
            feedback_latest=list(feedback[:3]),
            may_record=actor.can(Action.CREATE, Feedback),
        )
    if actor.can(Action.VIEW, ProblemReport):
        panel.update(
            shown=True,
            problems_shown=True,
            problems=list(
                selectors.problem_report_list(actor=actor, position_id=position.pk, status=ProblemStatus.OPEN)
            ),
        )
    if actor.can(Action.VIEW, DailyLedger):
        panel.update(
            shown=True,
            ledger_shown=True,
            ledger_last=selectors.ledger_list(actor=actor, position_id=position.pk).first(),
            may_enter=actor.can(Action.CREATE, DailyLedger),
        )
    return panel
