"""#24, bytes: the index of who returned a case. No query reads return requests by it: the case page joins from the
return to the user. As ``decided_by`` (0003): users are deactivated, not deleted, so PROTECT's rare check may read the
table once. Dropped concurrently (docs/operations.md, section 7); not atomic."""
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("backoffice", "0004_columns_in_alignment_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name="returnrequest",
            name="returned_by",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
    ]
