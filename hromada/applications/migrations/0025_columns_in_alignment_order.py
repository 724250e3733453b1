"""#24, bytes: the cases', scans' and receipts' columns in alignment order (``core.migration_ops``,
``ColumnsInAlignmentOrder``): the eight-byte columns first, then the four-, two- and one-byte ones, the variable
ones last, so that a row carries no padding between them (on the 20 thousand application database: scans 35 B,
cases 18 B, receipts 7 B an application). PostgreSQL writes each table again under an exclusive lock, with its
keys, indexes, triggers (the history's) and the foreign keys that point to it made again under their names: not for
a rolling upgrade (docs/operations.md, section 7). SQLite stores no padding: nothing is done. Queries name their
columns, so no code reads the order; backwards nothing is done."""
from django.db import migrations

from hromada.core.migration_ops import ColumnsInAlignmentOrder


class Migration(migrations.Migration):
    # After the small tables' keys became four bytes (their columns here too): one order for the final types.
    dependencies = [("applications", "0024_lean_case_indexes"), ("accounts", "0006_key_to_integer"),
                    ("offices", "0004_key_to_integer"), ("territory", "0002_key_to_integer"),
                    ("catalog", "0009_key_to_integer")]

    operations = [ColumnsInAlignmentOrder("document"), ColumnsInAlignmentOrder("receipt"),
                  ColumnsInAlignmentOrder("application")]
