"""Databases made before the chains were partitioned hold the one head with an explicit id 1 (``pk=1``), so
PostgreSQL's id sequence never moved: the first new chain's head would take id 1 again and fail. Move the
sequence past the rows that exist (nothing to do on SQLite, whose ids follow the largest one)."""
from django.core.management.color import no_style
from django.db import migrations


def reset_sequence(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [head])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_lean_chains"),
    ]

    operations = [
        migrations.RunPython(reset_sequence, migrations.RunPython.noop),
    ]
