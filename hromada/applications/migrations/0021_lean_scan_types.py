"""#24, bytes: a scan's content type is kept as a two-byte code (``core.fields.WordCodeField``) instead of its text
(16 B in each of about 3.4 scans an application). The model reads and writes the type as before.

Only the four types the upload check accepts are ever stored (``services.files.ALLOWED``, told from the content).
The codes are their places in ``TYPES`` as this migration knows them (the model's ``SCAN_TYPES`` may grow, never
change). A type the table holds and ``TYPES`` lacks stops the migration with its name before anything is changed
(``core.migration_ops.words_to_codes``, which says how each database converts). Reversible. Not for a rolling
upgrade: docs/operations.md, section 7.
"""
from django.db import migrations

import hromada.core.fields
from hromada.core import migration_ops

TYPES = ("", "application/pdf", "image/jpeg", "image/png", "image/tiff")
COLUMNS = (("content_type", TYPES, 64),)


def to_codes(apps, schema_editor):
    migration_ops.words_to_codes(schema_editor, apps.get_model("applications", "document"), COLUMNS, blank=False)


def to_words(apps, schema_editor):
    migration_ops.codes_to_words(schema_editor, apps.get_model("applications", "document"), COLUMNS, blank=False)


class Migration(migrations.Migration):

    dependencies = [("applications", "0020_lean_scan_hashes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="document", name="content_type",
                                      field=hromada.core.fields.WordCodeField(default="", words=TYPES)),
            ],
            database_operations=[migrations.RunPython(to_codes, to_words)],
        ),
    ]
