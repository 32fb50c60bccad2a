import django.db.models.deletion
from django.db import migrations, models


def meeting_to_object(apps, schema_editor):
    ListingChange = apps.get_model("service", "ListingChange")
    for change in ListingChange.objects.select_related("meeting"):
        change.object_id = change.meeting_id
        change.label = change.meeting.name[:200]
        change.save(update_fields=["object_id", "label"])


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_problem_reports_and_notice_choices"),
        ("directory", "0006_meeting_last_verified"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingchange",
            name="kind",
            field=models.CharField(
                choices=[
                    ("service_body", "Service body"),
                    ("group", "Group"),
                    ("location", "Location"),
                    ("meeting", "Meeting"),
                ],
                default="meeting",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="listingchange",
            name="object_id",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="listingchange",
            name="label",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="listingchange",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Added"),
                    ("changed", "Changed"),
                    ("removed", "Removed"),
                    ("verified", "Confirmed as still right"),
                ],
                default="changed",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="listingchange",
            name="via",
            field=models.CharField(
                choices=[
                    ("page", "a servant's page"),
                    ("suggestion", "an approved suggestion"),
                    ("import", "an import"),
                    ("admin", "the site admin's pages"),
                    ("revert", "undoing an earlier change"),
                ],
                default="page",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="listingchange",
            name="reverts",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="service.listingchange",
            ),
        ),
        migrations.AlterField(
            model_name="listingchange",
            name="who",
            field=models.CharField(max_length=300),
        ),
        migrations.RunPython(meeting_to_object, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="listingchange",
            name="meeting",
        ),
        migrations.AddIndex(
            model_name="listingchange",
            index=models.Index(fields=["kind", "object_id", "at"], name="listingchange_object_at"),
        ),
    ]
