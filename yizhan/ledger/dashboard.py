"""The feedback panel of the 工作台 (issue 21 §6): public feedback waiting for staff, unread and
read but not yet handled, each a link to the feedback list filtered to that status (the same
selector counts and lists them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor
from yizhan.ledger import selectors
from yizhan.ledger.choices import FeedbackStatus
from yizhan.ledger.models import Feedback

TITLE = _("意见反馈")
UNREAD = _("未读意见")
UNRESOLVED = _("已读未处理的意见")
ALL_FEEDBACK = _("全部意见")


def feedback_panel(actor: Actor) -> Panel | None:
    """For the roles that handle feedback (the positions' station managers and the admins above)."""
    if not actor.can(Action.VIEW, Feedback):
        return None
    base = reverse("ledger:feedback_list")
    handles = actor.can(Action.UPDATE, Feedback)
    figures = tuple(
        Figure(
            label,
            selectors.feedback_list(actor=actor, status=status).count(),
            f"{base}?{urlencode({'status': status})}",
            todo=handles,
        )
        for status, label in ((FeedbackStatus.NEW, UNREAD), (FeedbackStatus.READ, UNRESOLVED))
    )
    return Panel(title=TITLE, figures=figures, links=(Link(ALL_FEEDBACK, base),))


PANEL = DashboardPanel(name="feedback", order=30, build=feedback_panel)
