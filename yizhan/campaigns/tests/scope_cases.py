"""Scope-matrix declarations of campaigns (see yizhan/orgs/testing/scope_matrix.py), probed through
the staff API.

A campaign is meant to be seen by the units below its federation as well as above it (they
nominate in it), so its case probes reading by the list only: the matrix's rule that a record at
the parent unit answers 404 does not hold for campaigns by design (their detail is tested in
test_api.py). Records of a campaign that belong to a unit (quota rows, review-group members,
nominations, verifications, honours) follow the unit's subtree as everything else does; a reviewer
sees only the members and verifications linked to their account — here the target at "own" is
assigned to the acting reviewer and the others are not. Meetings and objections are the
federation's own. The histories and steps are read through their campaign or nomination
(test_scope_matrix.NOT_IN_MATRIX)."""

from __future__ import annotations

import json

from django.utils import timezone

from yizhan.campaigns.choices import CampaignState, NominationState, StepKind
from yizhan.campaigns.models import (
    Campaign,
    CampaignStep,
    Honour,
    Nomination,
    Objection,
    Quota,
    ReviewAssignment,
    ReviewMeeting,
    ReviewMember,
)
from yizhan.campaigns.tests.factories import (
    CampaignFactory,
    FiveStarStationFactory,
    NominationFactory,
    ReviewMemberFactory,
)
from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.orgs.tests.factories import UnitFactory

OWN_AND_BELOW = frozenset({"own", "child"})
OWN = frozenset({"own"})
WITH_ANCESTORS = frozenset({"own", "child", "parent"})
API = "/api/v1/campaigns"
SCORES = dict.fromkeys(
    ("signage", "layout", "facilities", "functions", "rules", "map", "role", "opinion", "innovation", "features"), 8
)


def _post(world: World, url: str, body: dict):
    return world.client.post(url, json.dumps(body), content_type="application/json")


def _ids(response) -> list:
    return [row["id"] for row in response.json()] if response.status_code == 200 else []


def _campaign(unit, state=CampaignState.PUBLISHED) -> Campaign:
    return CampaignFactory(federation=unit, state=state, steps=False)


# ------------------------------------------------------------------ campaigns


def _campaign_target(world: World, relation: str) -> Campaign:
    campaign = _campaign(world.units[relation], CampaignState.DRAFT)
    today = timezone.localdate()
    CampaignStep.objects.create(campaign=campaign, kind=StepKind.QUOTAS, deadline=today, original_deadline=today)
    return campaign


def _campaign_list(world, campaign, relation):
    r = world.client.get(API)
    return Outcome(campaign.pk in _ids(r), r.status_code)


def _campaign_create(world, campaign, relation):
    name = world.fresh("矩阵活动")
    unit = world.units[relation]
    body = {"federation": unit.code, "name": name, "year": 2026, "honour_title": "矩阵", "total_quota": 3}
    r = _post(world, API, body)
    return Outcome(r.status_code == 201 and Campaign.objects.filter(name=name, federation=unit).exists(), r.status_code)


def _campaign_update(world, campaign, relation):
    step = campaign.steps.get()
    new = step.deadline.toordinal() + 5
    r = _post(world, f"{API}/steps/{step.pk}/extend", {"deadline": _iso(new), "reason": "矩阵"})
    return Outcome(
        r.status_code == 200 and CampaignStep.objects.get(pk=step.pk).deadline != step.deadline, r.status_code
    )


def _iso(ordinal: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(ordinal).isoformat()


def _campaign_operate(world, campaign, relation):
    r = _post(world, f"{API}/{campaign.pk}/transition", {"to_state": "cancelled", "reason": "矩阵"})
    return Outcome(Campaign.objects.get(pk=campaign.pk).state == CampaignState.CANCELLED, r.status_code)


CAMPAIGN = ScopeCase(
    model="campaigns.campaign",
    make_target=_campaign_target,
    probes={
        ("api", "list"): _campaign_list,
        ("api", "create"): _campaign_create,
        ("api", "update"): _campaign_update,
        ("api", "operate"): _campaign_operate,
    },
    expected={
        # A federation creates for itself (its child is a district, not a federation: refused).
        Role.FEDERATION_ADMIN: {
            "list": WITH_ANCESTORS,
            "create": OWN,
            "update": OWN_AND_BELOW,
            "operate": OWN_AND_BELOW,
        },
        Role.UNIT_ADMIN: {"list": WITH_ANCESTORS},
        Role.REVIEWER: {"list": WITH_ANCESTORS},
    },
)


# ------------------------------------------------------------------ quotas


def _quota_target(world: World, relation: str) -> Quota:
    unit = world.units[relation]
    return Quota.objects.create(campaign=_campaign(unit, CampaignState.DRAFT), unit=unit, quota=2, computed=2)


def _quota_list(world, quota, relation):
    r = world.client.get(f"{API}/{quota.campaign_id}/quotas")
    return Outcome(quota.pk in _ids(r), r.status_code)


def _quota_update(world, quota, relation):
    r = _post(world, f"{API}/quotas/{quota.pk}/adjust", {"quota": 3, "reason": "矩阵"})
    return Outcome(Quota.objects.get(pk=quota.pk).quota == 3, r.status_code)


QUOTA = ScopeCase(
    model="campaigns.quota",
    make_target=_quota_target,
    probes={("api", "list"): _quota_list, ("api", "update"): _quota_update},
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW},
    },
)


