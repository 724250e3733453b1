"""#24: a child of a child-protection case is flagged on her person (``Person.in_child_case``), which the person rule
reads instead of a subquery of every case.

``register_child_case`` sets the flag. On PostgreSQL a trigger on the cases sets it too: during a rolling upgrade the
hosts still on the previous release register cases without setting it, and a case written by any other path (the
admin, a shell, a restore of rows) must not leave its child visible. The trigger is created before the fill, so a
case registered meanwhile is flagged either way. SQLite (the embedded default) runs one process of one release.
"""
from django.db import migrations

PG_TRIGGER = """
CREATE OR REPLACE FUNCTION children_flag_child() RETURNS trigger AS $$
BEGIN
  UPDATE persons_person SET in_child_case = true WHERE id = NEW.child_id AND NOT in_child_case;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS children_childcase_flags_child ON children_childcase;
CREATE TRIGGER children_childcase_flags_child AFTER INSERT OR UPDATE OF child_id ON children_childcase
  FOR EACH ROW EXECUTE FUNCTION children_flag_child();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER)
    person = apps.get_model("persons", "Person")
    case = apps.get_model("children", "ChildCase")
    person.objects.filter(pk__in=case.objects.values("child_id"), in_child_case=False).update(in_child_case=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS children_childcase_flags_child ON children_childcase; "
                              "DROP FUNCTION IF EXISTS children_flag_child();")


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0001_initial'),
        ('persons', '0008_child_case_flag'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
