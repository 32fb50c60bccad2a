from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_meeting_email_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="last_verified",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
