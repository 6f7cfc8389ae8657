"""Fixtures of the campaign tests: a small city federation with two districts, operating 5★
stations in each, a draft campaign, and the actors of every side."""

import pytest

from yizhan.campaigns import services
from yizhan.campaigns.choices import CampaignState
from yizhan.campaigns.tests.factories import CampaignFactory, FiveStarStationFactory
from yizhan.core.roles import Role
from yizhan.positions.choices import PositionState, StarRating


@pytest.fixture
def stations(dalian):
    """中山区: 6 operating 5★ stations, 2 operating 4★, 1 building 5★; 西岗区: 3 operating 5★."""
    zs, xg = dalian["zs"], dalian["xg"]
    return {
        "zs": [FiveStarStationFactory(unit=zs) for _ in range(6)],
        "zs_four": [FiveStarStationFactory(unit=zs, star_rating=StarRating.FOUR) for _ in range(2)],
        "zs_building": FiveStarStationFactory(unit=zs, state=PositionState.BUILDING),
        "xg": [FiveStarStationFactory(unit=xg) for _ in range(3)],
    }


@pytest.fixture
def fed(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def zs_admin(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def xg_admin(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["xg"])


@pytest.fixture
def campaign(dalian, stations):
    """A draft campaign of 大连市总工会 with 6 places (so quotas are small)."""
    return CampaignFactory(federation=dalian["city"], total_quota=6)


@pytest.fixture
def published(campaign, fed):
    """The campaign with its quotas computed and published: 中山区 4 (weight 14), 西岗区 2 (weight 6)."""
    services.quotas_compute(actor=fed, campaign=campaign)
    services.campaign_transition(actor=fed, campaign=campaign, to_state=CampaignState.PUBLISHED)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def reviewer(dalian, make_actor):
    """A reviewer account of 西岗区总工会."""
    return make_actor(Role.REVIEWER, dalian["xg"])


@pytest.fixture
def reviewer_membership(reviewer):
    return reviewer.membership
