"""Reads of nomination campaigns: lists within the actor's scope, the overdue steps, and the rows
of the four annexes (`quota_table`, `review_group_rows`, `nomination_form`, `nomination_summary`)
that pages and `annexes.py` (the xlsx/docx exports) share. The annex rows take no actor: their
callers fetched the campaign (and unit) within the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from yizhan.campaigns.choices import (
    QUOTA_STATES,
    UNIT_STEPS,
    CampaignState,
    NominationState,
    ObjectionStatus,
    StepKind,
)
from yizhan.campaigns.models import (
    Campaign,
    CampaignStep,
    Honour,
    Nomination,
    Objection,
    Quota,
    ReviewAssignment,
    ReviewMember,
)
from yizhan.campaigns.subjects import score_items
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor


def campaign_list(*, actor: Actor):
    return Campaign.objects.restrict(actor).select_related("federation").order_by("-year", "-pk")


def campaign_get(*, actor: Actor, pk, action: str = Action.VIEW) -> Campaign:
    return get_for_actor(Campaign.objects.select_related("federation"), actor, action, pk=pk)


def nomination_list(*, actor: Actor, campaign: Campaign, state: str | None = None):
    rows = Nomination.objects.restrict(actor).filter(campaign=campaign).select_related("unit", "position")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("unit__path", "pk")


def assignment_list(*, actor: Actor, campaign: Campaign | None = None):
    rows = ReviewAssignment.objects.restrict(actor).select_related(
        "nomination__position", "nomination__unit", "nomination__campaign", "member"
    )
    if campaign is not None:
        rows = rows.filter(nomination__campaign=campaign)
    return rows.order_by("nomination__unit__path", "pk")


# --- overdue steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    step: CampaignStep
    units: list  # the units that have not submitted (unit steps); empty for a federation step

    @property
    def days(self) -> int:
        return (timezone.localdate() - self.step.deadline).days


def _submitted_units(campaign: Campaign, kind: str) -> set[int]:
    if kind == StepKind.REVIEW_GROUP:
        return set(ReviewMember.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    return set(Quota.objects.filter(campaign=campaign, submitted_on__isnull=False).values_list("unit_id", flat=True))


# Steps a unit owes: every unit with a place registers members; every unit with a quota nominates.
_ACTIVE_STATES = (CampaignState.DRAFT, CampaignState.PUBLISHED, CampaignState.REVIEWING, CampaignState.NOTICE)
_UNIT_STEP_OPEN = {
    StepKind.REVIEW_GROUP: (CampaignState.DRAFT, CampaignState.PUBLISHED),
    StepKind.NOMINATIONS: (CampaignState.PUBLISHED,),
}
_FEDERATION_STEP_STATES = {
    StepKind.QUOTAS: (CampaignState.DRAFT,),
    StepKind.REVIEW: (CampaignState.PUBLISHED, CampaignState.REVIEWING),
    StepKind.NOTICE: (CampaignState.PUBLISHED, CampaignState.REVIEWING, CampaignState.NOTICE),
    StepKind.APPROVAL: _ACTIVE_STATES,
}


def overdue_steps(campaign: Campaign, unit=None, today: dt.date | None = None) -> list[Overdue]:
    """The steps of `campaign` whose deadline passed without submission (spec §7), as both sides
    see them: for a unit step (review-group registration, nominations), the units with a quota
    that have not submitted — only `unit` itself when given; for a federation step, the step while
    the campaign has not got past it. Steps of the funds and the self-evaluation belong to the
    grants app."""
    today = today or timezone.localdate()
    result = []
    quota_units = [q.unit for q in Quota.objects.filter(campaign=campaign, quota__gt=0).select_related("unit")]
    for step in campaign.steps.all():
        if step.deadline >= today or step.completed_on is not None:
            continue
        if step.kind in UNIT_STEPS:
            if campaign.state not in _UNIT_STEP_OPEN[step.kind]:
                continue
            done = _submitted_units(campaign, step.kind)
            late = [u for u in quota_units if u.pk not in done and (unit is None or u.pk == unit.pk)]
            if late:
                result.append(Overdue(step, late))
        elif campaign.state in _FEDERATION_STEP_STATES.get(step.kind, ()) and unit is None:
            result.append(Overdue(step, []))
    return result


def overdue_for_actor(*, actor: Actor) -> list[tuple[Campaign, Overdue]]:
    """Overdue steps of the campaigns the actor sees: a federation admin every step of its own
    campaigns, a unit admin its own unit's steps."""
    from yizhan.core.roles import Role

    rows = []
    for campaign in campaign_list(actor=actor).filter(state__in=_ACTIVE_STATES):
        if actor.role == Role.FEDERATION_ADMIN and actor.covers_unit(campaign.federation):
            overdue = overdue_steps(campaign)
        elif actor.role == Role.UNIT_ADMIN:
            overdue = overdue_steps(campaign, unit=actor.unit)
        else:
            overdue = []
        rows.extend((campaign, o) for o in overdue)
    return rows


