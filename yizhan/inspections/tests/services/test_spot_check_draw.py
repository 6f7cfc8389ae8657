"""The spot-check draw service (issue 16 §4): the units in scope as strata, a size or a rate, the
recorded seed reproducing the draw, recently inspected positions left out unless asked, a draw
larger than the eligible set refused with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.inspections import services
from yizhan.inspections.choices import InspectionKind, InspectionState
from yizhan.inspections.models import Inspection, SpotCheckDraw
from yizhan.inspections.tests.factories import InspectionFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(dalian):
    """中山区 6 operating stations (2 in its street), 西岗区 4; one planned and one delisted."""
    made = {
        "zs": [PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING) for _ in range(4)]
        + [PositionFactory(unit=dalian["street"], state=PositionState.OPERATING) for _ in range(2)],
        "xg": [PositionFactory(unit=dalian["xg"], state=PositionState.OPERATING) for _ in range(4)],
    }
    PositionFactory(unit=dalian["zs"], state=PositionState.PLANNED)
    PositionFactory(unit=dalian["xg"], state=PositionState.DELISTED)
    return made


def _draw(actor, units, nine, **kw):
    return services.spot_check_draw(
        actor=actor, units=units, version=nine, ends_on=timezone.localdate() + timedelta(days=20), **kw
    )


def _picked(record):
    return sorted(Inspection.objects.filter(draw=record).values_list("position_id", flat=True))


def test_a_draw_is_stratified_recorded_and_planned(city_admin, dalian, network, nine):
    record = _draw(city_admin, [dalian["zs"], dalian["xg"]], nine, size=5, seed=42)
    assert (record.eligible, record.picked, record.seed, record.size) == (10, 5, 42, 5)
    assert [(s["code"], s["eligible"], len(s["picked"])) for s in record.strata] == [("DL-ZS", 6, 3), ("DL-XG", 4, 2)]
    inspections = Inspection.objects.filter(draw=record)
    assert inspections.count() == 5
    assert {(i.kind, i.state, i.unit_id) for i in inspections} == {
        (InspectionKind.SPOT_CHECK, InspectionState.PLANNED, dalian["city"].pk)
    }
    zs_ids = {p.pk for p in network["zs"]}
    assert len(set(_picked(record)) & zs_ids) == 3


def test_the_same_seed_draws_the_same_positions(city_admin, dalian, network, nine):
    first = _draw(city_admin, [dalian["zs"], dalian["xg"]], nine, size=4, seed=7, include_recent=True)
    again = _draw(city_admin, [dalian["xg"], dalian["zs"]], nine, size=4, seed=7, include_recent=True)
    assert _picked(first) == _picked(again)
    assert [s["picked"] for s in first.strata] == [s["picked"] for s in again.strata]


def test_a_new_seed_is_made_and_recorded_when_none_is_given(city_admin, dalian, network, nine):
    record = _draw(city_admin, [dalian["zs"]], nine, rate="0.5")
    assert 0 <= record.seed < 2**53 and record.picked == 3 and str(record.rate) == "0.5000"


def test_recently_inspected_positions_are_left_out_unless_asked(city_admin, dalian, network, nine):
    xg = network["xg"]
    today = timezone.localdate()
    # Inspected 30 days ago (confirmed) and an open one: left out; 100 days ago: eligible again.
    InspectionFactory(
        position=xg[0],
        state=InspectionState.CONFIRMED,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=20),
        inspected_on=today - timedelta(days=25),
    )
    InspectionFactory(position=xg[1], state=InspectionState.PLANNED)
    InspectionFactory(
        position=xg[2],
        state=InspectionState.CONFIRMED,
        starts_on=today - timedelta(days=100),
        ends_on=today - timedelta(days=95),
        inspected_on=today - timedelta(days=99),
    )
    InspectionFactory(position=xg[3], state=InspectionState.CANCELLED, starts_on=today - timedelta(days=5))
    record = _draw(city_admin, [dalian["xg"]], nine, size=2, seed=1)
    assert record.eligible == 2 and set(_picked(record)) == {xg[2].pk, xg[3].pk}
    with pytest.raises(ApplicationError) as refused:
        _draw(city_admin, [dalian["xg"]], nine, size=2, seed=1, recent_days=200)
    assert "符合条件的阵地数 0" in refused.value.message  # those just drawn are open now too
    # Asked to include them: all four are eligible.
    record = _draw(city_admin, [dalian["xg"]], nine, size=4, seed=1, include_recent=True)
    assert record.eligible == 4


def test_a_draw_larger_than_the_eligible_set_is_refused_and_writes_nothing(city_admin, dalian, network, nine):
    with pytest.raises(ApplicationError) as refused:
        _draw(city_admin, [dalian["zs"], dalian["xg"]], nine, size=11, seed=3)
    assert refused.value.message == "抽取数量 11 超过符合条件的阵地数 10，请减少抽取数量或放宽条件"
    assert refused.value.field == "size"
    assert (SpotCheckDraw.objects.count(), Inspection.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({}, "size"),
        ({"size": 1, "rate": "0.5"}, "size"),
        ({"size": 0}, "size"),
        ({"size": "三"}, "size"),
        ({"rate": "0"}, "rate"),
        ({"rate": "1.5"}, "rate"),
        ({"rate": "NaN"}, "rate"),
        ({"size": 1, "seed": -1}, "seed"),
        ({"size": 1, "seed": 2**60}, "seed"),
        ({"size": 1, "recent_days": -3}, "recent_days"),
    ],
)
def test_bad_draw_settings_are_refused(city_admin, dalian, network, nine, kw, field):
    with pytest.raises(ApplicationError) as refused:
        _draw(city_admin, [dalian["zs"]], nine, **kw)
    assert refused.value.field == field
    assert SpotCheckDraw.objects.count() == 0


def test_units_must_be_in_scope_and_apart(zs_admin, city_admin, dalian, network, nine):
    with pytest.raises(NotFoundError):
        _draw(zs_admin, [dalian["xg"]], nine, size=1)
    with pytest.raises(ApplicationError) as refused:
        _draw(city_admin, [dalian["zs"], dalian["street"]], nine, size=1)
    assert refused.value.field == "units"
    # A district admin draws within its own district.
    record = _draw(zs_admin, [dalian["zs"]], nine, size=2, seed=5)
    assert set(_picked(record)) <= {p.pk for p in network["zs"]}


def test_only_positions_the_standard_applies_to_are_drawn(city_admin, dalian, network, nine):
    from yizhan.positions.choices import CentreLevel, PositionKind

    centre = PositionFactory(
        unit=dalian["xg"],
        state=PositionState.OPERATING,
        kind=PositionKind.CENTRE,
        centre_level=CentreLevel.DISTRICT,
        official_name="西岗区职工服务中心",
    )
    record = _draw(city_admin, [dalian["xg"]], nine, size=4, seed=2)
    assert record.eligible == 4 and centre.pk not in _picked(record)
    with pytest.raises(ApplicationError) as refused:
        services.inspection_create(
            actor=city_admin, position=centre, version=nine, ends_on=timezone.localdate() + timedelta(days=3)
        )
    assert refused.value.field == "version"
