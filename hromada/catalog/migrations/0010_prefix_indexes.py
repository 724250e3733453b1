"""#24: an index of its own for a column that is already the first column of a unique constraint or of a wider
index on the same table (PostgreSQL reads it from that one): dropped concurrently (docs/operations.md, section 7;
not atomic). ``hromada/core/tests/test_no_redundant_indexes.py`` keeps it so."""
import django.db.models.deletion
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('catalog', '0009_key_to_integer'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='documentrequirement',
            name='service',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='catalog.servicetype'),
        ),
    ]
