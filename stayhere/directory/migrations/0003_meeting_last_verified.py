from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_directory_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="last_verified",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
