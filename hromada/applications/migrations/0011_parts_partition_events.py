"""PostgreSQL: the application events table becomes partitioned by month of ``at`` (issue #24, point 3).

Rows, ids, indexes and foreign keys are kept (``core.partitions.partition_by_month``); partitions exist from the
oldest event's month (this month if none) to 3 months ahead, and a DEFAULT one; ``ensure_partitions`` keeps them
ahead daily. The primary key becomes ``(id, at)`` in the database only: Django's state is unchanged (``id`` stays
the model's primary key; one sequence keeps ids unique). Other databases: nothing to do.
"""

from django.db import migrations

from hromada.core import partitions

TABLE, COLUMN = "applications_event", "at"


def partition_events(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    partitions.partition_by_month(schema_editor.connection, TABLE, COLUMN, months_ahead=3)


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0010_lean_bytes_indexes'),
    ]

    # Back: nothing to undo for Django — the partitioned table has the same columns and indexes, so the earlier
    # migrations' state is served as it is.
    operations = [migrations.RunPython(partition_events, migrations.RunPython.noop, elidable=False)]
