"""A case's history keeps its action and its two states as two-byte codes instead of their words (#24, bytes: about
seven rows per application; ``core.fields.WordCodeField``). The models read and write the words, so nothing else
changes.

The codes are the words' places in the vocabularies as this migration knows them (``ACTIONS``, ``STATES``: the
model's tuples may grow, never change). A word the table holds and the vocabulary does not stops the migration with
its name before anything is changed. PostgreSQL converts the three columns in one rewrite of the (partitioned)
table. ``core.migration_ops.words_to_codes`` does it, and says how on each database. Reversible: the codes back to
words.
Not for a rolling upgrade: docs/operations.md, section 7.
"""
from django.db import migrations

import hromada.core.fields
from hromada.core import migration_ops

ACTIONS = ("", "create", "submit", "take", "assign", "return", "resubmit", "grant", "refuse", "send_result", "issue",
           "close", "withdraw", "social_provide", "social_refuse", "document_added", "document_removed")
STATES = ("", "draft", "submitted", "in_review", "returned", "resubmitted", "decided_granted", "decided_refused",
          "result_sent", "result_issued", "closed", "withdrawn")
COLUMNS = (("action", ACTIONS, 32), ("from_status", STATES, 20), ("to_status", STATES, 20))
TABLE = "applications_event"


def to_codes(apps, schema_editor):
    migration_ops.words_to_codes(schema_editor, apps.get_model("applications", "event"), COLUMNS)


def to_words(apps, schema_editor):
    migration_ops.codes_to_words(schema_editor, apps.get_model("applications", "event"), COLUMNS)


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
