"""#24, bytes: the index of who handed the result out (17 B per application at 20 thousand applications). No query
reads cases by it: the card and the API join from the case to the user. Only the admin's deletion of a user looks
for the cases naming one (PROTECT), and such a user has audit entries, which PROTECT too: they are deactivated, not
deleted, and the rare check reads the table once. Dropped concurrently (docs/operations.md, section 7)."""
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("applications", "0015_lean_derived_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name="application",
            name="issued_by",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="результат видав(ла)"),
        ),
    ]
