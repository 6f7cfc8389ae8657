"""Quota allocation of a campaign (名额分配表, annex 1; spec §7): pure, no database.

Source 000 allocates the places "mainly by each unit's existing station count and station
features". The default rule of spec §7: each unit's weight is its operating stations plus its 5★
stations; the total is divided by Hamilton's method (largest remainder):

1. each unit's exact share is total × weight ÷ (sum of weights), as an exact fraction;
2. each unit first gets the whole part of its share;
3. the places left over (fewer than the number of units) go one each to the units with the
   largest fractional parts; equal fractional parts are ordered by more operating stations,
   then by the unit code (ascending), so the result never depends on the input's order.

What the method guarantees (tested in `tests/test_quotas.py`, with Hypothesis):

- the quotas sum to the total exactly, and none is negative;
- the **quota rule**: every unit gets the whole part of its exact share or one more (floor or
  ceiling), which divisor methods (D'Hondt, Sainte-Laguë) do not guarantee;
- a unit with no weight gets nothing; units with equal weights differ by at most one place;
- the result does not depend on the order in which units are listed.

Its known paradoxes, which it does **not** avoid (and which the tests show happen):

- the **Alabama paradox**: raising the total can lower a unit's quota (weights 6, 6, 2: total 10
  gives 4, 4, 2; total 11 gives 5, 5, 1);
- the **population paradox**: a unit whose weight grows can lose a place to one whose weight
  shrinks;
- the **new-states paradox**: adding a unit (with the total raised by its share) can move a
  place between the others.

The federation reviews the computed table and may adjust it with a recorded reason before
publishing (`services.quota_adjust`), which is where such an effect, if it matters, is corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


class NoWeight(ValueError):
    """Every weight is zero: there is nothing to divide the total by."""


@dataclass(frozen=True)
class Claimant:
    """One unit as the method sees it: its key (any hashable), weight, operating-station count
    (the first tie rule) and code (the second)."""

    key: object
    weight: int
    operating: int
    code: str


@dataclass(frozen=True)
class Allocation:
    key: object
    exact: Fraction  # total × weight ÷ sum of weights
    quota: int


def weight(operating: int, five_star: int) -> int:
    """The default weight of spec §7: operating stations plus 5★ stations."""
    return operating + five_star


def allocate(claimants: Sequence[Claimant], total: int) -> list[Allocation]:
    """Divide `total` places among `claimants` by the largest-remainder method (module
    docstring), in the claimants' order. Raises ValueError for a negative total or weight,
    duplicate keys, and NoWeight when every weight is zero (and the total is not)."""
    if total < 0:
        raise ValueError("total must not be negative")
    if any(c.weight < 0 for c in claimants):
        raise ValueError("weights must not be negative")
    if len({c.key for c in claimants}) != len(claimants):
        raise ValueError("keys must be unique")
    weights = sum(c.weight for c in claimants)
    if weights == 0:
        if total == 0:
            return [Allocation(c.key, Fraction(0), 0) for c in claimants]
        raise NoWeight("every weight is zero")
    exact = {c.key: Fraction(total * c.weight, weights) for c in claimants}
    quotas = {key: share.numerator // share.denominator for key, share in exact.items()}
    left = total - sum(quotas.values())
    order = sorted(claimants, key=lambda c: (-(exact[c.key] - quotas[c.key]), -c.operating, c.code))
    for c in order[:left]:
        quotas[c.key] += 1
    return [Allocation(c.key, exact[c.key], quotas[c.key]) for c in claimants]
