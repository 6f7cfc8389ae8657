"""Enumerations of the ledger and feedback context (spec §6), and the handling of feedback."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.roles import Action
from yizhan.core.workflow import Transition, Workflow


class FeedbackSource(models.TextChoices):
    """Where a piece of public feedback came in."""

    PAGE = "page", _("公众页面")
    QR = "qr", _("扫码")
    API = "api", _("接口（小程序等）")


class FeedbackStatus(models.TextChoices):
    """How far staff have handled it: new → read → resolved (`FEEDBACK_HANDLING`)."""

    NEW = "new", _("未读")
    READ = "read", _("已读")
    RESOLVED = "resolved", _("已处理")


MARK_READ = _("标记已读")
RESOLVE = _("标记已处理")
REOPEN = _("重新打开")

# Spec §6: "replies and handling status are tracked". The roles that may update feedback (its
# position's station manager, the admins above) read it, resolve it with a note of the reply or
# what was done (kept in the history), and reopen a resolved one with the reason.
_F = FeedbackStatus
FEEDBACK_HANDLING = Workflow(
    model="ledger.Feedback",
    history="ledger.FeedbackStatusChange",
    states=FeedbackStatus,
    state_field="status",
    action=Action.UPDATE,
    transitions=[
        Transition(_F.NEW, _F.READ, label=MARK_READ),
        Transition(_F.NEW, _F.RESOLVED, label=RESOLVE, reason_required=True),
        Transition(_F.READ, _F.RESOLVED, label=RESOLVE, reason_required=True),
        Transition(_F.RESOLVED, _F.READ, label=REOPEN, reason_required=True),
    ],
)
