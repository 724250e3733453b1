"""#24, bytes: a case's applicant is its ``applicant_person`` only, not also a participant row.

Every case had a participant row in the role "applicant" beside the column, which holds the same person and never
changes (about 170 B an application at 1 M, with the row's share of the three indexes). Forward: the column is filled
from the row where a case has none (cases written before the column was), the unique "one applicant" constraint goes,
then the applicant rows go, 5,000 at a time, each batch its own short transaction (the table is never locked for
long). Backward: the rows come back from the column, with the constraint.

A rolling upgrade stays safe: a host still on the old code may write an applicant row for a case it creates while
the others run the new code. Such a row is ignored (``Application.people`` reads the applicant from the column), and
no constraint refuses it here, which would fail that host's intake; a later release deletes any such rows and adds
the check. The deleted rows leave dead tuples: ``VACUUM (FULL) applications_participant`` afterwards, in a quiet
hour, gives their space back (docs/operations.md, section 7).
"""
from django.db import migrations

FILL = """
UPDATE applications_application SET applicant_person_id = (
    SELECT p.person_id FROM applications_participant p
    WHERE p.application_id = applications_application.id AND p.role = 'applicant')
WHERE applicant_person_id IS NULL AND EXISTS (
    SELECT 1 FROM applications_participant p
    WHERE p.application_id = applications_application.id AND p.role = 'applicant')
"""
BATCH = 5000
DROP_BATCH = (f"DELETE FROM applications_participant WHERE id IN (SELECT id FROM applications_participant "
              f"WHERE role = 'applicant' LIMIT {BATCH})")
BRING_BACK = """
INSERT INTO applications_participant (application_id, person_id, role)
SELECT a.id, a.applicant_person_id, 'applicant' FROM applications_application a
WHERE a.applicant_person_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM applications_participant p WHERE p.application_id = a.id AND p.role = 'applicant')
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


def drop_rows(apps, schema_editor):
    # Non-atomic migration: each statement commits on its own.
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(DROP_BATCH)
            if cursor.rowcount < BATCH:
                break


def bring_back(apps, schema_editor):
    schema_editor.execute(BRING_BACK)


class Migration(migrations.Migration):
    atomic = False   # the rows go in batches, each its own transaction

    dependencies = [
        ("applications", "0022_history_in_row"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="participant", name="one_applicant_per_application"),
        migrations.RunPython(drop_rows, bring_back),
    ]
