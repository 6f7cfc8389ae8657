"""A covering index of the daily ledger by position and day holding every summed count (decision 32):
a unit's roll-up over a period reads its positions' index entries, adjacent per position, instead
of one table page per row (the rows lie in the order the days were entered, each position's days
on as many pages as it has days). PostgreSQL: the key (position_id, day) with the counts as
INCLUDE columns; SQLite, which has no INCLUDE, all of them as key columns. Written as SQL (the
model's Meta cannot say INCLUDE on one engine and keys on the other); tests/test_ledger_index.py
checks that the list of columns is the model's summed counts."""

from django.db import migrations

COLUMNS = (
    "visits_sanitation",
    "visits_landscaping",
    "visits_city_management",
    "visits_traffic_police",
    "visits_taxi",
    "visits_courier",
    "visits_delivery",
    "visits_truck",
    "visits_women_children",
    "visits_migrant",
    "visits_elderly",
    "visits_disabled",
    "visits_tourists",
    "visits_other",
    "ability_rest",
    "ability_heat_food",
    "ability_drink",
    "ability_warm_up",
    "ability_cool_down",
    "ability_toilet",
    "service_assistance",
    "service_labour_protection",
    "service_legal_aid",
    "service_policy",
    "service_employment",
    "service_petitions",
    "visits_total",
    "services_total",
)
NAME = "ledger_position_day_sums"


def create(apps, schema_editor):
    counts = ", ".join(COLUMNS)
    if schema_editor.connection.vendor == "postgresql":
        sql = f"CREATE INDEX {NAME} ON ledger_dailyledger (position_id, day) INCLUDE ({counts})"
    else:
        sql = f"CREATE INDEX {NAME} ON ledger_dailyledger (position_id, day, {counts})"
    schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_problem_report_photo")]

    operations = [migrations.RunPython(create, drop)]
