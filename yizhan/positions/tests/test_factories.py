"""The registry's factories make what the rules accept: every default point lies in 中山区, a
position made with an actor is registered by the service, and the test data passes full_clean."""

import pytest

from yizhan.core.roles import Role
from yizhan.ledger.tests.factories import FeedbackFactory
from yizhan.orgs.geo import region_contains
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import ROW, HoursExceptionFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_every_default_point_lies_in_zhongshan(dalian_map):
    points = [(p.lng, p.lat) for p in PositionFactory.build_batch(ROW + 1, unit=dalian_map["zs"])]
    assert all(region_contains(dalian_map["areas"]["210202"], lng, lat) for lng, lat in points)
    assert len(set(points)) == ROW  # the row starts again


def test_with_an_actor_the_service_registers_the_position(dalian_map, make_actor):
    position = PositionFactory(actor=make_actor(Role.UNIT_ADMIN, dalian_map["zs"]), unit=dalian_map["zs"])
    assert position.region.adcode == "210202"  # found from the point
    assert position.search_initials  # the service's rules ran
    assert list(position.state_changes.values_list("to_state", flat=True)) == [PositionState.PLANNED]


def test_without_an_actor_the_row_is_saved_as_given(dalian_map):
    position = PositionFactory(unit=dalian_map["zs"])
    assert position.region == dalian_map["zs"].region
    assert not position.state_changes.exists()
    with pytest.raises(TypeError):
        PositionFactory.build(actor=object())


def test_the_test_data_passes_full_clean(dalian_map):
    position = PositionFactory(unit=dalian_map["zs"])
    for obj in (position, HoursExceptionFactory(position=position), FeedbackFactory(position=position)):
        obj.full_clean()