# ------------------------------------------------------------------ review group


def _member_target(world: World, relation: str) -> ReviewMember:
    # The federation that confirms a member is the campaign's: campaign and member at one unit.
    campaign = _campaign(world.units[relation])
    account = world.user if relation == "own" else None
    return ReviewMemberFactory(campaign=campaign, unit=world.units[relation], confirmed=False, account=account)


def _member_list(world, member, relation):
    r = world.client.get(f"{API}/{member.campaign_id}/members")
    return Outcome(member.pk in _ids(r), r.status_code)


def _member_create(world, member, relation):
    name = world.fresh("委员")
    unit = world.units[relation]
    body = {"unit": unit.code, "name": name, "job_title": "部长", "phone": "13904110001"}
    r = _post(world, f"{API}/{member.campaign_id}/members", body)
    return Outcome(ReviewMember.objects.filter(name=name, unit=unit).exists(), r.status_code)


def _member_update(world, member, relation):
    if world.role == Role.REVIEWER:
        r = _post(world, f"{API}/members/{member.pk}/conflicts", {"conflicts": "矩阵"})
        return Outcome(ReviewMember.objects.get(pk=member.pk).conflicts == "矩阵", r.status_code)
    r = _post(world, f"{API}/members/{member.pk}/confirm", {"group_role": "member"})
    return Outcome(ReviewMember.objects.get(pk=member.pk).confirmed, r.status_code)


MEMBER = ScopeCase(
    model="campaigns.reviewmember",
    make_target=_member_target,
    probes={("api", "list"): _member_list, ("api", "create"): _member_create, ("api", "update"): _member_update},
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW},
        # A reviewer sees and declares on their own registration only.
        Role.REVIEWER: {"list": OWN, "update": OWN},
    },
)


# ------------------------------------------------------------------ meetings


def _meeting_target(world: World, relation: str) -> ReviewMeeting:
    campaign = _campaign(world.units[relation], CampaignState.REVIEWING)
    return ReviewMeeting.objects.create(campaign=campaign, held_on=timezone.localdate(), place="矩阵")


def _meeting_list(world, meeting, relation):
    r = world.client.get(f"{API}/{meeting.campaign_id}/meetings")
    return Outcome(meeting.pk in _ids(r), r.status_code)


def _meeting_create(world, meeting, relation):
    place = world.fresh("会议室")
    r = _post(
        world, f"{API}/{meeting.campaign_id}/meetings", {"held_on": timezone.localdate().isoformat(), "place": place}
    )
    return Outcome(ReviewMeeting.objects.filter(place=place).exists(), r.status_code)


MEETING = ScopeCase(
    model="campaigns.reviewmeeting",
    make_target=_meeting_target,
    probes={("api", "list"): _meeting_list, ("api", "create"): _meeting_create},
    expected={Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW}},
)


# ------------------------------------------------------------------ nominations


def _nomination_target(world: World, relation: str) -> Nomination:
    unit = world.units[relation]
    campaign = _campaign(world.units["parent"])
    Quota.objects.create(campaign=campaign, unit=unit, quota=5, computed=5)
    return NominationFactory(campaign=campaign, unit=unit)


def _nomination_list(world, nomination, relation):
    r = world.client.get(f"{API}/{nomination.campaign_id}/nominations")
    return Outcome(nomination.pk in _ids(r), r.status_code)


