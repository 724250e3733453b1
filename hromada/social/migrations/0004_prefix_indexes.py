"""#24: an index of its own for a column that is already the first column of a unique constraint or of a wider
index on the same table (PostgreSQL reads it from that one): dropped concurrently (docs/operations.md, section 7;
not atomic). ``hromada/core/tests/test_no_redundant_indexes.py`` keeps it so."""
import django.db.models.deletion
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('social', '0003_social_documents_catalog_codes'),
        ('territory', '0003_prefix_indexes'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='casesequence',
            name='hromada',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit'),
        ),
        DropFieldIndexesConcurrently(
            model_name='caseservice',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='services', to='social.socialcase'),
        ),
        DropFieldIndexesConcurrently(
            model_name='providerservice',
            name='provider',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='offers', to='social.provider'),
        ),
        DropFieldIndexesConcurrently(
            model_name='requestedservice',
            name='case',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='requested', to='social.socialcase'),
        ),
        DropFieldIndexesConcurrently(
            model_name='socialcase',
            name='hromada',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territory.unit', verbose_name='громада'),
        ),
    ]
