"""The scans' and receipts' SHA-256 kept as 32 bytes instead of 64 hex characters (#24, point 3: one copy of each
hash, right-sized). The models still read and write hex (``core.fields.HexDigestField``), so nothing else changes.

PostgreSQL converts in place (``ALTER … TYPE bytea USING decode(…, 'hex')``; the unique (application, sha256)
index is rebuilt with it). SQLite turns each value into bytes first, then rebuilds the table with the new column
type (its dynamic typing keeps the bytes through the copy). Reversible: bytes back to hex.
"""
from django.db import migrations, models

import hromada.core.fields

TABLES = (("document", "applications_document"), ("receipt", "applications_receipt"))


def _convert(apps, schema_editor, *, to_bytes: bool):
    connection = schema_editor.connection
    for model_name, table in TABLES:
        model = apps.get_model("applications", model_name)
        if connection.vendor == "postgresql":
            using = "decode(sha256, 'hex')" if to_bytes else "encode(sha256, 'hex')"
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN sha256 TYPE "  # noqa: S608 (constant names)
                                  f"{'bytea' if to_bytes else 'varchar(64)'} USING {using}")
            continue
        with connection.cursor() as cursor:
            last = 0
            while True:
                cursor.execute(f"SELECT id, sha256 FROM {table} WHERE id > %s ORDER BY id LIMIT 5000", [last])  # noqa: S608
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.executemany(f"UPDATE {table} SET sha256 = %s WHERE id = %s",  # noqa: S608
                                   [(_bytes(value) if to_bytes else _hex(value), pk) for pk, value in rows])
                last = rows[-1][0]
        old, new = models.CharField(max_length=64), hromada.core.fields.HexDigestField()
        if not to_bytes:
            old, new = new, old
        for field in (old, new):
            field.set_attributes_from_name("sha256")
            field.model = model
        schema_editor.alter_field(model, old, new)


def _bytes(value):
    return bytes.fromhex(value) if isinstance(value, str) else value


def _hex(value):
    return bytes(value).hex() if isinstance(value, (bytes, memoryview)) else value


def to_bytes(apps, schema_editor):
    _convert(apps, schema_editor, to_bytes=True)


def to_hex(apps, schema_editor):
    _convert(apps, schema_editor, to_bytes=False)


class Migration(migrations.Migration):

    dependencies = [("applications", "0012_lean_event_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="document", name="sha256", field=hromada.core.fields.HexDigestField()),
                migrations.AlterField(model_name="receipt", name="sha256", field=hromada.core.fields.HexDigestField()),
            ],
            database_operations=[migrations.RunPython(to_bytes, to_hex)],
        ),
    ]
