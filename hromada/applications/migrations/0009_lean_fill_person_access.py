"""Fill persons.PersonAccess from the participants already stored: one row per (person, hromada of an application
the person takes part in). From now on the applications' services keep it (persons.services.grant_case_access).

The applicants are read from the cases' column too: when this ran first, each was also a participant row; since
0023 she is the column only, and the fill (run again by a test, or on a restored old database) must still find her."""

from django.db import migrations


def fill(apps, schema_editor):
    connection = schema_editor.connection
    q = connection.ops.quote_name
    access = q(apps.get_model("persons", "PersonAccess")._meta.db_table)
    participant = q(apps.get_model("applications", "Participant")._meta.db_table)
    application = q(apps.get_model("applications", "Application")._meta.db_table)
    with connection.cursor() as cursor:
        # One statement (1.35 M participant rows at the medium size); a pair already there is left as it is.
        cursor.execute(
            f"INSERT INTO {access} (person_id, hromada_id) "
            f"SELECT DISTINCT t.person_id, t.hromada_id FROM ("
            f"SELECT p.person_id, a.hromada_id FROM {participant} p JOIN {application} a ON a.id = p.application_id "
            f"UNION SELECT a.applicant_person_id, a.hromada_id FROM {application} a "
            f"WHERE a.applicant_person_id IS NOT NULL) t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {access} x WHERE x.hromada_id = t.hromada_id "
            f"AND x.person_id = t.person_id)")


def empty(apps, schema_editor):
    apps.get_model("persons", "PersonAccess").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0008_lean_document_hash_index'),
        ('persons', '0004_lean_person_access'),
    ]

    operations = [
        migrations.RunPython(fill, empty),
    ]
