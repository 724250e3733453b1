"""#24: the children of child-protection cases are a flag of the person (``Person.in_child_case``), not a subquery of
every case: the children's migration ``0002_child_case_flag`` fills it and keeps it on PostgreSQL by a trigger.

The home-area index takes the flag (``person_home_place`` replaces ``person_home_raion``), so a count of the
residents another role sees is still read from the index alone. Written for a live database (docs/operations.md,
section 7): the column comes with a default kept in the database (no rewrite of the table on PostgreSQL; the
previous release, which does not name the column, still inserts persons), the new index is built
concurrently before the old one is dropped concurrently; not atomic, each step finds its own work done when run again.
"""
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import AddFieldIfMissing, AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0007_raion_and_names'),
        ('territory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddFieldIfMissing(
            model_name='person',
            name='in_child_case',
            field=models.BooleanField(default=False, db_default=False, editable=False),
        ),
        AddIndexConcurrently(
            model_name='person',
            index=models.Index(fields=['registered_hromada', 'raion', 'settlement', 'in_child_case', 'id'],
                               name='person_home_place'),
        ),
        RemoveIndexConcurrently(
            model_name='person',
            name='person_home_raion',
        ),
    ]
