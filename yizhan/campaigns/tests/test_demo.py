"""The demo's campaigns: Dalian 2022 mid-flow (published quotas summing to the total, a confirmed
review group with the reviewer account, submitted nominations, one unit overdue, verifications
begun) and the 2021 one ready to approve (its seven-day notice ended before the day of loading,
its objection answered and resolved); each loaded once."""

import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from yizhan.campaigns import demo, rules, selectors, services
from yizhan.campaigns.choices import CampaignState, NominationState, ObjectionStatus, StepKind
from yizhan.campaigns.models import Campaign, Honour, Nomination, Quota, ReviewAssignment, ReviewMember
from yizhan.campaigns.tests.factories import FiveStarStationFactory
from yizhan.core.roles import Role
from yizhan.grants.models import Grant

pytestmark = pytest.mark.django_db


def test_dalian_2022_mid_flow_and_loaded_once(dalian, make_user, stations):
    make_user(Role.FEDERATION_ADMIN, dalian["city"])
    make_user(Role.UNIT_ADMIN, dalian["zs"])
    reviewer = make_user(Role.REVIEWER, dalian["city"])
    for _ in range(2):
        FiveStarStationFactory(unit=dalian["street"])
    lines = demo.load()
    assert "推树活动" in lines[0]
    campaign = Campaign.objects.get(name=demo.NAME)
    assert campaign.state == CampaignState.PUBLISHED and campaign.total_quota == 50
    assert sum(Quota.objects.filter(campaign=campaign).values_list("quota", flat=True)) == 50
    assert ReviewMember.objects.filter(campaign=campaign, account=reviewer, confirmed=True).exists()
    assert Nomination.objects.filter(campaign=campaign, state=NominationState.SUBMITTED).exists()
    overdue = selectors.overdue_steps(campaign)
    assert [o.step.kind for o in overdue] == [StepKind.NOMINATIONS] and len(overdue[0].units) == 1
    assert ReviewAssignment.objects.filter(nomination__campaign=campaign, member__account=reviewer).exists()
    assert demo.load() == ["  推树活动：已有（未重复创建）", "  推树活动（待审批）：已有（未重复创建）"]
    assert Campaign.objects.count() == 2


@pytest.mark.parametrize("loaded_at", [None, "2027-01-01 16:30:00", "2031-06-30 03:00:00"])
def test_the_2021_campaign_waits_for_approval_after_an_ended_notice(dalian, make_actor, make_user, stations, loaded_at):
    """Whatever day the demo is loaded on (UTC 16:30 is already the next day in Shanghai), the
    notice lasted seven calendar days and ended before that day; the one objection is resolved, so
    the approval is allowed and names the positions, each with its grant."""
    fed = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    make_user(Role.UNIT_ADMIN, dalian["zs"])
    with freeze_time(loaded_at or timezone.now()):
        _load_and_approve(fed)


def _load_and_approve(fed):
    today = timezone.localdate()
    demo.load()
    campaign = Campaign.objects.get(name=demo.READY_NAME)
    assert campaign.state == CampaignState.NOTICE
    assert rules.notice_days(campaign.notice_starts_on, campaign.notice_ends_on) == rules.NOTICE_MIN_DAYS
    assert campaign.notice_ends_on == today - dt.timedelta(days=demo.READY_NOTICE_ENDED)
    objection = campaign.objections.get()
    assert objection.status == ObjectionStatus.RESOLVED and objection.answer == demo.READY_ANSWER
    assert campaign.notice_starts_on < objection.resolved_on <= campaign.notice_ends_on
    recommended = list(campaign.nominations.filter(state=NominationState.RECOMMENDED))
    assert recommended and campaign.nominations.filter(state=NominationState.REJECTED).count() == 1
    assert not selectors.overdue_steps(campaign)

    campaign = services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.APPROVED)
    assert campaign.state == CampaignState.APPROVED
    assert Honour.objects.filter(campaign=campaign).count() == len(recommended)
    grants = Grant.objects.filter(source=f"campaign:{campaign.pk}")
    assert grants.count() == len(recommended) and {g.amount_fen for g in grants} == {demo.GRANT_FEN}
