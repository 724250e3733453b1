"""#24, bytes: a person's columns in alignment order (``core.migration_ops.ColumnsInAlignmentOrder``; about 10 B an
application on the 20 thousand application database). PostgreSQL writes the table again under an exclusive lock,
with its keys, indexes, statistics and the foreign keys that point to it made again under their names: not for a
rolling upgrade (docs/operations.md, section 7). SQLite: nothing to do; backwards nothing is done."""
from django.db import migrations

from hromada.core.migration_ops import ColumnsInAlignmentOrder


class Migration(migrations.Migration):
    dependencies = [("persons", "0011_packed_name_key")]

    operations = [ColumnsInAlignmentOrder("person")]
