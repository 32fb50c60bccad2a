# The feed's blocks of meeting ids, whose stamps triggers move (feeds/pieces.py; made after migrate, apps.py).

from django.db import migrations, models


def uninstall(apps, schema_editor):
    # The triggers are made after migrate (post_migrate, apps.py), never while tables may still be rebuilt.
    from stayhere.directory.feeds import pieces

    pieces.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0008_import_writes_less'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedBlock',
            fields=[
                ('block', models.BigIntegerField(primary_key=True, serialize=False)),
                ('stamp', models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(uninstall, uninstall, elidable=False),
    ]
