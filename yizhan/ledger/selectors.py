"""Reads of the ledger and feedback context; every selector takes the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor, require
from yizhan.ledger.choices import ActivityKind, FeedbackStatus, ProblemKind, ProblemStatus
from yizhan.ledger.models import (
    SUMMED,
    Activity,
    ActivityPhoto,
    DailyLedger,
    DailyLedgerRevision,
    Feedback,
    FeedbackStatusChange,
    LedgerMonth,
    ProblemReport,
    ProblemReportStateChange,
)
from yizhan.positions.choices import PUBLIC_STATES
from yizhan.positions.models import Position


def feedback_list(
    *,
    actor: Actor,
    position_id: int | None = None,
    status: str = "",
    unit=None,
    date_from: date | None = None,
    date_to: date | None = None,
    rated: bool = False,
) -> QuerySet[Feedback]:
    """Feedback on the positions in the actor's scope, newest first, optionally of one position,
    one handling status, one unit's subtree, a period of submission days, or only the rated ones
    (what a satisfaction rate counts). Phones are for the caller to mask (`Feedback.masked_phone`)."""
    require(actor, Action.VIEW, Feedback)
    feedback = Feedback.objects.restrict(actor).select_related("position")
    if position_id is not None:
        feedback = feedback.filter(position_id=position_id)
    if status in FeedbackStatus.values:
        feedback = feedback.filter(status=status)
    if unit is not None:
        feedback = feedback.filter(position__unit__path__startswith=unit.path)
    if date_from is not None:
        feedback = feedback.filter(created_at__date__gte=date_from)
    if date_to is not None:
        feedback = feedback.filter(created_at__date__lte=date_to)
    if rated:
        feedback = feedback.filter(rating__isnull=False)
    return feedback.order_by("-created_at", "-pk")


def feedback_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Feedback:
    """One feedback in the actor's scope (404 outside it, 403 when the role may not take `action`)."""
    return get_for_actor(Feedback.objects.select_related("position", "position__unit"), actor, action, pk=pk)


def feedback_history(*, actor: Actor, feedback: Feedback) -> QuerySet[FeedbackStatusChange]:
    """The handling moves of a feedback the caller fetched within the actor's scope, oldest first."""
    require(actor, Action.VIEW, Feedback)
    return FeedbackStatusChange.objects.filter(feedback=feedback).order_by("created_at", "pk")


def feedback_of_submitter(*, actor: Actor, phone: str, action: str = Action.EXPORT) -> QuerySet[Feedback]:
    """Feedback in the actor's scope sent with `phone` (cleaned as stored), oldest first: what a
    submitter's request to export (EXPORT) or erase (DELETE) their data covers. Only the roles
    that may take `action` on feedback (federation and unit admins)."""
    require(actor, action, Feedback)
    return (
        Feedback.objects.restrict(actor, action)
        .filter(phone=phone)
        .select_related("position")
        .order_by("created_at", "pk")
    )


# --- the daily ledger --------------------------------------------------------------------------


