"""The words every entry repeats as codes, the request id as bytes (#24, bytes; hromada.audit.fields).

PostgreSQL: the words the log holds are written once into the term table, then the action, the object type, the
role and the request id are converted in place, in one rewrite of the table (ALTER … TYPE … USING: no row trigger
fires, every partition follows, the indexes are rebuilt). The hash is computed over the words and the id as text,
which read back unchanged, so every chain, head and signed checkpoint stays valid. Backwards, the text comes back
from the term table. SQLite: nothing changes in the file (its entries keep the text).
"""
from django.db import migrations, models

import hromada.audit.fields
from hromada.audit.fields import REQUEST_ID_SQL, TERM_CODE_SQL

WORDS = ("action", "object_type", "actor_role")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A word is only ever the word of its own code (a row naming another word is refused by the database).
    schema_editor.execute(f"ALTER TABLE audit_auditterm ADD CONSTRAINT audit_term_is_its_code "
                          f"CHECK (id = {TERM_CODE_SQL.format('name')})")
    union = " UNION ".join(f"SELECT {w} AS word FROM audit_auditentry" for w in WORDS)
    words = f"SELECT {TERM_CODE_SQL.format('word')} AS code, word FROM ({union}) words WHERE word <> ''"
    with schema_editor.connection.cursor() as cursor:   # two words of one code would read back as one: refused
        cursor.execute(f"SELECT code, array_agg(word) FROM ({words}) w GROUP BY code HAVING count(*) > 1")
        clashes = cursor.fetchall()
    if clashes:
        raise RuntimeError(f"audit words sharing a code, cannot be stored as codes: {clashes}")
    schema_editor.execute(f"INSERT INTO audit_auditterm (id, name) {words}")
    columns = [f"ALTER COLUMN {w} TYPE integer USING {TERM_CODE_SQL.format(w)}" for w in WORDS]
    columns.append(f"ALTER COLUMN request_id TYPE bytea USING {REQUEST_ID_SQL.format('request_id')}")
    schema_editor.execute(f"ALTER TABLE audit_auditentry {', '.join(columns)}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A subquery may not stand in USING; a function holding one may.
    schema_editor.execute("CREATE FUNCTION pg_temp.audit_word(integer) RETURNS text LANGUAGE sql STABLE AS "
                          "$$ SELECT coalesce((SELECT name FROM audit_auditterm WHERE id = $1), '') $$")
    columns = [f"ALTER COLUMN {w} TYPE varchar({32 if w == 'actor_role' else 64}) USING pg_temp.audit_word({w})"
               for w in WORDS]
    columns.append("ALTER COLUMN request_id TYPE varchar(64) USING CASE WHEN octet_length(request_id) = 16 "
                   "THEN encode(request_id, 'hex') ELSE convert_from(ltrim(request_id, '\\x00'::bytea), 'UTF8') END")
    schema_editor.execute(f"ALTER TABLE audit_auditentry {', '.join(columns)}")
    schema_editor.execute("DROP FUNCTION pg_temp.audit_word(integer)")


class Migration(migrations.Migration):

    dependencies = [("audit", "0007_lean_one_hash")]

    operations = [
        migrations.CreateModel(
            name="AuditTerm",
            fields=[("id", models.IntegerField(primary_key=True, serialize=False)),
                    ("name", models.CharField(max_length=64))],
            options={"verbose_name": "слово журналу аудиту", "verbose_name_plural": "слова журналу аудиту"},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="auditentry", name="action",
                                      field=hromada.audit.fields.TermField(max_length=64)),
                migrations.AlterField(model_name="auditentry", name="object_type",
                                      field=hromada.audit.fields.TermField(blank=True, max_length=64)),
                migrations.AlterField(model_name="auditentry", name="actor_role",
                                      field=hromada.audit.fields.TermField(blank=True, max_length=32)),
                migrations.AlterField(model_name="auditentry", name="request_id",
                                      field=hromada.audit.fields.RequestIdField(blank=True, max_length=64)),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
