"""Audit chains partitioned by oblast: a chain key on each entry and one head row per chain.

Every existing entry and the existing head (id 1) form chain 0; new entries go to their oblast's chain. SQLite
rebuilds the table to add a column, which drops its triggers: the append-only guard is installed again after."""
from django.db import migrations, models


def guard_off(apps, schema_editor):
    from hromada.audit import guard

    guard.uninstall(schema_editor.connection)


def guard_on(apps, schema_editor):
    from hromada.audit import guard

    guard.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only_guard"),
    ]

    operations = [
        migrations.RunPython(guard_off, guard_on),
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            field=models.PositiveIntegerField(default=0, unique=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveIntegerField(default=0, db_default=0),
        ),
        migrations.RunPython(guard_on, guard_off),
    ]
