"""#24, bytes: four of a case's indexes that no query needs (about 50 B per application at 20 thousand).

- the hromada's and the back office's own indexes: every query that reads cases by one of them — scope, the queue,
  billing, monitoring, a deletion's PROTECT check — is answered by an index that leads with it ((hromada, status),
  (hromada, first submitted), the queue's (back office, status, due date, id));
- the registrar's: no query reads cases by who registered them (as ``issued_by`` in 0016: such a user has audit
  entries, which keep her from being deleted, and the rare check reads the table once);
- the status's pattern twin: statuses are compared whole (the overdue and the missing-documents sweeps read the plain
  index, which stays, renamed to ``application_status_idx``).

PostgreSQL drops them concurrently and renames the kept index in place (no rebuild); the migration says
``atomic = False`` and, run again after an interruption, finds its work done. SQLite: Django's operations.
"""
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently

STATUS_INDEX = "application_status_idx"


def _status_field(db_index: bool) -> models.CharField:
    return models.CharField(max_length=20, default="draft", db_index=db_index)


def _status_pair(apps, *, dropping: bool):
    model = apps.get_model("applications", "application")
    old, new = _status_field(True), _status_field(False)
    if not dropping:
        old, new = new, old
    for field in (old, new):
        field.set_attributes_from_name("status")
        field.model = model
    return model, old, new


def _django_names(model, schema_editor) -> tuple[str, str, str]:
    """The table, and the names Django gave the status's two indexes (plain, pattern)."""
    table = model._meta.db_table
    return (table, schema_editor._create_index_name(table, ["status"], suffix=""),
            schema_editor._create_index_name(table, ["status"], suffix="_like"))


def status_one_index(apps, schema_editor):
    model, old, new = _status_pair(apps, dropping=True)
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.alter_field(model, old, new)
        schema_editor.add_index(model, models.Index(fields=["status"], name=STATUS_INDEX))
        return
    table, plain, pattern = _django_names(model, schema_editor)
    qn = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {qn(pattern)}")
    schema_editor.execute(f"ALTER INDEX IF EXISTS {qn(plain)} RENAME TO {qn(STATUS_INDEX)}")


def status_two_indexes(apps, schema_editor):
    model, old, new = _status_pair(apps, dropping=False)
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(model, models.Index(fields=["status"], name=STATUS_INDEX))
        schema_editor.alter_field(model, old, new)
        return
    table, plain, pattern = _django_names(model, schema_editor)
    qn = schema_editor.quote_name
    schema_editor.execute(f"ALTER INDEX IF EXISTS {qn(STATUS_INDEX)} RENAME TO {qn(plain)}")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {qn(pattern)} ON {qn(table)} (status varchar_pattern_ops)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("applications", "0017_lean_event_codes"),
        ("offices", "0003_routing_authority"),
        ("territory", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name="application", name="hromada",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT, related_name="+",
                                    to="territory.unit", verbose_name="громада"),
        ),
        DropFieldIndexesConcurrently(
            model_name="application", name="back_office",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                    related_name="incoming_applications", to="offices.office",
                                    verbose_name="бек-офіс"),
        ),
        DropFieldIndexesConcurrently(
            model_name="application", name="registered_by",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="фахівець фронт-офісу"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="application", name="status",
                    field=models.CharField(
                        choices=[("draft", "Чернетка"), ("submitted", "Надіслано до бек-офісу"),
                                 ("in_review", "На розгляді"), ("returned", "Повернуто на доопрацювання"),
                                 ("resubmitted", "Надіслано повторно"), ("decided_granted", "Рішення: призначено"),
                                 ("decided_refused", "Рішення: відмовлено"),
                                 ("result_sent", "Результат у фронт-офісі"),
                                 ("result_issued", "Результат видано заявнику"), ("closed", "Закрито"),
                                 ("withdrawn", "Відкликано заявником")],
                        default="draft", max_length=20, verbose_name="статус"),
                ),
                migrations.AddIndex(model_name="application",
                                    index=models.Index(fields=["status"], name=STATUS_INDEX)),
            ],
            database_operations=[migrations.RunPython(status_one_index, status_two_indexes)],
        ),
    ]
