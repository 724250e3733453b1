"""#24, bytes: the receipt's content key loses its two indexes (the b-tree and its pattern-ops twin, ~270 B per
application with a receipt per submission): nothing looks a receipt up by its key — a new one is rendered when the
case's latest receipt, read by the case, states something else (``services.receipts``).

Written for a live database (docs/operations.md, section 7): not atomic, the indexes dropped concurrently on
PostgreSQL; run again, it finds its work done.
"""
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('applications', '0013_lean_digest_bytes'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='receipt',
            name='content_key',
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
