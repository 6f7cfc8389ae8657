"""`yizhan spot-check-draw` through Django's command runner (`call_command`): the draw printed
with its seed, the same seed reproducing it, a draw larger than the eligible set refused in
Chinese with nothing written."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yizhan.core.roles import Role
from yizhan.inspections.models import Inspection, SpotCheckDraw
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(dalian, make_user, nine):
    for unit in ("zs", "xg", "xg", "street"):
        PositionFactory(unit=dalian[unit], state=PositionState.OPERATING)
    return make_user(Role.FEDERATION_ADMIN, dalian["city"], "drawer")


def test_the_command_draws_and_a_seed_reproduces_it(world, capsys):
    call_command(
        "spot_check_draw", "DL-ZS", "DL-XG", "--as", "drawer", "--size", "2", "--seed", "77", "--include-recent"
    )
    first = capsys.readouterr().out
    assert "随机种子 77，符合条件 4 处，抽中 2 处" in first
    call_command(
        "spot_check_draw", "DL-XG", "DL-ZS", "--as", "drawer", "--size", "2", "--seed", "77", "--include-recent"
    )
    again = capsys.readouterr().out
    picked = [
        sorted(Inspection.objects.filter(draw=d).values_list("position_id", flat=True))
        for d in SpotCheckDraw.objects.order_by("pk")
    ]
    assert picked[0] == picked[1]
    assert first.splitlines()[1:][0].split("（")[0] == again.splitlines()[1:][0].split("（")[0]


def test_a_draw_too_large_is_refused_in_chinese(world):
    with pytest.raises(CommandError, match="抽取数量 9 超过符合条件的阵地数 4"):
        call_command("spot_check_draw", "DL", "--as", "drawer", "--size", "9")
    with pytest.raises(CommandError, match="找不到单位：NOPE"):
        call_command("spot_check_draw", "NOPE", "--as", "drawer", "--size", "1")
    assert SpotCheckDraw.objects.count() == 0
