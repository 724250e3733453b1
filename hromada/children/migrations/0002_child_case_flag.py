"""#24: a child of a child-protection case is flagged on her person (``Person.in_child_case``), which the person rule
reads instead of a subquery of every case.

``register_child_case`` sets the flag. On PostgreSQL triggers on the cases set it too: during a rolling upgrade the
hosts still on the previous release register cases without setting it, and a case written by any other path (the
admin, a shell, a restore of rows) must not leave its child visible. The triggers are created before the fill, so a
case registered meanwhile is flagged either way. SQLite (the embedded default) runs one process of one release; a
restore of an older dump is flagged again by ``children.services.flag_children_of_cases``.

Not atomic (docs/operations.md, section 7): the triggers commit at once, then the children are flagged a range of
cases at a time, each range its own short transaction, so no case registration waits for the whole fill.
"""
from django.db import migrations

BATCH = 20_000

PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION children_flag_child() RETURNS trigger AS $$
BEGIN
  UPDATE persons_person SET in_child_case = true WHERE id = NEW.child_id AND NOT in_child_case;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS children_childcase_flags_child ON children_childcase;
CREATE TRIGGER children_childcase_flags_child AFTER INSERT ON children_childcase
  FOR EACH ROW EXECUTE FUNCTION children_flag_child();
DROP TRIGGER IF EXISTS children_childcase_flags_new_child ON children_childcase;
CREATE TRIGGER children_childcase_flags_new_child AFTER UPDATE OF child_id ON children_childcase
  FOR EACH ROW WHEN (OLD.child_id IS DISTINCT FROM NEW.child_id) EXECUTE FUNCTION children_flag_child();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRIGGERS)
    person = apps.get_model("persons", "Person")
    case = apps.get_model("children", "ChildCase")
    last = case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last, BATCH):
        cases = case.objects.filter(pk__gt=start, pk__lte=start + BATCH).values("child_id")
        person.objects.filter(pk__in=cases, in_child_case=False).update(in_child_case=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS children_childcase_flags_child ON children_childcase; "
                              "DROP TRIGGER IF EXISTS children_childcase_flags_new_child ON children_childcase; "
                              "DROP FUNCTION IF EXISTS children_flag_child();")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('children', '0001_initial'),
        ('persons', '0008_child_case_flag'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
