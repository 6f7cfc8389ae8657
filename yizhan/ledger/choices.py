"""Enumerations of the ledger and feedback context (spec §6), and the handling of feedback."""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.roles import Action
from yizhan.core.workflow import Move, Transition, Workflow


class FeedbackSource(models.TextChoices):
    """Where a piece of feedback came in: from the public directly, or typed in by staff from a
    suggestion box, a register or a questionnaire (spec §6)."""

    PAGE = "page", _("公众页面")
    QR = "qr", _("扫码")
    API = "api", _("接口（小程序等）")
    BOX = "box", _("意见箱")
    REGISTER = "register", _("意见登记簿")
    QUESTIONNAIRE = "questionnaire", _("问卷")


# The sources staff type in (`services.feedback_record`); the others are the public's own.
STAFF_SOURCES = (FeedbackSource.BOX, FeedbackSource.REGISTER, FeedbackSource.QUESTIONNAIRE)
PUBLIC_SOURCES = (FeedbackSource.PAGE, FeedbackSource.QR, FeedbackSource.API)


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


# --- problem reports from the public (issue 15 §4; spec §2) ------------------------------------


class ProblemKind(models.TextChoices):
    """What workers report about a position, one tap each (spec §2: "closed / locked / out of
    water" reports, the workers' main complaint about today's station maps)."""

    CLOSED = "closed", _("开放时间没开门")
    LOCKED = "locked", _("门锁着进不去")
    NO_WATER = "no_water", _("没有饮用水")
    BROKEN = "broken", _("设备坏了")
    WRONG_LOCATION = "wrong_location", _("位置不对")


class ProblemStatus(models.TextChoices):
    """open (shown on the public page, in the re-verify queue) → resolved or unfounded."""

    OPEN = "open", _("待核实")
    RESOLVED = "resolved", _("已解决")
    UNFOUNDED = "unfounded", _("经核实无此问题")


RESOLVE_PROBLEM = _("已解决")
DISMISS_PROBLEM = _("核实无此问题")
REOPEN_PROBLEM = _("重新打开")


def _settle(move: Move) -> None:
    """Settling a report dates it; settling it after checking on site (`on_site`) also records
    the check on the position: its verified-on date becomes today (spec §2: the last time staff
    confirmed the record on site), in the same transaction and with the position's own audit
    entry. Reopening gives staff a new deadline."""
    report = move.obj
    today = timezone.localdate()
    if move.target == ProblemStatus.OPEN:
        report.settled_on = None
        report.settled_on_site = False
        report.due_on = today + timedelta(days=settings.YIZHAN_REVERIFY_DUE_DAYS)
        return
    report.settled_on = today
    report.settled_on_site = bool(move.extra["on_site"])
    if report.settled_on_site:
        position = apps.get_model("positions", "Position").objects.select_for_update().get(pk=report.position_id)
        if position.verified_on != today:
            position.verified_on = today
            position.save()


_P = ProblemStatus
PROBLEM_HANDLING = Workflow(
    model="ledger.ProblemReport",
    history="ledger.ProblemReportStateChange",
    states=ProblemStatus,
    state_field="status",
    action=Action.UPDATE,
    extra=("on_site",),
    apply=_settle,
    history_fields=lambda move: {"on_site": bool(move.extra["on_site"]) and move.target != ProblemStatus.OPEN},
    transitions=[
        Transition(_P.OPEN, _P.RESOLVED, label=RESOLVE_PROBLEM, reason_required=True),
        Transition(_P.OPEN, _P.UNFOUNDED, label=DISMISS_PROBLEM, reason_required=True),
        Transition(_P.RESOLVED, _P.OPEN, label=REOPEN_PROBLEM, reason_required=True),
        Transition(_P.UNFOUNDED, _P.OPEN, label=REOPEN_PROBLEM, reason_required=True),
    ],
)


# --- activities (spec §6; issue 15 §2) ---------------------------------------------------------


class ActivityKind(models.TextChoices):
    """Activities held at a position or by a unit (spec §6 and source 001)."""

    FESTIVAL = "festival", _("节日活动")
    SAFETY_TRAINING = "safety_training", _("安全培训")
    ANTI_FRAUD = "anti_fraud", _("反诈宣传")
    POLICY = "policy", _("政策宣讲")
    WARMTH = "warmth", _("送温暖")
    COOLNESS = "coolness", _("送清凉")
    HEALTH = "health", _("健康义诊")
    LEGAL = "legal", _("法律服务")
    OTHER = "other", _("其他")
