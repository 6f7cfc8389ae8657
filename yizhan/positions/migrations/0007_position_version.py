"""A position's version, raised by every save, for edits that must not overwrite one another.

On SQLite, adding a NOT NULL column rebuilds positions_position, which loses the triggers of
migration 0005: they are made again here as in 0006 (test_list_filters_engine.py checks them)."""

import importlib

from django.db import migrations, models

STAR_MIGRATION = importlib.import_module("yizhan.positions.migrations.0006_star_rating")


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0006_star_rating"),
    ]

    operations = [
        migrations.AddField(
            model_name="position",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="版本"),
        ),
        migrations.RunPython(STAR_MIGRATION.restore_triggers, migrations.RunPython.noop),
    ]
