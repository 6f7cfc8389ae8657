"""The published record stored as JSON text, sent as is by the feed (bench/publishing_feed.py).
The published rows are derived data: they are emptied here and rebuilt from the registry at the
next read, under a new epoch (partners' cursors of the old one answer 410: start over)."""

from django.db import migrations, models


def empty_publication(apps, schema_editor):
    apps.get_model("publishing", "PublishedPosition").objects.all().delete()
    apps.get_model("publishing", "PublicationHead").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("publishing", "0004_partner_webhook_cursor_partner_webhook_error_and_more")]

    operations = [
        migrations.RunPython(empty_publication, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="publishedposition", name="published_has_record"),
        migrations.RemoveField(model_name="publishedposition", name="record"),
        migrations.AddField(
            model_name="publishedposition", name="record", field=models.TextField(blank=True, default="")
        ),
        migrations.AddConstraint(
            model_name="publishedposition",
            constraint=models.CheckConstraint(
                condition=models.Q(("public", False), models.Q(("record", ""), _negated=True), _connector="OR"),
                name="published_has_record_text",
            ),
        ),
    ]
