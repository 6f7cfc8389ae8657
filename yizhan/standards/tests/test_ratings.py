"""The star rating's inputs from the ledger's selectors, and the rating policy as versioned data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError, PermissionDeniedError
from yizhan.core.roles import Role
from yizhan.ledger.tests.factories import DailyLedgerFactory, FeedbackFactory
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import PositionFactory
from yizhan.standards import services
from yizhan.standards.choices import VersionState
from yizhan.standards.rating import DEFAULT_POLICY, rate
from yizhan.standards.ratings import period_months, rating_inputs, rating_policy_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_actor, dalian):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


def test_the_inputs_come_from_the_ledger(dalian, admin):
    today = timezone.localdate()
    start = today - timedelta(days=29)
    rated, busy, idle = (PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING) for _ in range(3))
    PositionFactory(unit=dalian["zs"], state=PositionState.SUSPENDED)  # not operating: left out of the median
    for offset in range(3):
        DailyLedgerFactory(position=rated, day=start + timedelta(days=offset), visits_delivery=100, visits_courier=0)
        DailyLedgerFactory(position=busy, day=start + timedelta(days=offset), visits_delivery=200, visits_courier=0)
    DailyLedgerFactory(position=rated, day=start - timedelta(days=1), visits_delivery=999)  # before the period
    for stars in (5, 5, 5, 5, 5, 5, 5, 4, 2, 1):
        FeedbackFactory(position=rated, rating=stars)
    inputs = rating_inputs(
        actor=admin,
        position=rated,
        date_from=start,
        date_to=today,
        facilities=frozenset({"drinking_water"}),
        management=frozenset({"rules_posted"}),
    )
    months = period_months(start, today)
    assert months == Decimal(30) / Decimal("30.4375")
    assert inputs.monthly_visits == Decimal(300) / months
    # The median of 300, 600 and 0 a period: 300.
    assert inputs.district_median == Decimal(300) / months
    assert inputs.satisfaction == Decimal("0.8")
    result = rate(inputs)
    assert result.lines[2].points == 20 and result.lines[3].points == 16
    assert result.stars is None and result.rectification_required


def test_too_few_responses_give_no_satisfaction(dalian, admin):
    today = timezone.localdate()
    station = PositionFactory(unit=dalian["zs"], state=PositionState.OPERATING)
    FeedbackFactory(position=station, rating=5)
    inputs = rating_inputs(
        actor=admin,
        position=station,
        date_from=today - timedelta(days=9),
        date_to=today,
        facilities=frozenset(),
        management=frozenset(),
    )
    assert inputs.satisfaction is None and inputs.monthly_visits == 0 and inputs.district_median == 0


def test_the_policy_is_versioned_data(dalian, admin, make_actor):
    assert rating_policy_for(unit=dalian["street"]) == (DEFAULT_POLICY, None)
    data = {**DEFAULT_POLICY.to_data(), "thresholds": [[5, "95"], [4, "85"], [3, "75"]]}
    draft = services.rating_policy_draft_save(actor=admin, unit=dalian["city"], data=data, note="从严")
    assert draft.number == 1 and draft.state == VersionState.DRAFT
    # Still the default until published.
    assert rating_policy_for(unit=dalian["street"])[1] is None
    services.rating_policy_publish(actor=admin, version=draft)
    policy, version = rating_policy_for(unit=dalian["street"])
    assert version == draft and policy.thresholds[0] == (5, Decimal(95))
    # A published version never changes; the next one is a new draft.
    draft.refresh_from_db()
    draft.data = DEFAULT_POLICY.to_data()
    with pytest.raises(ApplicationError), audit_context(actor_name="test"):
        draft.save()
    with pytest.raises(ApplicationError, match="只能发布草稿"):
        services.rating_policy_publish(actor=admin, version=draft)
    second = services.rating_policy_draft_save(actor=admin, unit=dalian["city"], data={})
    services.rating_policy_publish(actor=admin, version=second)
    draft.refresh_from_db()
    assert (second.number, draft.state) == (2, VersionState.SUPERSEDED)
    assert rating_policy_for(unit=dalian["zs"]) == (DEFAULT_POLICY, second)


@pytest.mark.parametrize(
    "data",
    [
        {"thresholds": [[5, "70"], [4, "80"]]},
        {"volume_points": "abc"},
        {"management_points": {"rules_posted": "-5"}},
        {"delist_after_unrated_periods": 0},
        {"thresholds": "90"},
    ],
)
def test_a_bad_policy_is_refused(dalian, admin, data):
    with pytest.raises(ApplicationError) as refused:
        services.rating_policy_draft_save(actor=admin, unit=dalian["city"], data=data)
    assert refused.value.field == "data" and "评星规则无效" in refused.value.message


def test_only_the_federation_admin_sets_the_policy(dalian, make_actor):
    with pytest.raises(PermissionDeniedError):
        services.rating_policy_draft_save(actor=make_actor(Role.UNIT_ADMIN, dalian["zs"]), unit=dalian["zs"], data={})