def _nomination_detail(world, nomination, relation):
    r = world.client.get(f"{API}/nominations/{nomination.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == nomination.pk, r.status_code)


def _nomination_history(world, nomination, relation):
    r = world.client.get(f"{API}/nominations/{nomination.pk}/history")
    return Outcome(r.status_code == 200, r.status_code)


def _nomination_create(world, nomination, relation):
    position = FiveStarStationFactory(unit=nomination.unit)
    r = _post(world, f"{API}/{nomination.campaign_id}/nominations", {"position": position.pk, "statement": "矩阵"})
    return Outcome(Nomination.objects.filter(position=position).exists(), r.status_code)


def _nomination_update(world, nomination, relation):
    r = _post(world, f"{API}/nominations/{nomination.pk}/statement", {"statement": "矩阵改"})
    return Outcome(Nomination.objects.get(pk=nomination.pk).statement == "矩阵改", r.status_code)


def _nomination_operate(world, nomination, relation):
    r = _post(world, f"{API}/nominations/{nomination.pk}/transition", {"to_state": "withdrawn", "reason": "矩阵"})
    return Outcome(Nomination.objects.get(pk=nomination.pk).state == NominationState.WITHDRAWN, r.status_code)


NOMINATION = ScopeCase(
    model="campaigns.nomination",
    make_target=_nomination_target,
    probes={
        ("api", "list"): _nomination_list,
        ("api", "detail"): _nomination_detail,
        ("api", "history"): _nomination_history,
        ("api", "create"): _nomination_create,
        ("api", "update"): _nomination_update,
        ("api", "operate"): _nomination_operate,
    },
    expected={
        role: dict.fromkeys(("list", "detail", "history", "create", "update", "operate"), OWN_AND_BELOW)
        for role in (Role.FEDERATION_ADMIN, Role.UNIT_ADMIN)
    },
)


# ------------------------------------------------------------------ on-site verification


def _assignment_target(world: World, relation: str) -> ReviewAssignment:
    unit = world.units[relation]
    nomination = NominationFactory(
        campaign=_campaign(world.units["parent"]), unit=unit, state=NominationState.SUBMITTED
    )
    elsewhere = UnitFactory(parent=world.units["own"])
    account = world.user if relation == "own" else None
    member = ReviewMemberFactory(campaign=nomination.campaign, unit=elsewhere, account=account)
    return ReviewAssignment.objects.create(nomination=nomination, member=member)


def _assignment_list(world, assignment, relation):
    r = world.client.get(f"{API}/assignments")
    return Outcome(assignment.pk in _ids(r), r.status_code)


def _assignment_create(world, assignment, relation):
    member = ReviewMemberFactory(campaign=assignment.nomination.campaign, unit=assignment.member.unit)
    r = _post(world, f"{API}/nominations/{assignment.nomination_id}/assignments", {"member": member.pk})
    return Outcome(ReviewAssignment.objects.filter(member=member).exists(), r.status_code)


def _assignment_update(world, assignment, relation):
    r = _post(world, f"{API}/assignments/{assignment.pk}/record", {"scores": SCORES, "result": "conforms"})
    return Outcome(ReviewAssignment.objects.get(pk=assignment.pk).total == 80, r.status_code)


ASSIGNMENT = ScopeCase(
    model="campaigns.reviewassignment",
    make_target=_assignment_target,
    probes={
        ("api", "list"): _assignment_list,
        ("api", "create"): _assignment_create,
        ("api", "update"): _assignment_update,
    },
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "create": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        # Assigned to the acting reviewer at "own" only.
        Role.REVIEWER: {"list": OWN, "update": OWN},
    },
)


# ------------------------------------------------------------------ objections


def _objection_target(world: World, relation: str) -> Objection:
    campaign = _campaign(world.units[relation], CampaignState.NOTICE)
    return Objection.objects.create(campaign=campaign, text="矩阵异议")


def _objection_list(world, objection, relation):
    r = world.client.get(f"{API}/{objection.campaign_id}/objections")
    return Outcome(objection.pk in _ids(r), r.status_code)


def _objection_update(world, objection, relation):
    r = _post(world, f"{API}/objections/{objection.pk}/resolve", {"outcome": "dismissed", "answer": "矩阵"})
    return Outcome(Objection.objects.get(pk=objection.pk).status == "resolved", r.status_code)


OBJECTION = ScopeCase(
    model="campaigns.objection",
    make_target=_objection_target,
    probes={("api", "list"): _objection_list, ("api", "update"): _objection_update},
    expected={Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "update": OWN_AND_BELOW}},
)


# ------------------------------------------------------------------ honours


def _honour_target(world: World, relation: str) -> Honour:
    campaign = _campaign(world.units["parent"], CampaignState.APPROVED)
    position = FiveStarStationFactory(unit=world.units[relation])
    return Honour.objects.create(campaign=campaign, position=position, title="矩阵", awarded_on=timezone.localdate())


def _honour_list(world, honour, relation):
    r = world.client.get(f"{API}/{honour.campaign_id}/honours")
    return Outcome(honour.pk in _ids(r), r.status_code)


def _honour_update(world, honour, relation):
    r = _post(world, f"{API}/honours/{honour.pk}/plaque", {"plaque_number": "矩阵-1"})
    return Outcome(Honour.objects.get(pk=honour.pk).plaque_number == "矩阵-1", r.status_code)


HONOUR = ScopeCase(
    model="campaigns.honour",
    make_target=_honour_target,
    probes={("api", "list"): _honour_list, ("api", "update"): _honour_update},
    expected={
        Role.FEDERATION_ADMIN: {"list": OWN_AND_BELOW, "update": OWN_AND_BELOW},
        Role.UNIT_ADMIN: {"list": OWN_AND_BELOW},
    },
)


CASES = [CAMPAIGN, QUOTA, MEMBER, MEETING, NOMINATION, ASSIGNMENT, OBJECTION, HONOUR]