def ledger_list(
    *,
    actor: Actor,
    position_id: int | None = None,
    unit=None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[DailyLedger]:
    """Days of the ledger of the positions in the actor's scope, newest first; optionally of one
    position, of one unit's subtree (a unit in scope) and within a period (both ends included)."""
    require(actor, Action.VIEW, DailyLedger)
    days = DailyLedger.objects.restrict(actor).select_related("position")
    if position_id is not None:
        days = days.filter(position_id=position_id)
    if unit is not None:
        days = days.filter(position__unit__path__startswith=unit.path)
    if date_from is not None:
        days = days.filter(day__gte=date_from)
    if date_to is not None:
        days = days.filter(day__lte=date_to)
    return days.order_by("-day", "position_id")


def ledger_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> DailyLedger:
    """One day of the ledger in the actor's scope (404 outside it)."""
    return get_for_actor(DailyLedger.objects.select_related("position", "position__unit"), actor, action, pk=pk)


def ledger_day(*, actor: Actor, position: Position, day: date) -> DailyLedger | None:
    """The entered day of a position the caller fetched in scope, or None when not entered."""
    require(actor, Action.VIEW, DailyLedger)
    return DailyLedger.objects.restrict(actor).filter(position=position, day=day).first()


def ledger_revisions(*, actor: Actor, ledger: DailyLedger) -> QuerySet[DailyLedgerRevision]:
    """The earlier figures of a day the caller fetched in scope, newest correction first."""
    require(actor, Action.VIEW, DailyLedger)
    return DailyLedgerRevision.objects.filter(ledger=ledger).order_by("-created_at", "-pk")


def ledger_positions(*, actor: Actor) -> QuerySet[Position]:
    """The positions whose ledger the actor may keep: in scope and serving (operating, suspended),
    by code. The station manager's page lists these with today's state."""
    require(actor, Action.CREATE, DailyLedger)
    return Position.objects.restrict(actor).filter(state__in=PUBLIC_STATES).select_related("unit").order_by("code")


def ledger_positions_missing(*, actor: Actor, day: date) -> QuerySet[Position]:
    """The positions whose ledger the actor keeps (`ledger_positions`) with no entry for `day`."""
    entered = DailyLedger.objects.filter(day=day).values("position_id")
    return ledger_positions(actor=actor).exclude(pk__in=entered)


def ledger_totals(
    *,
    actor: Actor,
    unit=None,
    position_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, int]:
    """The sums of every count over the days in the actor's scope (as `ledger_list` filters them),
    with the number of days (spec §6: totals roll up the unit tree). Whole months are read from
    the monthly summary (`LedgerMonth`, one row per position and month), the partial months at
    either end of the period from the daily rows: the same sums as over the daily rows alone
    (tested), at a thirtieth of the rows for long periods."""
    require(actor, Action.VIEW, DailyLedger)
    first_full = None if date_from is None else (date_from if date_from.day == 1 else _next_month(date_from))
    after_full = None
    if date_to is not None:
        month_ends = _next_month(date_to) - timedelta(days=1) == date_to
        after_full = _next_month(date_to) if month_ends else date_to.replace(day=1)
    totals = dict.fromkeys(("days", *SUMMED), 0)

    def add(sums: dict) -> None:
        for name in totals:
            totals[name] += sums[name] or 0

    if first_full is not None and after_full is not None and first_full >= after_full:
        daily = ledger_list(actor=actor, position_id=position_id, unit=unit, date_from=date_from, date_to=date_to)
        add(daily.order_by().aggregate(days=Count("day"), **{name: Sum(name) for name in SUMMED}))
        return totals
    months = LedgerMonth.objects.restrict(actor)
    if position_id is not None:
        months = months.filter(position_id=position_id)
    if unit is not None:
        months = months.filter(position__unit__path__startswith=unit.path)
    if first_full is not None:
        months = months.filter(month__gte=first_full)
    if after_full is not None:
        months = months.filter(month__lt=after_full)
    add(months.order_by().aggregate(days=Sum("days"), **{name: Sum(name) for name in SUMMED}))
    edges = []
    if date_from is not None and date_from < first_full:
        edges.append((date_from, first_full - timedelta(days=1)))
    if date_to is not None and after_full <= date_to:
        edges.append((after_full, date_to))
    for start, end in edges:
        daily = ledger_list(actor=actor, position_id=position_id, unit=unit, date_from=start, date_to=end)
        add(daily.order_by().aggregate(days=Count("day"), **{name: Sum(name) for name in SUMMED}))
    return totals


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# --- problem reports and the re-verify queue ----------------------------------------------------


def problem_report_list(
    *, actor: Actor, position_id: int | None = None, status: str = "", overdue: bool = False, unit=None
) -> QuerySet[ProblemReport]:
    """Problem reports on the positions in the actor's scope, newest first; optionally of one
    position, one unit's subtree, one status, or only the open ones past their deadline (`overdue`)."""
    require(actor, Action.VIEW, ProblemReport)
    reports = ProblemReport.objects.restrict(actor).select_related("position")
    if position_id is not None:
        reports = reports.filter(position_id=position_id)
    if unit is not None:
        reports = reports.filter(position__unit__path__startswith=unit.path)
    if status in ProblemStatus.values:
        reports = reports.filter(status=status)
    if overdue:
        reports = reports.filter(status=ProblemStatus.OPEN, due_on__lt=timezone.localdate())
    return reports.order_by("-created_at", "-pk")


def problem_report_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> ProblemReport:
    """One problem report in the actor's scope (404 outside it, 403 when the role may not)."""
    return get_for_actor(ProblemReport.objects.select_related("position", "position__unit"), actor, action, pk=pk)


def problem_report_history(*, actor: Actor, report: ProblemReport) -> QuerySet[ProblemReportStateChange]:
    """The handling moves of a report the caller fetched in scope, newest first."""
    require(actor, Action.VIEW, ProblemReport)
    return ProblemReportStateChange.objects.filter(report=report).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class PublicNotice:
    """What the public page says of an open report: the kind and the day, never the text."""

    kind: str
    label: str
    day: date


def problem_notices(*, position_id: int) -> list[PublicNotice]:
    """The open problem reports of a public position, one notice per kind (its latest day), for the
    public page and API (spec §2: shown until resolved). No actor: public information."""
    latest: dict[str, date] = {}
    reports = ProblemReport.objects.filter(
        position_id=position_id, status=ProblemStatus.OPEN, position__state__in=PUBLIC_STATES
    ).values_list("kind", "created_at")
    for kind, created_at in reports:
        day = timezone.localdate(created_at)
        if kind not in latest or day > latest[kind]:
            latest[kind] = day
    labels = dict(ProblemKind.choices)
    return [PublicNotice(kind, str(labels[kind]), latest[kind]) for kind in ProblemKind.values if kind in latest]


# Reports that a position could not be used at all (closed in its hours, locked): while one is open
# the public finder ranks the position after the others or leaves it out
# (YIZHAN_FINDER_REPORTED_CLOSED, issue 15 §4), kind → label.
CLOSED_KINDS = {ProblemKind.CLOSED.value: ProblemKind.CLOSED.label, ProblemKind.LOCKED.value: ProblemKind.LOCKED.label}


def open_closed_reports(*, position_ids: list[int] | None = None) -> dict[int, frozenset[str]]:
    """The kinds of CLOSED_KINDS with an open report, by position (of all positions, or of
    `position_ids`); positions without one are left out. One query on the open reports, for the
    public finder's index. No actor: public information (the kind, never the text)."""
    reports = ProblemReport.objects.filter(status=ProblemStatus.OPEN, kind__in=list(CLOSED_KINDS))
    if position_ids is not None:
        reports = reports.filter(position_id__in=position_ids)
    found: dict[int, set[str]] = {}
    for position_id, kind in reports.order_by().values_list("position_id", "kind").distinct():
        found.setdefault(position_id, set()).add(kind)
    return {pk: frozenset(kinds) for pk, kinds in found.items()}


@dataclass(frozen=True)
class QueueEntry:
    """A position to check on site: its open reports (earliest deadline first) and/or its stale
    verified-on date (spec §2; issue 15 §4)."""

    position: Position
    reports: tuple[ProblemReport, ...]
    due_on: date | None  # the earliest deadline of its open reports
    stale: bool  # not verified on site within YIZHAN_VERIFIED_STALE_DAYS (or never)

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


def reverify_queue(*, actor: Actor, today: date | None = None, unit=None) -> list[QueueEntry]:
    """The re-verify queue of the actor's scope: public positions with an open problem report
    (earliest deadline first), then those not verified on site for YIZHAN_VERIFIED_STALE_DAYS days
    or never (oldest first). Station managers see their unit's, admins their subtree's (or one
    unit's subtree within it)."""
    require(actor, Action.VIEW, ProblemReport)
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.YIZHAN_VERIFIED_STALE_DAYS)
    open_reports = (
        ProblemReport.objects.restrict(actor)
        .filter(status=ProblemStatus.OPEN, position__state__in=PUBLIC_STATES)
        .filter(**({"position__unit__path__startswith": unit.path} if unit is not None else {}))
        .select_related("position", "position__unit")
        .order_by("due_on", "created_at", "pk")
    )
    by_position: dict[int, list[ProblemReport]] = {}
    positions: dict[int, Position] = {}
    for report in open_reports:
        by_position.setdefault(report.position_id, []).append(report)
        positions[report.position_id] = report.position
    stale = (
        Position.objects.restrict(actor)
        .filter(state__in=PUBLIC_STATES)
        .filter(**({"unit__path__startswith": unit.path} if unit is not None else {}))
        .filter(Q(verified_on__isnull=True) | Q(verified_on__lt=cutoff))
        .select_related("unit")
        .order_by(F("verified_on").asc(nulls_first=True), "code")
    )
    stale_ids = set()
    later = []
    for position in stale:
        stale_ids.add(position.pk)
        if position.pk not in by_position:
            later.append(QueueEntry(position, (), None, True))
    first = [
        QueueEntry(positions[pk], tuple(reports), reports[0].due_on, pk in stale_ids)
        for pk, reports in by_position.items()
    ]
    first.sort(key=lambda entry: (entry.due_on, entry.position.code))
    return first + later


