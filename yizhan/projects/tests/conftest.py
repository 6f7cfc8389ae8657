"""Fixtures of the projects tests: the small Dalian federation, its admins, and a social
organisation with its own account at 中山区总工会."""

import pytest

from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.projects.tests.factories import ServiceProjectFactory, SocialOrganisationFactory


@pytest.fixture
def fed(dalian, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


@pytest.fixture
def zs(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["zs"])


@pytest.fixture
def xg(dalian, make_actor):
    return make_actor(Role.UNIT_ADMIN, dalian["xg"])


@pytest.fixture
def ngo_user(dalian, make_user):
    return make_user(Role.SOCIAL_ORG, dalian["zs"], username="ngo")


@pytest.fixture
def ngo(ngo_user):
    return Actor(user=ngo_user, membership=ngo_user.memberships.get())


@pytest.fixture
def organisation(dalian, ngo_user):
    return SocialOrganisationFactory(unit=dalian["zs"], accounts=[ngo_user])


@pytest.fixture
def other_organisation(dalian):
    return SocialOrganisationFactory(unit=dalian["zs"])


@pytest.fixture
def project(dalian):
    return ServiceProjectFactory(unit=dalian["zs"])
