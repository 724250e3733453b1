"""#24: a hromada's residents by the first letters of their name from an index of their own (the desk's name search);
the country-wide pattern index it replaces is dropped; the plain name index is built again under a name of its own."""

from django.conf import settings
from django.db import migrations, models

# PostgreSQL takes "registered in the hromada" and "living in the raion" as independent and expects a few hundred
# of a hromada's 15 thousand residents to live in its own raion (all do): then it reads them all from
# ``person_home_area`` rather than the few whose name begins so from ``person_home_name``. The dependency statistics
# tell it (and ANALYZE gathers them now, not at autovacuum's next turn). SQLite has no such planner statistics.
STATISTICS = "person_home_raion"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies) "
                              "ON registered_hromada_id, raion_id FROM persons_person")
        schema_editor.execute("ANALYZE persons_person")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):

    dependencies = [
        ('persons', '0007_raion_beside_settlement'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='name_key',
            field=models.CharField(editable=False, max_length=320),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['name_key'], name='person_name'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['registered_hromada', 'name_key'], name='person_home_name', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
