"""The demo's positions: ~300 inside the real boundaries, every state, construction type and centre level."""

import pytest
from django.db.models import Count

from yizhan.orgs.geo import region_contains
from yizhan.positions import demo as positions_demo
from yizhan.positions.choices import CentreLevel, ConstructionType, PositionKind, PositionState
from yizhan.positions.models import Position, PositionStateChange

pytestmark = pytest.mark.django_db


def test_demo_positions_are_realistic_and_load_once(demo):
    # `demo`: the rows of the real loaders' first run (core.testing.demo); loaded again below.
    assert any(line.startswith("  服务阵地：") and "未重复创建" not in line for line in demo.lines)
    positions = Position.objects.select_related("region", "unit__region")
    assert 280 <= positions.count() <= 320
    assert set(positions.values_list("state", flat=True)) == set(PositionState.values)
    assert set(positions.values_list("construction_type", flat=True)) == set(ConstructionType.values)
    levels = set(positions.filter(kind=PositionKind.CENTRE).values_list("centre_level", flat=True))
    assert levels == set(CentreLevel.values)
    assert positions.filter(kind=PositionKind.WORK_STATION).count() >= 3
    for position in positions:
        assert region_contains(position.region, position.lng, position.lat) is True, position
        assert region_contains(position.unit.region, position.lng, position.lat) is True, position
    urban = positions.filter(region__adcode__in=["210202", "210203", "210204", "210211"]).count()
    assert urban > positions.count() / 2
    # Every position's history walks the lifecycle to its state.
    for position in positions.filter(state=PositionState.SUSPENDED)[:5]:
        states = list(PositionStateChange.objects.filter(position=position).values_list("to_state", flat=True))
        assert states == ["planned", "building", "operating", "suspended"]
        assert position.state_reason and position.expected_reopen_on

    counts = dict(Position.objects.values_list("state").annotate(n=Count("pk")))
    assert positions_demo.load()[0].endswith("（未重复创建）")  # the whole command again: orgs/tests/test_demo.py
    assert dict(Position.objects.values_list("state").annotate(n=Count("pk"))) == counts
