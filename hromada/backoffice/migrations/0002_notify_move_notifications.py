"""Resident notifications moved to hromada.notifications (issue 19): rows are copied, then the table dropped.

Old states map honestly: pending → queued, sent → sent (handed to the backend then; no delivery report
exists for them), failed → failed. The old rows had no consent behind them; they are history only.
"""
from django.db import migrations

STATES = {"pending": "queued", "sent": "sent", "failed": "failed"}


def copy_rows(apps, schema_editor):
    Old = apps.get_model("backoffice", "Notification")
    New = apps.get_model("notifications", "Notification")
    for row in Old.objects.all().iterator():
        New.objects.get_or_create(
            application_id=row.application_id, kind=row.template, channel=row.channel, reference=f"legacy-{row.pk}",
            defaults={"recipient_masked": row.recipient_masked, "state": STATES.get(row.status, "failed"),
                      "attempts": 1 if row.status != "pending" else 0, "last_error": row.error,
                      "sent_at": row.sent_at})


class Migration(migrations.Migration):

    dependencies = [
        ('backoffice', '0001_initial'),
        ('notifications', '0001_notify_initial'),
    ]

    operations = [
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
