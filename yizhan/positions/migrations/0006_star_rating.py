"""A station's star level (spec §4) and its date, stations only.

On SQLite, adding the check constraint rebuilds positions_position, and a rebuilt table has lost its
triggers: the ones migration 0005 put on it (facility bits, text index, list version) are made again
here. Any later migration that rebuilds the table on SQLite must do the same
(test_list_filters_engine.py checks that every one of them is present after all migrations)."""

import importlib

from django.db import migrations, models

LIST_MIGRATION = importlib.import_module("yizhan.positions.migrations.0005_list_indexes_search_counts")


def position_triggers_sqlite() -> list[str]:
    """0005's CREATE TRIGGER statements on positions_position, each IF NOT EXISTS."""
    return [
        statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
        for statement in LIST_MIGRATION.SQLITE_FORWARD
        if statement.startswith("CREATE TRIGGER ") and " ON positions_position" in statement
    ]


def restore_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL alters the table in place and keeps its triggers
    for statement in position_triggers_sqlite():
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("positions", "0005_list_indexes_search_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="position",
            name="star_rated_on",
            field=models.DateField(blank=True, null=True, verbose_name="评星日期"),
        ),
        migrations.AddField(
            model_name="position",
            name="star_rating",
            field=models.CharField(
                blank=True,
                choices=[("3", "三星"), ("4", "四星"), ("5", "五星")],
                max_length=1,
                verbose_name="星级",
            ),
        ),
        migrations.AddConstraint(
            model_name="position",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("star_rating", ""),
                    models.Q(("kind", "station"), ("star_rated_on__isnull", False)),
                    _connector="OR",
                ),
                name="position_star_only_for_rated_stations",
            ),
        ),
        migrations.RunPython(restore_triggers, migrations.RunPython.noop),
    ]
