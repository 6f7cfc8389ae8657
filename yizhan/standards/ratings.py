"""The star rating's inputs, read from the ledger through its selectors, and the policy a position
is rated by. The rules themselves are `rating.py` (pure); this module only gathers.

- **Monthly visits**: the position's ledger visits over the period (`ledger.selectors.ledger_totals`)
  ÷ the period's months (days ÷ 30.4375, the mean month).
- **District median**: the same figure for every operating station of the position's district
  (its `region`, a county-level area) that the actor sees, a station without ledger days counting
  0 (`ledger.selectors.ledger_list`, summed per position). The rating is run by the federation
  admin, who sees every station of the federation.
- **Satisfaction**: `ledger.selectors.satisfaction` over the period (None below its minimum number
  of responses)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from yizhan.core.scoping import Actor
from yizhan.ledger.selectors import ledger_list, ledger_totals, satisfaction
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.models import Position
from yizhan.standards.choices import VersionState
from yizhan.standards.models import RatingPolicyVersion
from yizhan.standards.rating import DEFAULT_POLICY, RatingInputs, RatingPolicy, district_median

MEAN_MONTH_DAYS = Decimal("30.4375")


def period_months(date_from: date, date_to: date) -> Decimal:
    """The months a period spans (both ends included), by the mean month."""
    return Decimal((date_to - date_from).days + 1) / MEAN_MONTH_DAYS


def monthly_visits(*, actor: Actor, position: Position, date_from: date, date_to: date) -> Decimal:
    total = ledger_totals(actor=actor, position_id=position.pk, date_from=date_from, date_to=date_to)["visits_total"]
    return Decimal(total) / period_months(date_from, date_to)


def district_monthly_visits(*, actor: Actor, position: Position, date_from: date, date_to: date) -> list[Decimal]:
    """Monthly visits of each operating station of the position's district that the actor sees."""
    stations = Position.objects.restrict(actor).filter(
        region_id=position.region_id, kind=PositionKind.STATION, state=PositionState.OPERATING
    )
    sums = dict(
        ledger_list(actor=actor, date_from=date_from, date_to=date_to)
        .filter(position__in=stations)
        .order_by()
        .values_list("position_id")
        .annotate(visits=Sum("visits_total"))
    )
    months = period_months(date_from, date_to)
    return [Decimal(sums.get(pk, 0)) / months for pk in stations.values_list("pk", flat=True)]


def rating_inputs(
    *,
    actor: Actor,
    position: Position,
    date_from: date,
    date_to: date,
    facilities: frozenset[str],
    management: frozenset[str],
) -> RatingInputs:
    """Everything a rating of `position` over the period reads; `facilities` and `management` are
    what the assessment found."""
    rate = satisfaction(actor=actor, position_id=position.pk, date_from=date_from, date_to=date_to).rate
    return RatingInputs(
        facilities=frozenset(facilities),
        management=frozenset(management),
        monthly_visits=monthly_visits(actor=actor, position=position, date_from=date_from, date_to=date_to),
        district_median=district_median(
            district_monthly_visits(actor=actor, position=position, date_from=date_from, date_to=date_to)
        ),
        satisfaction=None if rate is None else Decimal(str(rate)),
    )


def rating_policy_for(*, unit) -> tuple[RatingPolicy, RatingPolicyVersion | None]:
    """The policy a position of `unit` is rated by: the published policy of the nearest unit at or
    above it that has one (its federation's), else the default (with no version)."""
    published = RatingPolicyVersion.objects.filter(state=VersionState.PUBLISHED).select_related("unit")
    own = [v for v in published if unit.path.startswith(v.unit.path)]
    if not own:
        return DEFAULT_POLICY, None
    nearest = max(own, key=lambda v: len(v.unit.path))
    return RatingPolicy.from_data(nearest.data), nearest
