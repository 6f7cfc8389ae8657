"""`core.bulk.bulk_insert` (the import's writer) stores exactly what `save()` stores, for every kind
of column a position has, and keeps the key sequence so later ordinary saves do not collide."""

from datetime import date
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from yizhan.core.bulk import bulk_insert, bulk_insert_rows
from yizhan.positions.models import Position, PositionStateChange

pytestmark = pytest.mark.django_db


def _values(dalian_map, code: str, lat: float) -> dict:
    return {
        "code": code,
        "kind": "centre",
        "centre_level": "district",
        "official_name": f"{code}职工服务中心",
        "short_name": "简称",
        "unit": dalian_map["zs"],
        "region": dalian_map["zs"].region,
        "address": "中山区某路 1 号",
        "lng": 121.6437,
        "lat": lat,
        "construction_type": "sanitation",
        "build_mode": "co_built",
        "co_builder": "某公司",
        "floor_area": Decimal("35.5"),
        "always_open": True,
        "weekly_hours": {"mon": [["06:00", "22:00"]]},
        "facilities": ["drinking_water", "wifi"],
        "own_services": ["理发"],
        "no_app_needed": False,
        "verified_on": date(2026, 3, 1),
        "opened_on": date(2025, 12, 31),
        "state": "operating",
    }


def _stored(pk: int) -> dict:
    data = model_to_dict(Position.objects.get(pk=pk))
    data.pop("id")
    data.pop("code")
    data.pop("official_name")
    data.pop("lat")
    return data


def test_bulk_insert_stores_what_save_stores(dalian_map):
    saved = Position(**_values(dalian_map, "SAVED", 38.91))
    saved.save()
    bulk = Position(**_values(dalian_map, "BULK", 38.92))
    bulk_insert([bulk])
    assert bulk.pk is not None and not bulk._state.adding
    assert _stored(bulk.pk) == _stored(saved.pk)
    stored = Position.objects.get(pk=bulk.pk)
    assert stored.created_at is not None and stored.updated_at is not None
    assert (stored.floor_area, stored.verified_on, stored.facilities) == (
        Decimal("35.5"),
        date(2026, 3, 1),
        ["drinking_water", "wifi"],
    )


def test_keys_follow_the_sequence(dalian_map):
    first = Position(**_values(dalian_map, "A1", 38.91))
    first.save()
    batch = [Position(**_values(dalian_map, f"B{n}", 38.91 + n / 1000)) for n in range(3)]
    bulk_insert(batch)
    keys = [p.pk for p in batch]
    assert len(set(keys)) == 3 and min(keys) > first.pk
    later = Position(**_values(dalian_map, "C1", 38.95))
    later.save()
    assert later.pk > max(keys)


def test_foreign_keys_to_objects_saved_in_an_earlier_batch(dalian_map):
    centre = Position(**_values(dalian_map, "CEN", 38.91))
    station = Position(
        **{**_values(dalian_map, "WS", 38.912), "kind": "work_station", "centre_level": ""}, parent_centre=centre
    )
    bulk_insert([centre])
    bulk_insert([station])
    assert Position.objects.get(code="WS").parent_centre_id == centre.pk
    change = PositionStateChange(position=station, to_state="operating", effective_on=date(2026, 1, 1), actor_name="x")
    bulk_insert([change])
    assert PositionStateChange.objects.get(pk=change.pk).position_id == station.pk


def test_rows_store_what_save_stores(dalian_map):
    """`bulk_insert_rows` (the import's history rows and audit entries, written without instances)
    stores what an instance's save() stores; unnamed fields take their defaults; keys follow."""
    position = Position(**_values(dalian_map, "P", 38.91))
    position.save()
    fields = {
        "position_id": position.pk,
        "from_state": "",
        "to_state": "operating",
        "effective_on": date(2026, 3, 1),
        "reason": "登记",
        "expected_reopen_on": None,
        "actor_name": "命令行",
    }
    saved = PositionStateChange(**fields)
    saved.save()
    (key,) = bulk_insert_rows(PositionStateChange, tuple(fields), [tuple(fields.values())])
    assert key > saved.pk
    stored = PositionStateChange.objects.get(pk=key)
    assert model_to_dict(stored, exclude=["id"]) == model_to_dict(saved, exclude=["id"])
    assert stored.created_at is not None and stored.actor_id is None
    later = PositionStateChange(**fields)
    later.save()
    assert later.pk > key


def test_json_text_is_stored_as_the_value_it_encodes(dalian_map):
    """A JSON value given as text (`JSONText`) reads back as the value; a plain one as itself."""
    from yizhan.core.bulk import JSONText

    position = Position(**_values(dalian_map, "J", 38.91))
    position.weekly_hours = JSONText('{"mon":[["06:00","22:00"]],"名":"中文"}')
    position.own_services = ["理发", "修车"]
    bulk_insert([position])
    stored = Position.objects.get(pk=position.pk)
    assert stored.weekly_hours == {"mon": [["06:00", "22:00"]], "名": "中文"}
    assert stored.own_services == ["理发", "修车"]


def test_snapshot_reads_every_field_as_value_from_object_does(dalian_map):
    """`audit_snapshot` reads all fields at once; the snapshot is the field-by-field one."""
    from yizhan.core.audit import to_jsonable

    position = Position(**_values(dalian_map, "S", 38.91))
    position.save()
    position.refresh_from_db()
    expected = {
        f.attname: to_jsonable(f.value_from_object(position))
        for f in Position._meta.concrete_fields
        if f.name not in Position.audit_exclude
    }
    assert position.audit_snapshot() == expected
    assert expected["floor_area"] == "35.5" and expected["verified_on"] == "2026-03-01"
