"""The orgs factories make what the rules accept: the test password passes every configured
validator, units sit in the tree where the service puts them, and each test numbers from 1."""

import pytest
from django.contrib.auth.password_validation import validate_password

from yizhan.core.roles import Role
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.models import Unit
from yizhan.orgs.tests.factories import PASSWORD, MembershipFactory, RegionFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_test_password_meets_the_password_rules():
    user = UserFactory()
    validate_password(PASSWORD, user=UserFactory.build(username="another"))
    assert user.check_password(PASSWORD)
    assert not user.must_change_password


def test_units_grow_a_tree_through_the_service():
    city = UnitFactory()
    district = UnitFactory(parent=city)
    street = UnitFactory(parent=district)
    assert (city.type, district.type, street.type) == (UnitType.CITY_FEDERATION, UnitType.DISTRICT, UnitType.STREET)
    assert city.region.level == RegionLevel.CITY and district.region == street.region == city.region
    assert list(Unit.objects.filter(path__startswith=city.path)) == [city, district, street]
    assert district.depth == city.depth + 1 and street.depth == district.depth + 1
    assert UnitFactory(parent=city).path > district.path  # siblings in the order they were added


def test_a_boundary_sets_the_bounding_box():
    ring = [[121.0, 38.0], [122.0, 38.0], [122.0, 39.5], [121.0, 38.0]]
    region = RegionFactory(boundary={"type": "MultiPolygon", "coordinates": [[ring]]})
    assert (region.min_lng, region.min_lat, region.max_lng, region.max_lat) == (121.0, 38.0, 122.0, 39.5)
    assert RegionFactory().min_lng is None


def test_a_membership_gives_a_new_account_its_role():
    membership = MembershipFactory(role=Role.REVIEWER)
    assert list(membership.user.memberships.values_list("unit", "role")) == [(membership.unit_id, Role.REVIEWER)]


@pytest.mark.parametrize("test", ["first", "second"])
def test_every_test_numbers_from_one(test):
    assert UnitFactory().code == "U0001"
    assert UserFactory().username == "user1"
