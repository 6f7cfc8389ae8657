"""Demo standards: the shipped defaults (spec §3) for 大连市总工会, published (idempotent)."""

from __future__ import annotations

from yizhan.orgs.models import Unit
from yizhan.standards.services import standard_defaults_load

FEDERATION = "DL"


def load() -> list[str]:
    unit = Unit.objects.filter(code=FEDERATION).first()
    if unit is not None:
        standard_defaults_load(unit=unit)
    return []
