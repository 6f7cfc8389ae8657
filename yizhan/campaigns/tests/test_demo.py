"""The demo's Dalian 2022 campaign: published quotas summing to the total, a confirmed review
group with the reviewer account, submitted nominations, one unit overdue, verifications begun;
loaded once."""

import pytest

from yizhan.campaigns import demo, selectors
from yizhan.campaigns.choices import CampaignState, NominationState, StepKind
from yizhan.campaigns.models import Campaign, Nomination, Quota, ReviewAssignment, ReviewMember
from yizhan.campaigns.tests.factories import FiveStarStationFactory
from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db


def test_dalian_2022_mid_flow_and_loaded_once(dalian, make_user, stations):
    make_user(Role.FEDERATION_ADMIN, dalian["city"])
    make_user(Role.UNIT_ADMIN, dalian["zs"])
    reviewer = make_user(Role.REVIEWER, dalian["city"])
    for _ in range(2):
        FiveStarStationFactory(unit=dalian["street"])
    lines = demo.load()
    assert "推树活动" in lines[0]
    campaign = Campaign.objects.get()
    assert campaign.state == CampaignState.PUBLISHED and campaign.total_quota == 50
    assert sum(Quota.objects.filter(campaign=campaign).values_list("quota", flat=True)) == 50
    assert ReviewMember.objects.filter(campaign=campaign, account=reviewer, confirmed=True).exists()
    assert Nomination.objects.filter(campaign=campaign, state=NominationState.SUBMITTED).exists()
    overdue = selectors.overdue_steps(campaign)
    assert [o.step.kind for o in overdue] == [StepKind.NOMINATIONS] and len(overdue[0].units) == 1
    assert ReviewAssignment.objects.filter(nomination__campaign=campaign, member__account=reviewer).exists()
    assert demo.load() == ["  推树活动：已有（未重复创建）"]
    assert Campaign.objects.count() == 1
