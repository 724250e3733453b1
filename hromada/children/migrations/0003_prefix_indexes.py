"""#24: an index of its own for a column that is already the first column of a unique constraint or of a wider
index on the same table (PostgreSQL reads it from that one): dropped concurrently (docs/operations.md, section 7;
not atomic). ``hromada/core/tests/test_no_redundant_indexes.py`` keeps it so."""
import django.db.models.deletion
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('children', '0002_child_case_flag'),
        ('territory', '0003_prefix_indexes'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='casecircumstance',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='circumstances', to='children.childcase'),
        ),
        DropFieldIndexesConcurrently(
            model_name='casemember',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='members', to='children.childcase'),
        ),
        DropFieldIndexesConcurrently(
            model_name='casesequence',
            name='hromada',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit'),
        ),
        DropFieldIndexesConcurrently(
            model_name='childcase',
            name='hromada',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit', verbose_name='громада'),
        ),
    ]
