"""#24: an index of its own for a column that is already the first column of a unique constraint or of a wider
index on the same table (PostgreSQL reads it from that one): dropped concurrently (docs/operations.md, section 7;
not atomic). ``hromada/core/tests/test_no_redundant_indexes.py`` keeps it so."""
import django.db.models.deletion
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('applications', '0027_prefix_indexes'),
        ('notifications', '0002_early_reports_and_claims'),
        ('persons', '0017_prefix_indexes'),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name='consent',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notification_consents', to='persons.person'),
        ),
        DropFieldIndexesConcurrently(
            model_name='notification',
            name='application',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='resident_notifications', to='applications.application'),
        ),
        DropFieldIndexesConcurrently(
            model_name='notification',
            name='state',
            field=models.CharField(choices=[('queued', 'У черзі'), ('sent', 'Надіслано'), ('delivered', 'Доставлено'), ('failed', 'Не вдалося надіслати'), ('not_sent', 'Не надсилалося')], default='queued', max_length=16, verbose_name='стан'),
        ),
    ]
