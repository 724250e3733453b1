"""#24, bytes: persons.PersonAccess keeps only the persons registered in another hromada than the case's. A hromada's
own residents are seen there through the home part of the person rule; a child of a protection case is read from the
case's participants (persons.scoping). At 1 M applications the rows were 99 in 100 such pairs, about 90 B an
application with their four indexes.

Back: the pairs of residents in their own hromada's cases are written again (``home`` true), from the participants
and the cases' applicants, before the column is dropped again; persons 0013 (after this) drops the column."""

from django.db import migrations


def _tables(apps, schema_editor):
    q = schema_editor.connection.ops.quote_name
    return (q(apps.get_model("persons", "PersonAccess")._meta.db_table), q(apps.get_model("persons", "Person")._meta.db_table),
            q(apps.get_model("applications", "Participant")._meta.db_table),
            q(apps.get_model("applications", "Application")._meta.db_table))


def drop_own_residents(apps, schema_editor):
    access, person, _participant, _application = _tables(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {access} WHERE EXISTS (SELECT 1 FROM {person} p "  # noqa: S608 — names quoted
                       f"WHERE p.id = {access}.person_id AND p.registered_hromada_id = {access}.hromada_id)")


def write_own_residents_again(apps, schema_editor):
    access, person, participant, application = _tables(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {access} (person_id, hromada_id, home) "  # noqa: S608 — names quoted
            f"SELECT DISTINCT t.person_id, t.hromada_id, {schema_editor.quote_value(True)} FROM ("
            f"SELECT p.person_id, a.hromada_id FROM {participant} p JOIN {application} a ON a.id = p.application_id "
            f"UNION SELECT a.applicant_person_id, a.hromada_id FROM {application} a "
            f"WHERE a.applicant_person_id IS NOT NULL) t "
            f"JOIN {person} r ON r.id = t.person_id AND r.registered_hromada_id = t.hromada_id "
            f"WHERE NOT EXISTS (SELECT 1 FROM {access} x WHERE x.hromada_id = t.hromada_id "
            f"AND x.person_id = t.person_id)")


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0025_columns_in_alignment_order'),
        ('persons', '0012_columns_in_alignment_order'),
    ]
    run_before = [('persons', '0013_person_access_beyond_home')]

    operations = [
        migrations.RunPython(drop_own_residents, write_own_residents_again),
    ]
