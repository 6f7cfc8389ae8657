"""Registries imported as they are (issue 14 §4): hours that cannot be read are unknown, to be
verified, with the source text kept (`hours_source_text`, only while the hours are unknown); a
construction type may be "to be verified" (待核实).

On SQLite, adding the column and the constraint rebuilds positions_position, which loses the
triggers of migration 0005: they are made again here as in 0006 (test_list_filters_engine.py
checks them)."""

import importlib

from django.db import migrations, models

STAR_MIGRATION = importlib.import_module("yizhan.positions.migrations.0006_star_rating")


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0007_position_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="position",
            name="hours_source_text",
            field=models.CharField(
                blank=True,
                help_text="导入时无法读取的开放时间原文；开放时间待核实期间保留",
                max_length=200,
                verbose_name="开放时间原文",
            ),
        ),
        migrations.AlterField(
            model_name="position",
            name="construction_type",
            field=models.CharField(
                choices=[
                    ("union_centre", "工会投入，依托工会服务中心"),
                    ("public_service", "依托政务大厅、社区服务中心、警务站"),
                    ("sanitation", "环卫休息室、提档升级公厕"),
                    ("financial", "与银行等金融机构共建"),
                    ("merchant", "爱心企业和商户"),
                    ("unknown", "待核实"),
                ],
                max_length=20,
                verbose_name="建设类型",
            ),
        ),
        migrations.AddConstraint(
            model_name="position",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("hours_source_text", ""),
                    models.Q(("always_open", False), ("weekly_hours", {})),
                    _connector="OR",
                ),
                name="position_hours_source_only_while_unknown",
            ),
        ),
        migrations.RunPython(STAR_MIGRATION.restore_triggers, migrations.RunPython.noop),
    ]
