"""The grants' demo: grants of a few stations of three districts, disbursed, with uses within the
balance; the self-evaluation reports asked for, one submitted and the others overdue; loaded once."""

from datetime import date

import pytest

from yizhan.core.roles import Role
from yizhan.grants import demo
from yizhan.grants.choices import GrantState, ReportState
from yizhan.grants.models import Grant, GrantUse, SelfEvaluation
from yizhan.orgs.choices import UnitType
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)


@pytest.fixture
def demo_world(dalian, make_actor, make_unit):
    make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    make_actor(Role.UNIT_ADMIN, dalian["zs"])
    make_actor(Role.UNIT_ADMIN, dalian["xg"])
    for n in range(3):
        PositionFactory(code=f"DL-G{n}", unit=dalian["zs"], state=PositionState.OPERATING)
    PositionFactory(code="DL-X0", unit=dalian["xg"], state=PositionState.OPERATING)
    PositionFactory(code="DL-PLAN", unit=dalian["zs"], state=PositionState.PLANNED)
    shk = make_unit(UnitType.DISTRICT, dalian["city"], code="DL-SHK")  # no admin: skipped
    PositionFactory(code="DL-S0", unit=shk, state=PositionState.OPERATING)
    return dalian


def test_grants_uses_and_reports(demo_world):
    lines = demo.load(today=TODAY)
    assert "补助资金：3 笔" in lines[0]
    grants = Grant.objects.order_by("position__code")
    assert [g.position.code for g in grants] == ["DL-G0", "DL-G1", "DL-X0"]
    assert {g.state for g in grants} == {GrantState.DISBURSED}
    assert all(0 <= g.balance_fen < g.amount_fen for g in grants)
    for grant in grants:
        assert grant.spent_fen == sum(u.amount_fen for u in GrantUse.objects.filter(grant=grant))
    reports = SelfEvaluation.objects.order_by("unit__code")
    assert [r.state for r in reports] == [ReportState.SUBMITTED, ReportState.DRAFT] or [r.state for r in reports] == [
        ReportState.DRAFT,
        ReportState.SUBMITTED,
    ]
    assert sum(r.overdue for r in reports) == 1
    assert demo.load(today=TODAY) == ["  补助资金：已有（未重复创建）"]
    assert Grant.objects.count() == 3
