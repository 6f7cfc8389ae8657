"""Fixtures of the feedback tests: the registry's Dalian fixtures, a public position, and
submission helpers."""

import pytest

from yizhan.ledger import services
from yizhan.ledger.choices import FeedbackSource
from yizhan.positions.choices import PositionState
from yizhan.positions.tests import conftest as registry

# The registry's fixtures (Dalian with real boundaries, its units, the position factory).
dalian_map = registry.dalian_map
zs_admin = registry.zs_admin
make_position = registry.make_position

CLIENT = "203.0.113.7"


@pytest.fixture
def station(make_position):
    """An operating station of 中山区总工会."""
    return make_position(state=PositionState.OPERATING)


@pytest.fixture
def submit(station):
    """submit(**overrides) → feedback_submit with valid defaults on `station` from CLIENT."""

    def call(**overrides):
        values = {
            "position_id": station.pk,
            "rating": 5,
            "text": "很好",
            "phone": "",
            "source": FeedbackSource.PAGE,
            "client": CLIENT,
        }
        values.update(overrides)
        return services.feedback_submit(**values)

    return call
