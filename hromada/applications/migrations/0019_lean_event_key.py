"""#24, bytes: PostgreSQL drops the unique index ``(id, at)`` that stood for the events' primary key once the table
was partitioned (0011): about 200 B per application at 20 thousand, 28 B for each of a case's seven rows.

No query reads an event by its id. A case's history, the billing and monitoring rules and a cascade from the case
all read events by case (``applications_event_application_id_idx``); the backup's checksums order by every column.
Ids stay unique because one sequence gives them, as before: the index never guarded anything the sequence did not,
and no table references an event. Django's state is unchanged (``id`` is still the model's key; SQLite keeps its
PRIMARY KEY, being a plain table).

Dropping a partitioned table's index drops each partition's with it, in one short ACCESS EXCLUSIVE lock
(PostgreSQL has no DROP INDEX CONCURRENTLY for a partitioned index). Back: the index is built again.
"""
from django.db import migrations

from hromada.core import partitions

TABLE = "applications_event"
KEY = partitions.key_index_name(TABLE, ["id", "at"])


def drop_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {KEY}")


def build_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {KEY} ON {TABLE} (id, at)")


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0018_lean_application_indexes'),
    ]

    operations = [migrations.RunPython(drop_key, build_key, elidable=False)]
