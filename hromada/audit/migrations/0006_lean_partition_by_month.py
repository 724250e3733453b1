"""PostgreSQL: the audit log becomes partitioned by month of ``at`` (issue #24, point 3), as the application events
are (``applications/0011``): old months can be archived or moved to cheaper storage a partition at a time, and a
date filter of the auditor reads only its months.

Rows, ids, the chains, the indexes (the BRIN and the partial GIN of 0005 included) and the append-only trigger are
kept (``core.partitions.partition_by_month``: the trigger is cloned onto every partition); partitions exist from the
oldest entry's month to 3 months ahead, and a DEFAULT one; ``ensure_partitions`` keeps them ahead daily. The id is
unique with ``at`` in the database (PostgreSQL's rule for a partitioned key); one sequence keeps ids unique, and
Django's state is unchanged. Other databases: nothing to do.
"""
from django.db import migrations

from hromada.core import partitions


def partition_audit(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    partitions.partition_by_month(schema_editor.connection, "audit_auditentry", "at", months_ahead=3)


class Migration(migrations.Migration):

    dependencies = [("audit", "0005_lean_bytes_indexes")]

    # Back: nothing to undo for Django — the partitioned table has the same columns and indexes.
    operations = [migrations.RunPython(partition_audit, migrations.RunPython.noop, elidable=False)]
