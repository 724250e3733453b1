"""#24, point 3 — one copy of each hash:

* a scan's stored name (``documents/<month>/<case>/<sha256 hex>``, ~84 characters) and a receipt's
  (``receipts/<case>/<sha256 hex>.pdf``) repeated the hash kept beside them as bytes. Such a name is now stored as
  ``''`` and derived from the row when read (``core.fields.DerivedNameFileField``); a name that is not the derived
  one is kept whole. The files in storage are not touched.
* the receipt's content key, 64 hex characters, is kept as its 32 bytes (``HexDigestField``, as the hashes in 0013).

Written for a live database (docs/operations.md, section 7): not atomic; the names are blanked in batches of
``BATCH`` rows, each its own short transaction, and a run again finds its work done. The receipts' table is
rewritten by the key's type change (a receipt per submission: small beside the scans). The scans' rows are updated,
not rewritten: the space comes back to the new rows that follow (or at once with ``VACUUM FULL`` in a maintenance
window). Reversible: the derived names are written back, the key back to hex.

The SQL derives the names exactly as ``upload_to`` does: the month of ``registered_at`` in UTC (Django reads and
writes aware times in UTC), the case id, the hash in lowercase hex (checked against the model's own derivation in
``tests/test_derived_names.py``).
"""
from django.db import migrations, models

import hromada.applications.models
import hromada.core.fields

BATCH = 50_000

_CASE = "(SELECT a.registered_at FROM applications_application a WHERE a.id = applications_document.application_id)"
_DOCUMENT_NAME = {
    "postgresql": (f"'documents/' || to_char({_CASE} AT TIME ZONE 'UTC', 'YYYY/MM') || '/' || application_id || '/' "
                   "|| encode(sha256, 'hex')"),
    "sqlite": f"'documents/' || strftime('%Y/%m', {_CASE}) || '/' || application_id || '/' || lower(hex(sha256))",
}
_RECEIPT_NAME = {
    "postgresql": "'receipts/' || application_id || '/' || encode(sha256, 'hex') || '.pdf'",
    "sqlite": "'receipts/' || application_id || '/' || lower(hex(sha256)) || '.pdf'",
}
TABLES = (("applications_document", _DOCUMENT_NAME), ("applications_receipt", _RECEIPT_NAME))


def _rename(schema_editor, *, blank: bool) -> None:
    """Blank the derived names (``blank``) or write them back, a batch of ids per transaction (the migration is not
    atomic: each UPDATE commits on its own)."""
    connection = schema_editor.connection
    for table, name_sql in TABLES:
        derived = name_sql[connection.vendor]
        change = f"file = '' WHERE file = {derived}" if blank else f"file = {derived} WHERE file = ''"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (constant names)
            last = cursor.fetchone()[0]
            for start in range(0, last, BATCH):
                cursor.execute(f"UPDATE {table} SET {change} AND id > %s AND id <= %s",  # noqa: S608 (constant SQL)
                               [start, start + BATCH])


def blank_derived_names(apps, schema_editor):
    _rename(schema_editor, blank=True)


def write_derived_names(apps, schema_editor):
    _rename(schema_editor, blank=False)


def _convert_key(apps, schema_editor, *, to_bytes: bool):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        using = "decode(content_key, 'hex')" if to_bytes else "encode(content_key, 'hex')"
        schema_editor.execute("ALTER TABLE applications_receipt ALTER COLUMN content_key TYPE "
                              f"{'bytea' if to_bytes else 'varchar(64)'} USING {using}")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, content_key FROM applications_receipt")
        rows = cursor.fetchall()
        cursor.executemany("UPDATE applications_receipt SET content_key = %s WHERE id = %s",
                           [(bytes.fromhex(v) if to_bytes else bytes(v).hex(), pk) for pk, v in rows])
    model = apps.get_model("applications", "receipt")
    old, new = models.CharField(max_length=64, blank=True), hromada.core.fields.HexDigestField(blank=True)
    if not to_bytes:
        old, new = new, old
    for field in (old, new):
        field.set_attributes_from_name("content_key")
        field.model = model
    schema_editor.alter_field(model, old, new)


def key_to_bytes(apps, schema_editor):
    _convert_key(apps, schema_editor, to_bytes=True)


def key_to_hex(apps, schema_editor):
    _convert_key(apps, schema_editor, to_bytes=False)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("applications", "0014_lean_receipt_key")]

    operations = [
        migrations.AlterField(
            model_name="document", name="file",
            field=hromada.core.fields.DerivedNameFileField(
                max_length=255, upload_to=hromada.applications.models.document_upload_to)),
        migrations.AlterField(
            model_name="receipt", name="file",
            field=hromada.core.fields.DerivedNameFileField(
                max_length=255, upload_to=hromada.applications.models.receipt_upload_to)),
        migrations.RunPython(blank_derived_names, write_derived_names),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(model_name="receipt", name="content_key",
                                                    field=hromada.core.fields.HexDigestField(blank=True))],
            database_operations=[migrations.RunPython(key_to_bytes, key_to_hex)],
        ),
    ]
