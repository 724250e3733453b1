"""#24, bytes: a decision's columns in alignment order (``core.migration_ops.ColumnsInAlignmentOrder``), after the
key of its author became four bytes. PostgreSQL writes the table again under an exclusive lock: not for a rolling
upgrade (docs/operations.md, section 7). SQLite: nothing to do; backwards nothing is done."""
from django.db import migrations

from hromada.core.migration_ops import ColumnsInAlignmentOrder


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0003_lean_decided_by_index"), ("accounts", "0006_key_to_integer")]

    operations = [ColumnsInAlignmentOrder("decision")]
