"""The spot-check draw (随机抽查, spec §5) as a pure function, no database: positions sampled at
random, stratified by unit, reproducibly from a seed.

Each stratum's eligible positions are sorted (their ids), the sample is shared out between the
strata in proportion to their size by the largest remainder (ties to the stratum listed first),
and one `random.Random(seed)` samples the strata in their given order. The same seed over the same
eligible positions therefore draws the same positions."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal


class DrawTooLarge(ValueError):
    """More positions asked for than there are eligible ones."""

    def __init__(self, wanted: int, eligible: int):
        super().__init__(f"{wanted} > {eligible}")
        self.wanted = wanted
        self.eligible = eligible


@dataclass(frozen=True)
class Stratum:
    key: object  # the unit (its id)
    eligible: tuple[int, ...]  # sorted ids
    picked: tuple[int, ...]  # in draw order


def size_from_rate(rate: Decimal, eligible: int) -> int:
    """The sample a rate asks for: rate × eligible rounded up (a positive rate draws at least one)."""
    return int((Decimal(rate) * eligible).to_integral_value(rounding=ROUND_CEILING))


def allocate(size: int, counts: Sequence[int]) -> list[int]:
    """`size` shared between strata of `counts` in proportion to them, by the largest remainder;
    each share at most its stratum's count; the shares add up to `size` (≤ sum of counts)."""
    total = sum(counts)
    if size > total:
        raise DrawTooLarge(size, total)
    if total == 0:
        return [0 for _ in counts]
    shares = [size * c // total for c in counts]
    remainders = sorted(range(len(counts)), key=lambda i: (-(size * counts[i] % total), i))
    left = size - sum(shares)
    for i in remainders:
        if left == 0:
            break
        if shares[i] < counts[i]:
            shares[i] += 1
            left -= 1
    return shares


def draw(eligible: Mapping[object, Sequence[int]], size: int, seed: int) -> list[Stratum]:
    """Draw `size` positions from the strata `eligible` (key → position ids, in the strata's
    order), from `seed`. Raises DrawTooLarge when `size` exceeds the eligible positions."""
    keys = list(eligible)
    pools = [tuple(sorted(set(eligible[k]))) for k in keys]
    shares = allocate(size, [len(p) for p in pools])
    rng = random.Random(seed)
    return [
        Stratum(key=key, eligible=pool, picked=tuple(rng.sample(pool, share)))
        for key, pool, share in zip(keys, pools, shares, strict=True)
    ]
