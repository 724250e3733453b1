"""#24, bytes: a household member's person had an index of its own beside the unique (person, member) pair's, whose
first column it is; a person's household is read by the pair's index. Dropped concurrently (docs/operations.md,
section 7); not atomic."""
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0015_birth_date_index'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='householdmember',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE, related_name='household',
                                    to='persons.person'),
        ),
    ]
