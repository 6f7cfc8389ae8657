"""The walking model of spec §10: straight line × detour factor at walking speed, rounded up."""

import pytest

from yizhan.finder.walking import walk_distance_m, walk_minutes


def test_defaults_are_five_km_per_hour_and_a_detour_of_1_3(settings):
    assert settings.YIZHAN_WALK_SPEED_KMH == 5
    assert settings.YIZHAN_WALK_DETOUR_FACTOR == 1.3
    assert walk_distance_m(1000) == pytest.approx(1300)


@pytest.mark.parametrize(
    ("straight_m", "minutes"),
    [
        (0, 0),
        (0.5, 1),  # any distance at all is at least a minute
        (1250 / 1.3, 15),  # spec §10: 15 minutes = 1,250 m of walking ≈ 960 m straight
        (1250 / 1.3 + 1, 16),  # rounded up
        (1000, 16),  # 1,300 m at 83.3 m/min = 15.6
    ],
)
def test_walk_minutes(straight_m, minutes):
    assert walk_minutes(straight_m) == minutes


def test_the_settings_change_the_model(settings):
    settings.YIZHAN_WALK_SPEED_KMH = 4
    settings.YIZHAN_WALK_DETOUR_FACTOR = 1.5
    assert walk_minutes(1000) == 23  # 1,500 m at 66.7 m/min = 22.5
