"""`services.CheckedValues`: an import skips the field checks of values that passed before. For any
sequence of records, valid or not, `_validate_fields` must then do exactly what it does without
it: the same error, or the same cleaned record."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core.errors import ApplicationError
from yizhan.positions import services
from yizhan.positions.models import Position

pytestmark = pytest.mark.django_db

# Valid and invalid values, several of a type cleaning converts (1 for True, "1.0" for a float).
CHOICES = {
    "code": ["A-1", "A-1", "B 2", "C" * 41, 7],
    "kind": ["station", "centre", "bogus", "station"],
    "official_name": ["工会户外劳动者服务站点·一", "x" * 201, "工会户外劳动者服务站点·一"],
    "short_name": ["", "简称", "长" * 61],
    "manager_phone": ["13800000000", "123", "", "0411-82345678", 13800000000],
    "always_open": [True, False, 1, 0, "是", None],
    "no_app_needed": [True, "false", 1],
    "facilities": [[], ["wifi"], ["wifi", "toilet"], ("wifi",), ["wifi", 1]],
    "weekly_hours": [{}, {"mon": [["06:00", "22:00"]]}],
    "floor_area": [None, Decimal("1.5"), Decimal("1.55"), "2"],
    "lng": [121.6, "121.6", 121],
    "construction_type": ["sanitation", "nope"],
}
records = st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CHOICES.items()}), min_size=1, max_size=8)


class _Plain(services.RecordLookups):
    def code_holder(self, code, *, exclude_pk=None) -> str | None:
        return None


class _Remembering(_Plain):
    def __init__(self):
        self.checked_values = services.CheckedValues(Position)


def _outcome(position: Position, lookups) -> tuple:
    try:
        services._validate_fields(position, lookups)
    except ApplicationError as error:
        return ("error", error.field, error.message)
    values = [(f.attname, type(v), v) for f in Position._meta.concrete_fields for v in [getattr(position, f.attname)]]
    return ("ok", values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=records)
def test_skipping_checked_values_changes_nothing(dalian_map, sequence):
    unit, region = dalian_map["zs"], dalian_map["zs"].region
    base = {"address": "某路 1 号", "lat": 38.91, "unit": unit, "region": region}
    plain, remembering = _Plain(), _Remembering()
    for values in sequence:
        expected = _outcome(Position(**base, **values), plain)
        assert _outcome(Position(**base, **values), remembering) == expected, values


def test_a_value_that_failed_fails_again_after_others_passed(dalian_map):
    unit = dalian_map["zs"]
    lookups = _Remembering()
    record = {"code": "A-1", "kind": "station", "official_name": "n", "address": "a", "lng": 1.0, "lat": 1.0}
    services._validate_fields(Position(unit=unit, construction_type="sanitation", always_open=True, **record), lookups)
    with pytest.raises(ApplicationError) as error:
        services._validate_fields(Position(unit=unit, construction_type="nope", **record), lookups)
    assert error.value.field == "construction_type"
    # 1 is not True: the flag is cleaned (to True), not skipped as the remembered True would be.
    flag = Position(unit=unit, construction_type="sanitation", always_open=1, **record)
    services._validate_fields(flag, lookups)
    assert flag.always_open is True
