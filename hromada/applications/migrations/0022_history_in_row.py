"""#24, bytes: a case's history moves from a row per event into the case's own row (docs/decisions/0004).

Each case's events, in their order (time, then id), are packed into ``Application.history`` with the layout of
``hromada.core.history`` (format 1), over the vocabularies as this migration knows them (the model's may grow,
never change). ``granted`` is set from the decision's event (grant: True, refuse: False). Billing's "reviewed"
becomes ``assigned_to`` being set (the take and assign steps set it): a case with such an event and no
``assigned_to`` (only a hand edit could make one) gets the step's assignee, so its verdict stays. The events table is
then dropped (on PostgreSQL with its month partitions), and a trigger makes the history append only.

The way back unpacks every history into event rows again (a plain table: partition it again with 0011's step if
needed). Both ways go through Python in batches of cases. Not for a rolling upgrade: docs/operations.md, section 7.
"""
import json

from django.db import migrations, models

from hromada.core.history import HistoryCodec

ACTIONS = ("", "create", "submit", "take", "assign", "return", "resubmit", "grant", "refuse", "send_result",
           "issue", "close", "withdraw", "social_provide", "social_refuse", "document_added", "document_removed")
STATES = ("", "draft", "submitted", "in_review", "returned", "resubmitted", "decided_granted", "decided_refused",
          "result_sent", "result_issued", "closed", "withdrawn")
CODEC = HistoryCodec(ACTIONS, STATES)
BATCH = 5000

TRIGGER = "applications_history_append_only"
POSTGRESQL_ON = f"""
CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF substring(NEW.history FROM 1 FOR length(OLD.history)) IS DISTINCT FROM OLD.history THEN
    RAISE EXCEPTION 'the history of case % is append only', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF history ON applications_application
  FOR EACH ROW EXECUTE FUNCTION {TRIGGER}();
"""
POSTGRESQL_OFF = f"DROP TRIGGER IF EXISTS {TRIGGER} ON applications_application; DROP FUNCTION IF EXISTS {TRIGGER}();"
SQLITE_ON = f"""
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF history ON applications_application
WHEN substr(NEW.history, 1, length(OLD.history)) IS NOT OLD.history
BEGIN SELECT RAISE(ABORT, 'the history of a case is append only'); END
"""
SQLITE_OFF = f"DROP TRIGGER IF EXISTS {TRIGGER}"


def _batches(Application):
    last = 0
    while True:
        ids = list(Application.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids
        last = ids[-1]


def pack(apps, schema_editor):
    Application = apps.get_model("applications", "application")
    Event = apps.get_model("applications", "event")
    with schema_editor.connection.cursor() as cursor:
        for ids in _batches(Application):
            history = {pk: b"" for pk in ids}
            granted: dict[int, bool | None] = {pk: None for pk in ids}
            reviewer: dict[int, int] = {}
            rows = (Event.objects.filter(application_id__in=ids).order_by("application_id", "at", "id")
                    .values_list("application_id", "action", "from_status", "to_status", "actor_id", "at", "comment",
                                 "data"))
            for pk, action, from_status, to_status, actor_id, at, comment, data in rows.iterator(chunk_size=BATCH):
                if isinstance(data, str):
                    data = json.loads(data)
                history[pk] = CODEC.append(history[pk], action=action, from_status=from_status, to_status=to_status,
                                           actor_id=actor_id, at=at, comment=comment, data=data)
                if action in ("grant", "refuse"):
                    granted[pk] = action == "grant"
                elif action in ("take", "assign") and (assignee := (data or {}).get("assigned_to") or actor_id):
                    reviewer[pk] = assignee
            cursor.executemany("UPDATE applications_application SET history = %s, granted = %s WHERE id = %s",
                               [(history[pk], granted[pk], pk) for pk in ids])
            cursor.executemany("UPDATE applications_application SET assigned_to_id = %s "
                               "WHERE id = %s AND assigned_to_id IS NULL", [(u, pk) for pk, u in reviewer.items()])


def unpack(apps, schema_editor):
    Application = apps.get_model("applications", "application")
    Event = apps.get_model("applications", "event")
    Event._meta.get_field("at").auto_now_add = False   # the events keep their times (a model of this migration's own)
    for ids in _batches(Application):
        rows = Application.objects.filter(pk__in=ids).values_list("pk", "history")
        Event.objects.bulk_create(
            [Event(application_id=pk, action=e.action, from_status=e.from_status, to_status=e.to_status,
                   actor_id=e.actor_id, at=e.at, comment=e.comment, data=e.data)
             for pk, blob in rows for e in CODEC.decode(blob)], batch_size=BATCH)


def _execute(schema_editor, postgresql: str, sqlite: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor in ("postgresql", "sqlite"):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(postgresql if vendor == "postgresql" else sqlite)   # no parameters: '%' is the SQL's own


def trigger_on(apps, schema_editor):
    _execute(schema_editor, POSTGRESQL_ON, SQLITE_ON)


def trigger_off(apps, schema_editor):
    _execute(schema_editor, POSTGRESQL_OFF, SQLITE_OFF)


class Migration(migrations.Migration):

    dependencies = [("applications", "0021_lean_scan_types")]

    operations = [
        migrations.AddField(model_name="application", name="granted",
                            field=models.BooleanField(blank=True, editable=False, null=True)),
        migrations.AddField(model_name="application", name="history",
                            field=models.BinaryField(default=b"", editable=False)),
        migrations.RunPython(pack, unpack, elidable=False),
        migrations.DeleteModel(name="Event"),
        migrations.RunPython(trigger_on, trigger_off, elidable=False),
    ]