# --- the annexes' rows -----------------------------------------------------------------------


def quota_table(campaign: Campaign) -> list[dict]:
    """Annex 1 (名额分配表): one row per unit in unit order, with the counts it was weighed by."""
    used = dict(
        Nomination.objects.filter(campaign=campaign, state__in=QUOTA_STATES)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    rows = []
    for number, quota in enumerate(Quota.objects.filter(campaign=campaign).select_related("unit"), start=1):
        rows.append(
            {
                "number": number,
                "unit": quota.unit.name,
                "unit_code": quota.unit.code,
                "operating": quota.operating_count,
                "five_star": quota.five_star_count,
                "weight": quota.weight,
                "exact_share": quota.exact_share,
                "computed": quota.computed,
                "quota": quota.quota,
                "adjust_reason": quota.adjust_reason,
                "nominated": used.get(quota.unit_id, 0),
                "submitted_on": quota.submitted_on,
            }
        )
    return rows


def review_group_rows(campaign: Campaign) -> list[dict]:
    """Annex 2 (评议小组成员报名表): one row per registered member, leader first."""
    order = {"leader": 0, "deputy": 1, "member": 2}
    members = sorted(
        ReviewMember.objects.filter(campaign=campaign).select_related("unit"),
        key=lambda m: (order.get(m.group_role, 3), m.unit.path, m.pk),
    )
    return [
        {
            "number": number,
            "name": m.name,
            "gender": m.get_gender_display() if m.gender else "",
            "unit": m.unit.name,
            "job_title": m.job_title,
            "phone": m.phone,
            "group_role": m.get_group_role_display(),
            "confirmed": m.confirmed,
            "conflicts": m.conflicts,
        }
        for number, m in enumerate(members, start=1)
    ]


def nomination_form(nomination: Nomination) -> dict:
    """Annex 3 (推荐表): the form as filled from the position's record when nominated, the unit's
    statement, and the decision so far."""
    return {
        "campaign": nomination.campaign.name,
        "year": nomination.campaign.year,
        "unit": nomination.unit.name,
        **nomination.form,
        "statement": nomination.statement,
        "state": nomination.get_state_display(),
        "decision_reason": nomination.decision_reason,
        "sealed": bool(nomination.sealed_pdf),
    }


def nomination_summary(campaign: Campaign, unit) -> list[dict]:
    """Annex 4 (推荐汇总表) of one unit: its nominations in order (withdrawn ones left out)."""
    rows = (
        Nomination.objects.filter(campaign=campaign, unit=unit)
        .exclude(state=NominationState.WITHDRAWN)
        .select_related("position")
        .order_by("pk")
    )
    return [
        {
            "number": number,
            "official_name": n.form.get("official_name", n.subject_name),
            "address": n.form.get("address", n.subject_detail),
            "construction_type": n.form.get("construction_type", ""),
            "manager_name": n.form.get("manager_name", ""),
            "manager_phone": n.form.get("manager_phone", ""),
            "star_rating": n.form.get("star_rating", ""),
            "statement": n.statement,
            "state": n.get_state_display(),
        }
        for number, n in enumerate(rows, start=1)
    ]


def score_rows(assignment: ReviewAssignment) -> list[dict]:
    """The score sheet of the nomination's subject (`subjects.score_items`) with what was recorded."""
    return [
        {"key": key, "label": label, "max": points, "score": (assignment.scores or {}).get(key)}
        for key, label, points in score_items(assignment.nomination.campaign.subject)
    ]


# --- public ----------------------------------------------------------------------------------


def public_notices():
    """Campaigns whose notice has started (in notice or approved), for the public page."""
    return (
        Campaign.objects.filter(
            state__in=(CampaignState.NOTICE, CampaignState.APPROVED), notice_starts_on__isnull=False
        )
        .select_related("federation")
        .order_by("-notice_starts_on", "-pk")
    )


def public_notice_rows(campaign: Campaign) -> list[Nomination]:
    states = (NominationState.RECOMMENDED, NominationState.SELECTED)
    return list(
        Nomination.objects.filter(campaign=campaign, state__in=states)
        .select_related("unit", "position")
        .order_by("unit__path", "pk")
    )


def position_honours(position) -> list[Honour]:
    """The honours a position holds (its record and public page)."""
    return list(Honour.objects.filter(position=position).order_by("-awarded_on", "pk"))


def open_objections(campaign: Campaign):
    return Objection.objects.filter(campaign=campaign, status=ObjectionStatus.OPEN)


def campaign_counts(campaign: Campaign) -> dict:
    counts = dict(
        Nomination.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "counts": counts,
        "objections_open": Objection.objects.filter(campaign=campaign, status=ObjectionStatus.OPEN).count(),
        "objections": Objection.objects.filter(campaign=campaign).count(),
        "members": ReviewMember.objects.filter(campaign=campaign).count(),
        "members_confirmed": ReviewMember.objects.filter(campaign=campaign, confirmed=True).count(),
        "assignments_done": ReviewAssignment.objects.filter(
            Q(nomination__campaign=campaign) & Q(total__isnull=False)
        ).count(),
    }


# --- single records within the actor's scope ---------------------------------------------------


def quota_get(*, actor: Actor, pk, action: str = Action.VIEW) -> Quota:
    return get_for_actor(Quota.objects.select_related("unit", "campaign"), actor, action, pk=pk)


def step_get(*, actor: Actor, pk, action: str = Action.VIEW) -> CampaignStep:
    return get_for_actor(CampaignStep.objects.select_related("campaign"), actor, action, pk=pk)


def member_get(*, actor: Actor, pk, action: str = Action.VIEW) -> ReviewMember:
    return get_for_actor(ReviewMember.objects.select_related("unit", "campaign"), actor, action, pk=pk)


def conflict_candidates(member: ReviewMember) -> list[dict]:
    """The positions nominated in the member's campaign (withdrawn ones left out) that the member
    may declare a conflict with: code, name, unit, whether declared, and whether the rule keeps the
    member away from it anyway (a nomination of the member's own unit or below it). Names and
    codes only, as the public notice shows them: the member needs them to declare."""
    federation_id = member.campaign.federation_id
    rows = (
        Nomination.objects.filter(campaign_id=member.campaign_id, position__isnull=False)
        .exclude(state=NominationState.WITHDRAWN)
        .select_related("position__unit", "unit")
        .order_by("unit__path", "position__code")
    )
    declared = set(member.conflict_positions or [])
    return [
        {
            "code": n.position.code,
            "name": n.position.official_name,
            "unit": n.unit.name,
            "declared": n.position.code in declared,
            "own_unit": n.unit_id == member.unit_id
            or (member.unit_id != federation_id and n.position.unit.path.startswith(member.unit.path)),
        }
        for n in rows
    ]


def member_list(*, actor: Actor, campaign: Campaign):
    return (
        ReviewMember.objects.restrict(actor)
        .filter(campaign=campaign)
        .select_related("unit")
        .order_by("unit__path", "pk")
    )


def nomination_get(*, actor: Actor, pk, action: str = Action.VIEW) -> Nomination:
    return get_for_actor(
        Nomination.objects.select_related("unit", "position", "campaign", "meeting"), actor, action, pk=pk
    )


def nomination_history(*, actor: Actor, nomination: Nomination):
    from yizhan.campaigns.models import NominationStateChange

    return NominationStateChange.objects.restrict(actor).filter(nomination=nomination).order_by("created_at", "pk")


def campaign_history(*, actor: Actor, campaign: Campaign):
    from yizhan.campaigns.models import CampaignStateChange

    return CampaignStateChange.objects.restrict(actor).filter(campaign=campaign).order_by("created_at", "pk")


def assignment_get(*, actor: Actor, pk, action: str = Action.VIEW) -> ReviewAssignment:
    return get_for_actor(
        ReviewAssignment.objects.select_related("nomination__position", "nomination__campaign", "member"),
        actor,
        action,
        pk=pk,
    )


def meeting_list(*, actor: Actor, campaign: Campaign):
    from yizhan.campaigns.models import ReviewMeeting

    return ReviewMeeting.objects.restrict(actor).filter(campaign=campaign)


def meeting_get(*, actor: Actor, pk):
    from yizhan.campaigns.models import ReviewMeeting

    return get_for_actor(ReviewMeeting.objects.all(), actor, Action.VIEW, pk=pk)


def objection_list(*, actor: Actor, campaign: Campaign):
    return Objection.objects.restrict(actor).filter(campaign=campaign).select_related("nomination__position")


def objection_get(*, actor: Actor, pk, action: str = Action.VIEW) -> Objection:
    return get_for_actor(Objection.objects.select_related("campaign"), actor, action, pk=pk)


def honour_list(*, actor: Actor, campaign: Campaign):
    return Honour.objects.restrict(actor).filter(campaign=campaign).select_related("position__unit")


def honour_get(*, actor: Actor, pk, action: str = Action.VIEW) -> Honour:
    return get_for_actor(Honour.objects.select_related("position"), actor, action, pk=pk)


def public_campaign(pk) -> Campaign | None:
    """A campaign whose notice has started, for the public page (None for any other id)."""
    return public_notices().filter(pk=pk).first()