def reverify_queue_counts(*, actor: Actor, unit=None, today: date | None = None) -> tuple[int, int]:
    """(positions in the re-verify queue, of which stale) without loading them: what
    `reverify_queue` lists, counted in the database (the 工作台 and the dashboard show the counts
    on every load, over subtrees of any size)."""
    require(actor, Action.VIEW, ProblemReport)
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.YIZHAN_VERIFIED_STALE_DAYS)
    reported = ProblemReport.objects.restrict(actor).filter(status=ProblemStatus.OPEN).values("position_id")
    positions = Position.objects.restrict(actor)
    if unit is not None:
        positions = positions.filter(unit__path__startswith=unit.path)
    # The state in the counts' filters, not the query's: SQLite without statistics would read every
    # public position of the network by the state index rather than the subtree's by their unit.
    public = Q(state__in=PUBLIC_STATES)
    stale = Q(verified_on__isnull=True) | Q(verified_on__lt=cutoff)
    counts = positions.filter(stale | Q(pk__in=reported)).aggregate(
        queue=Count("pk", filter=public), stale=Count("pk", filter=public & stale)
    )
    return counts["queue"], counts["stale"]


# --- satisfaction (spec §6; issue 15 §5) --------------------------------------------------------

SATISFIED_FROM = 4  # spec §6: the satisfaction rate is the share of ratings 4–5


