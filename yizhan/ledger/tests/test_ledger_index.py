"""The covering index of the daily ledger (migration 0010, decision 32) holds every count the
roll-ups sum, so none of them reads the table's pages: its column list is the model's."""

import importlib

import pytest
from django.db import connection

from yizhan.ledger.models import SUMMED

migration = importlib.import_module("yizhan.ledger.migrations.0010_ledger_covering_index")


def test_the_index_holds_every_summed_count():
    assert migration.COLUMNS == SUMMED


@pytest.mark.django_db
def test_the_index_exists_keyed_by_position_and_day():
    with connection.cursor() as cursor:
        names = [
            c["columns"]
            for n, c in connection.introspection.get_constraints(cursor, "ledger_dailyledger").items()
            if n == migration.NAME
        ]
    assert names and names[0][:2] == ["position_id", "day"]
