"""A case's history keeps its action and its two states as two-byte codes instead of their words (#24, bytes: about
seven rows per application; ``core.fields.WordCodeField``). The models read and write the words, so nothing else
changes.

The codes are the words' places in the vocabularies as this migration knows them (``ACTIONS``, ``STATES``: the
model's tuples may grow, never change). A word the table holds and the vocabulary does not stops the migration with
its name before anything is changed. PostgreSQL converts the three columns in one rewrite of the (partitioned)
table (``ALTER … TYPE smallint USING CASE …``). SQLite writes each code in place, then rebuilds the table once with
the new column types (a rebuild per column would make the others text again). Reversible: the codes back to words.
Not for a rolling upgrade: docs/operations.md, section 7.
"""
from django.db import migrations, models

import hromada.core.fields

ACTIONS = ("", "create", "submit", "take", "assign", "return", "resubmit", "grant", "refuse", "send_result", "issue",
           "close", "withdraw", "social_provide", "social_refuse", "document_added", "document_removed")
STATES = ("", "draft", "submitted", "in_review", "returned", "resubmitted", "decided_granted", "decided_refused",
          "result_sent", "result_issued", "closed", "withdrawn")
COLUMNS = (("action", ACTIONS, 32), ("from_status", STATES, 20), ("to_status", STATES, 20))
TABLE = "applications_event"


def _case(column: str, words: tuple[str, ...], *, to_codes: bool, text_codes: bool = False) -> str:
    """``CASE column WHEN 'word' THEN code …`` (or back); the words are the constants above, never input."""
    if to_codes:
        arms = " ".join(f"WHEN '{word}' THEN {code}" for code, word in enumerate(words))
    else:
        arms = " ".join(f"WHEN {repr(str(code)) if text_codes else code} THEN '{word}'"
                        for code, word in enumerate(words))
    return f"CASE {column} {arms} END"


def _refuse_unknown(schema_editor) -> None:
    """One scan of the table (the hosts are stopped while it runs): the rows holding any word the vocabularies lack."""
    outside = " OR ".join(f"{column} NOT IN ({', '.join(['%s'] * len(words))})" for column, words, _length in COLUMNS)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT action, from_status, to_status FROM {TABLE} WHERE {outside}",  # noqa: S608
                       [word for _column, words, _length in COLUMNS for word in words])
        rows = cursor.fetchall()
    for place, (column, words, _length) in enumerate(COLUMNS):
        unknown = sorted({str(row[place]) for row in rows} - set(words))
        if unknown:
            raise RuntimeError(f"{TABLE}.{column} holds {unknown}, which this release's vocabulary lacks: add them "
                               "to the end of the model's words and to this migration's, then run it again")


def _fields(apps, *, coded: bool):
    model = apps.get_model("applications", "event")
    pairs = []
    for column, words, length in COLUMNS:
        old = models.CharField(max_length=length, blank=True)
        new = hromada.core.fields.WordCodeField(words=words, blank=True)
        if not coded:
            old, new = new, old
        for field in (old, new):
            field.set_attributes_from_name(column)
            field.model = model
        pairs.append((old, new))
    return model, pairs


def to_codes(apps, schema_editor):
    _refuse_unknown(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        alters = ", ".join(f"ALTER COLUMN {column} TYPE smallint USING {_case(column, words, to_codes=True)}"
                           for column, words, _length in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {TABLE} {alters}")
        return
    sets = ", ".join(f"{column} = {_case(column, words, to_codes=True)}" for column, words, _length in COLUMNS)
    schema_editor.execute(f"UPDATE {TABLE} SET {sets}")   # noqa: S608 — the constants above
    model, pairs = _fields(apps, coded=True)
    schema_editor._remake_table(model, alter_fields=pairs)   # one rebuild; its integer columns take the codes


def to_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        alters = ", ".join(f"ALTER COLUMN {column} TYPE varchar({length}) USING "
                           f"{_case(column, words, to_codes=False)}" for column, words, length in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {TABLE} {alters}")
        return
    model, pairs = _fields(apps, coded=False)
    schema_editor._remake_table(model, alter_fields=pairs)   # one rebuild; the codes come through as their digits
    sets = ", ".join(f"{column} = {_case(column, words, to_codes=False, text_codes=True)}"
                     for column, words, _length in COLUMNS)
    schema_editor.execute(f"UPDATE {TABLE} SET {sets}")   # noqa: S608 — the constants above


class Migration(migrations.Migration):

    dependencies = [("applications", "0016_lean_issued_by_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="event", name="action",
                                      field=hromada.core.fields.WordCodeField(default="", words=ACTIONS)),
                migrations.AlterField(model_name="event", name="from_status",
                                      field=hromada.core.fields.WordCodeField(blank=True, default="", words=STATES)),
                migrations.AlterField(model_name="event", name="to_status",
                                      field=hromada.core.fields.WordCodeField(blank=True, default="", words=STATES)),
            ],
            database_operations=[migrations.RunPython(to_codes, to_words)],
        ),
    ]
