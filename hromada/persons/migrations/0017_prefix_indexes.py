"""#24: an index of its own for a column that is already the first column of a unique constraint or of a wider
index on the same table (PostgreSQL reads it from that one): dropped concurrently (docs/operations.md, section 7;
not atomic). ``hromada/core/tests/test_no_redundant_indexes.py`` keeps it so."""
import django.db.models.deletion
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('persons', '0016_household_person_index'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='personlink',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='links', to='persons.person'),
        ),
    ]
