"""The inspections' demo (`yizhan demo`): a completed spot-check draw with its seed, inspections
in each state, a mutual check, rectifications open (overdue), submitted and accepted; loaded once."""

import pytest

from yizhan.core.roles import Role
from yizhan.inspections import demo
from yizhan.inspections.models import Inspection, Rectification, SpotCheckDraw
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(dalian, make_user, nine, media):
    make_user(Role.FEDERATION_ADMIN, dalian["city"], "fed_admin")
    make_user(Role.UNIT_ADMIN, dalian["zs"], "zs_admin")
    make_user(Role.UNIT_ADMIN, dalian["xg"], "xg_admin")
    for unit in ("zs", "zs", "street", "xg", "xg", "xg"):
        PositionFactory(unit=dalian[unit], state=PositionState.OPERATING)


def test_the_demo_has_every_state_and_loads_once(accounts):
    lines = demo.load()
    assert "随机抽查 1 次" in lines[0]
    record = SpotCheckDraw.objects.get()
    assert (record.seed, record.picked) == (demo.SEED, 4)
    states = sorted(Inspection.objects.values_list("kind", "state"))
    assert states == sorted(
        [
            ("spot_check", "planned"),
            ("spot_check", "in_progress"),
            ("spot_check", "submitted"),
            ("spot_check", "confirmed"),
            ("mutual", "planned"),
        ]
    )
    rectifications = sorted(Rectification.objects.values_list("state", flat=True))
    assert rectifications == ["accepted", "open", "submitted"]
    assert demo.load()[0].startswith("  检查：已有")
    assert SpotCheckDraw.objects.count() == 1
