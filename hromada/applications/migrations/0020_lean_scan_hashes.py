"""#24, bytes: a case's scans are read by the case's own index, and no index holds their hashes.

The unique index on (application, sha256) was 233 B per application at 20 thousand: 32 bytes of hash in each of
about 3.4 entries, for one check, "the same file twice in one case". The services make that check themselves, on
the case's hashes read with the case locked (``services.documents``, ``services.common.lock_and_bump``): every
path that adds a scan locks its case first, so no two uploads to one case can pass it together. The reads by case
take ``document_application``, whose repeated keys PostgreSQL stores once each.

PostgreSQL builds the new index concurrently before the constraint goes, so a case's scans are never read without
an index; the migration says ``atomic = False``, and run again after an interruption finds the index built and the
constraint gone (``IF EXISTS``). SQLite: Django's operations.
"""
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently, RemoveConstraintIfExists


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('applications', '0019_lean_event_key'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='document',
            index=models.Index(fields=['application'], name='document_application'),
        ),
        RemoveConstraintIfExists(
            model_name='document',
            name='unique_file_per_application',
        ),
    ]
