"""One copy of each hash (#24, point 3): an entry keeps its own hash, as 32 bytes, and no longer the previous
entry's (the chain walk recomputes every link from the entry before it). ~97 bytes less per entry.

The hash itself is unchanged (sha256 of the previous hash in hex followed by the content), so every existing chain,
head and signed checkpoint stays valid. PostgreSQL converts the column in place (ALTER … TYPE bytea USING decode:
no row trigger fires, every partition follows). SQLite rebuilds the table, which drops its triggers: the hex is
turned into bytes while the append-only guard is off, and the guard is installed again after. One-way: the dropped
column cannot be brought back.
"""
from django.db import migrations, models


def guard_off(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from hromada.audit import guard

        guard.uninstall(schema_editor.connection)


def guard_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        from hromada.audit import guard

        guard.install(schema_editor.connection)


def hash_to_bytes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex')")
        return
    entry = apps.get_model("audit", "AuditEntry")
    with connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute("SELECT id, hash FROM audit_auditentry WHERE id > %s ORDER BY id LIMIT 5000", [last])
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany("UPDATE audit_auditentry SET hash = %s WHERE id = %s",
                               [(bytes.fromhex(h) if isinstance(h, str) else h, pk) for pk, h in rows])
            last = rows[-1][0]
    old = entry._meta.get_field("hash")
    new = models.BinaryField(max_length=32)
    new.set_attributes_from_name("hash")
    new.model = entry
    schema_editor.alter_field(entry, old, new)


class Migration(migrations.Migration):

    dependencies = [("audit", "0006_lean_partition_by_month")]

    operations = [
        migrations.RunPython(guard_off, guard_on),
        migrations.RemoveField(model_name="auditentry", name="prev_hash"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name="auditentry", name="hash",
                                                    field=models.BinaryField(max_length=32))],
            database_operations=[migrations.RunPython(hash_to_bytes)],
        ),
        migrations.RunPython(guard_on, guard_off),
    ]
