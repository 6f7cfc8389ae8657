"""The ledger's panels of the 工作台 (issue 21 §6): today's ledgers not yet entered; public feedback
waiting for staff, unread and read but not yet handled; the public's open problem reports, those
past their deadline, and the re-verify queue — each a link to the list filtered to exactly those
rows (the same selector counts and lists them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboard import DashboardPanel, Figure, Link, Panel
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor
from yizhan.ledger import selectors
from yizhan.ledger.choices import FeedbackStatus, ProblemStatus
from yizhan.ledger.models import DailyLedger, Feedback, ProblemReport

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


PROBLEMS_TITLE = _("问题反映与现场核实")
OPEN_REPORTS = _("待核实的问题反映")
OVERDUE_REPORTS = _("超过核实期限的问题反映")
QUEUE = _("待现场核实的阵地")
ALL_REPORTS = _("全部问题反映")


def problems_panel(actor: Actor) -> Panel | None:
    """The public's open problem reports (issue 15 §4) and the re-verify queue, for the roles that
    settle them (today's work) — each count read by the selector of the page it links to."""
    if not actor.can(Action.VIEW, ProblemReport):
        return None
    reports = reverse("ledger_staff:problem_list")
    settles = actor.can(Action.UPDATE, ProblemReport)
    figures = (
        Figure(
            OPEN_REPORTS,
            selectors.problem_report_list(actor=actor, status=ProblemStatus.OPEN).count(),
            f"{reports}?{urlencode({'status': ProblemStatus.OPEN})}",
            todo=settles,
        ),
        Figure(
            OVERDUE_REPORTS,
            selectors.problem_report_list(actor=actor, overdue=True).count(),
            f"{reports}?{urlencode({'status': ProblemStatus.OPEN, 'overdue': 1})}",
            todo=settles,
        ),
        Figure(QUEUE, selectors.reverify_queue_counts(actor=actor)[0], reverse("ledger_staff:reverify")),
    )
    return Panel(title=PROBLEMS_TITLE, figures=figures, links=(Link(ALL_REPORTS, reports),))


PROBLEMS_PANEL = DashboardPanel(name="problem_reports", order=31, build=problems_panel)


LEDGER_TITLE = _("每日台账")
MISSING_TODAY = _("今日未录入台账的阵地")
ALL_DAYS = _("全部台账")


def ledger_panel(actor: Actor) -> Panel | None:
    """Today's ledger of the positions the actor keeps: the station manager's daily work (for the
    admins above, who enter only for positions without a manager, the figure is not a to-do)."""
    if not actor.can(Action.CREATE, DailyLedger):
        return None
    today = timezone.localdate()
    missing = selectors.ledger_positions_missing(actor=actor, day=today).count()
    home = reverse("ledger_staff:home")
    figure = Figure(
        MISSING_TODAY, missing, f"{home}?{urlencode({'today': 'missing'})}", todo=actor.role == Role.STATION_MANAGER
    )
    return Panel(title=LEDGER_TITLE, figures=(figure,), links=(Link(ALL_DAYS, home),))


LEDGER_PANEL = DashboardPanel(name="ledger", order=29, build=ledger_panel)
