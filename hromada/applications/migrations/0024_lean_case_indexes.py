"""#24, bytes: four indexes of a case no query needs, and a narrower one for the fifth (about 33 B an application at
1 M). The plans of the queries that could read them were timed on the 1 M database with the indexes and without
(bench/README, "Four more indexes of a case"):
- the front office: its worklist reads the failed messages first, then their cases by key;
- the service: cases are read by service only within a hromada or a back office, whose indexes lead;
- the due date: the queue's index (back office, status, due date, id) answers a back office's overdue cases, the
  status's index the sweep's and the monitoring's;
- the assignee: "mine" and "by assignee" are asked of the cases a back office holds, so an index of those only
  (``application_open_assignee``, a few cases in a hundred) answers them as the whole one did. Without any, "mine"
  read seven times the heap pages.
Only an admin's deletion of an office, a service or a user would look for the cases naming it (PROTECT), and those
are deactivated, not deleted: the rare check reads the table once. The new index is built before the old ones go,
all concurrently on PostgreSQL (docs/operations.md, section 7); SQLite drops them by name (no rebuild of the table,
which would drop the history's trigger)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import AddIndexConcurrently, DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("applications", "0023_applicant_not_a_participant"),
        ("catalog", "0008_law_subsistence_minimum_2024"),
        ("offices", "0003_routing_authority"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="application",
            index=models.Index(condition=models.Q(("assigned_to__isnull", False),
                                                  ("status__in", ["submitted", "resubmitted", "in_review"])),
                               fields=["assigned_to"], name="application_open_assignee"),
        ),
        DropFieldIndexesConcurrently(
            model_name="application",
            name="assigned_to",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="assigned_applications",
                                    to=settings.AUTH_USER_MODEL, verbose_name="виконавець"),
        ),
        DropFieldIndexesConcurrently(
            model_name="application",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="строк рішення"),
        ),
        DropFieldIndexesConcurrently(
            model_name="application",
            name="front_office",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="accepted_applications", to="offices.office",
                                    verbose_name="фронт-офіс"),
        ),
        DropFieldIndexesConcurrently(
            model_name="application",
            name="service",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="applications", to="catalog.servicetype", verbose_name="послуга"),
        ),
    ]