@dataclass(frozen=True)
class Satisfaction:
    """Ratings in a period: how many were given, how many were 4 or 5, and the minimum below which
    the rate is not stated ("not enough responses", YIZHAN_SATISFACTION_MIN_RESPONSES)."""

    responses: int
    satisfied: int
    minimum: int

    @property
    def enough(self) -> bool:
        return self.responses >= self.minimum and self.responses > 0

    @property
    def rate(self) -> float | None:
        """The share of 4–5 ratings (0–1), or None when there are not enough responses."""
        return self.satisfied / self.responses if self.enough else None


def satisfaction_rate(*, responses: int, satisfied: int, minimum: int | None = None) -> Satisfaction:
    """The satisfaction rule in one place (spec §6): share of ratings 4–5 of those given, stated
    only from `minimum` responses (default YIZHAN_SATISFACTION_MIN_RESPONSES, 10)."""
    minimum = settings.YIZHAN_SATISFACTION_MIN_RESPONSES if minimum is None else minimum
    return Satisfaction(responses=responses, satisfied=satisfied, minimum=minimum)


def satisfaction(
    *,
    actor: Actor,
    position_id: int | None = None,
    unit=None,
    date_from: date | None = None,
    date_to: date | None = None,
    minimum: int | None = None,
) -> Satisfaction:
    """Satisfaction of the positions in the actor's scope — one position, a unit's subtree, or all
    — over a period of submission days (Asia/Shanghai, both ends included): the selector the star
    rating (spec §4, "effect") and the centre grading (§8) call. Ratings of feedback whose text was
    hidden or erased still count; feedback without a rating does not."""
    require(actor, Action.VIEW, Feedback)
    rated = Feedback.objects.restrict(actor).filter(rating__isnull=False)
    if position_id is not None:
        rated = rated.filter(position_id=position_id)
    if unit is not None:
        rated = rated.filter(position__unit__path__startswith=unit.path)
    if date_from is not None:
        rated = rated.filter(created_at__date__gte=date_from)
    if date_to is not None:
        rated = rated.filter(created_at__date__lte=date_to)
    counts = rated.order_by().aggregate(
        responses=Count("pk"), satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_FROM))
    )
    return satisfaction_rate(responses=counts["responses"], satisfied=counts["satisfied"], minimum=minimum)


# --- activities ---------------------------------------------------------------------------------


def activity_list(
    *,
    actor: Actor,
    position_id: int | None = None,
    unit=None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Activity]:
    """Activities of the units in the actor's scope, latest first; by position, unit subtree, kind
    and period (held on, both ends included)."""
    require(actor, Action.VIEW, Activity)
    activities = Activity.objects.restrict(actor).select_related("unit", "position")
    if position_id is not None:
        activities = activities.filter(position_id=position_id)
    if unit is not None:
        activities = activities.filter(unit__path__startswith=unit.path)
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    if date_from is not None:
        activities = activities.filter(held_on__gte=date_from)
    if date_to is not None:
        activities = activities.filter(held_on__lte=date_to)
    return activities.order_by("-held_on", "-pk")


def activity_get(*, actor: Actor, pk: int, action: str = Action.VIEW) -> Activity:
    return get_for_actor(Activity.objects.select_related("unit", "position"), actor, action, pk=pk)


def activity_photos(*, actor: Actor, activity: Activity) -> QuerySet[ActivityPhoto]:
    require(actor, Action.VIEW, Activity)
    return ActivityPhoto.objects.filter(activity=activity).order_by("created_at", "pk")
