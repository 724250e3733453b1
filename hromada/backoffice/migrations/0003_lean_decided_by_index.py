"""#24, bytes: the index of who took a decision (11 B an application at 1 M). No query reads decisions by it: the
case, its PDF, the API and the social case join from the decision to the user. Only the admin's deletion of a user
would look for the decisions naming one (PROTECT), and such a user has audit entries, which PROTECT too: users are
deactivated, not deleted, and the rare check reads the table once. Dropped concurrently (docs/operations.md,
section 7)."""
from django.conf import settings
from django.db import migrations, models

from hromada.core.migration_ops import DropFieldIndexesConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("backoffice", "0002_notify_move_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        DropFieldIndexesConcurrently(
            model_name="decision",
            name="decided_by",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
    ]
